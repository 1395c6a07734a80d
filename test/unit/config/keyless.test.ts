/**
 * Keyless credential modes in the config layer (pure; nothing external): the rules
 * for principal ARNs, issuers, subjects and object ids, and each bad input's one
 * line naming the key and the rule.
 */
import { describe, expect, it } from "vitest";
import {
  awsPrincipalArnRule,
  gcpServiceAccountEmailRule,
  oidcIssuerRule,
  oidcSubjectRule,
  uuidRule,
  zenmlProRoleArn,
} from "../../../src/config/backends/keyless";
import { parseDeployment } from "../../../src/config/parse";
import { isKeyless } from "../../../src/config/backends";
import { isRotatable } from "../../../src/config/rotation";

const PROVIDER = {
  "aws:region": "eu-west-1",
  "gcp:project": "ml-platform-prod",
  "gcp:region": "europe-west1",
  "azure-native:location": "westeurope",
};
const WS = "0c7e6a52-9b3e-4d1f-8a0e-2f4c6b8d0a1e";
const SERVER_ROLE = "arn:aws:iam::210987654321:role/zenml-server";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const SUBJECT = "system:serviceaccount:zenml:zenml-server";

function parseOne(store: Record<string, unknown>) {
  return parseDeployment({ stores: [{ name: "kl-store", ...store }] }, { providerConfig: PROVIDER })
    .stores[0];
}
function errorOf(store: Record<string, unknown>): string {
  try {
    parseOne(store);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a config error");
}

describe("keyless input rules", () => {
  it.each([
    [SERVER_ROLE, undefined],
    ["arn:aws:iam::210987654321:role/service-role/zenml", undefined],
    ["arn:aws:iam::210987654321:user/zenml-server", undefined],
    ["arn:aws-cn:iam::210987654321:role/zenml", undefined],
    ["arn:aws:iam::210987654321:root", "is a whole account"],
    ["210987654321", "is a whole account"],
    ["arn:aws:iam::210987654321:role/*", "not a wildcard"],
    ["arn:aws:iam::21098765432:role/zenml", "must be an IAM role or user ARN"],
    ["arn:aws:iam::210987654321:group/admins", "must be an IAM role or user ARN"],
    ["arn:aws:sts::210987654321:assumed-role/zenml/s", "must be an IAM role or user ARN"],
    ["zenml-server", "must be an IAM role or user ARN"],
  ])("awsPrincipalArnRule(%s)", (value, broken) => {
    const rule = awsPrincipalArnRule(value);
    if (broken === undefined) expect(rule).toBeUndefined();
    else expect(rule).toContain(broken);
  });

  it.each([
    [ISSUER, undefined],
    ["https://token.actions.githubusercontent.com", undefined],
    ["http://oidc.example.com", "must be an https:// OIDC issuer URL"],
    ["oidc.example.com", "must be an https:// OIDC issuer URL"],
    ["https://oidc.example.com/?x=1", "without query"],
    ["https://user:pw@oidc.example.com", "without query, fragment or credentials"],
    ["https://oidc.example.com/", "must not end with a slash"],
  ])("oidcIssuerRule(%s)", (value, broken) => {
    const rule = oidcIssuerRule(value);
    if (broken === undefined) expect(rule).toBeUndefined();
    else expect(rule).toContain(broken);
  });

  it.each([
    [SUBJECT, undefined],
    ["repo:org/repo:ref:refs/heads/main", undefined],
    ["system:serviceaccount:zenml:*", "without spaces or"],
    ["a b", "without spaces or"],
    ["x".repeat(128), "at most 127"],
    ['sub"or"true', "must not contain quotes"],
  ])("oidcSubjectRule(%s)", (value, broken) => {
    const rule = oidcSubjectRule(value);
    if (broken === undefined) expect(rule).toBeUndefined();
    else expect(rule).toContain(broken);
  });

  it.each([
    [WS, true],
    [WS.toUpperCase(), true],
    ["0c7e6a52-9b3e-4d1f-8a0e", false],
    ["not-a-guid", false],
  ])("uuidRule(%s) accepts=%s", (value, ok) => {
    expect(uuidRule(value) === undefined).toBe(ok);
  });

  it.each([
    ["zenml-server@ml-platform-prod.iam.gserviceaccount.com", true],
    ["123456789012-compute@developer.gserviceaccount.com", true],
    ["alice@example.com", false],
    ["serviceAccount:zenml-server@ml-platform-prod.iam.gserviceaccount.com", false],
  ])("gcpServiceAccountEmailRule(%s) accepts=%s", (value, ok) => {
    expect(gcpServiceAccountEmailRule(value) === undefined).toBe(ok);
  });

  it("ZenML Pro's workspace role is ZenML's own Terraform module's (account 715803424590, zenml-<id>)", () => {
    expect(zenmlProRoleArn(WS)).toBe(`arn:aws:iam::715803424590:role/zenml-${WS}`);
  });

  it("keyless modes are not rotatable; keyed modes are unchanged", () => {
    expect(isKeyless("aws", "implicit")).toBe(true);
    expect(isKeyless("gcp", "external-account")).toBe(true);
    expect(isKeyless("gcp", "implicit")).toBe(true);
    expect(isKeyless("azure", "implicit")).toBe(true);
    expect(isKeyless("aws", "iam-role")).toBe(false);
    for (const [b, m] of [
      ["aws", "implicit"],
      ["gcp", "external-account"],
      ["gcp", "implicit"],
      ["azure", "implicit"],
    ] as const) {
      expect(isRotatable(b, m)).toBe(false);
    }
  });
});

describe("keyless store config: valid input", () => {
  it("aws implicit with the server role and ZenML Pro", () => {
    expect(
      parseOne({
        backend: "aws",
        credentials: "implicit",
        trustedPrincipals: [SERVER_ROLE],
        zenmlProWorkspaceId: WS,
      }),
    ).toMatchObject({
      credentials: "implicit",
      trustedPrincipals: [SERVER_ROLE, `arn:aws:iam::715803424590:role/zenml-${WS}`],
    });
  });

  it("gcp external-account with an OIDC issuer and subject (default token file)", () => {
    expect(
      parseOne({
        backend: "gcp",
        credentials: "external-account",
        workloadIdentity: { issuer: ISSUER, subject: SUBJECT },
      }),
    ).toMatchObject({
      federation: {
        kind: "oidc",
        issuer: ISSUER,
        subject: SUBJECT,
        tokenFile: "/var/run/secrets/tokens/gcp-workload-identity/token",
      },
    });
  });

  it("gcp external-account for ZenML Pro", () => {
    expect(
      parseOne({
        backend: "gcp",
        credentials: "external-account",
        workloadIdentity: { zenmlProWorkspaceId: WS },
      }),
    ).toMatchObject({
      federation: { kind: "aws", accountId: "715803424590", roleName: `zenml-${WS}` },
    });
  });

  it("gcp implicit and azure implicit (both identity forms)", () => {
    expect(
      parseOne({
        backend: "gcp",
        credentials: "implicit",
        serverServiceAccount: "zenml-server@ml-platform-prod.iam.gserviceaccount.com",
      }),
    ).toMatchObject({
      serverServiceAccount: "zenml-server@ml-platform-prod.iam.gserviceaccount.com",
    });
    expect(
      parseOne({ backend: "azure", credentials: "implicit", principalObjectId: WS.toUpperCase() }),
    ).toMatchObject({ identity: { kind: "principal", objectId: WS } });
    expect(
      parseOne({
        backend: "azure",
        credentials: "implicit",
        workloadIdentity: { issuer: ISSUER, subject: SUBJECT },
      }),
    ).toMatchObject({ identity: { kind: "workload", issuer: ISSUER, subject: SUBJECT } });
  });
});

describe("keyless store config: each bad input is one line naming the key and the rule", () => {
  const aws = { backend: "aws", credentials: "implicit" };
  const gcpWif = { backend: "gcp", credentials: "external-account" };
  const az = { backend: "azure", credentials: "implicit" };
  it.each<[string, Record<string, unknown>, string]>([
    [
      "aws implicit without a principal",
      aws,
      "stores[0].trustedPrincipals: is required with credentials implicit: the ZenML server's IAM role ARN (or set zenmlProWorkspaceId for ZenML Pro)",
    ],
    [
      "a malformed principal ARN",
      { ...aws, trustedPrincipals: ["arn:aws:iam::1234:role/x"] },
      'stores[0].trustedPrincipals[0]: "arn:aws:iam::1234:role/x" must be an IAM role or user ARN (arn:aws:iam::123456789012:role/NAME)',
    ],
    [
      "an account root",
      { ...aws, trustedPrincipals: [SERVER_ROLE, "arn:aws:iam::210987654321:root"] },
      'stores[0].trustedPrincipals[1]: "arn:aws:iam::210987654321:root" is a whole account; name the IAM role or user of the ZenML server',
    ],
    [
      "trustedPrincipals not a list",
      { ...aws, trustedPrincipals: SERVER_ROLE },
      "stores[0].trustedPrincipals: must be a list of IAM role or user ARNs",
    ],
    [
      "a bad ZenML Pro workspace id",
      { ...aws, zenmlProWorkspaceId: "ws-1" },
      'stores[0].zenmlProWorkspaceId: "ws-1" must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    ],
    [
      "trust keys on a keyed mode",
      { backend: "aws", credentials: "iam-role", trustedPrincipals: [SERVER_ROLE] },
      "stores[0].trustedPrincipals: only applies when credentials is implicit",
    ],
    [
      "gcp external-account without workloadIdentity",
      gcpWif,
      "stores[0].workloadIdentity: is required with credentials external-account: an OIDC issuer and subject, an AWS account and role, or zenmlProWorkspaceId",
    ],
    [
      "a malformed issuer URL",
      { ...gcpWif, workloadIdentity: { issuer: "http://issuer.example.com", subject: SUBJECT } },
      'stores[0].workloadIdentity.issuer: "http://issuer.example.com" must be an https:// OIDC issuer URL',
    ],
    [
      "a wildcard subject",
      { ...gcpWif, workloadIdentity: { issuer: ISSUER, subject: "system:serviceaccount:zenml:*" } },
      'stores[0].workloadIdentity.subject: "system:serviceaccount:zenml:*" must be one exact subject, without spaces or "*"',
    ],
    [
      "an issuer without subject",
      { ...gcpWif, workloadIdentity: { issuer: ISSUER } },
      "stores[0].workloadIdentity.subject: is required with issuer: the one token subject allowed (e.g. system:serviceaccount:zenml:zenml-server)",
    ],
    [
      "two federation forms",
      {
        ...gcpWif,
        workloadIdentity: { issuer: ISSUER, subject: SUBJECT, zenmlProWorkspaceId: WS },
      },
      "stores[0].workloadIdentity: must have exactly one of: issuer (with subject), awsAccountId (with awsRoleName), zenmlProWorkspaceId",
    ],
    [
      "a bad AWS account",
      { ...gcpWif, workloadIdentity: { awsAccountId: "1234", awsRoleName: "zenml" } },
      'stores[0].workloadIdentity.awsAccountId: "1234" must be a 12-digit AWS account id',
    ],
    [
      "gcp implicit without the server's service account",
      { backend: "gcp", credentials: "implicit" },
      "stores[0].serverServiceAccount: is required with credentials implicit: the e-mail of the service account the ZenML server runs as",
    ],
    [
      "gcp implicit with a member instead of an e-mail",
      { backend: "gcp", credentials: "implicit", serverServiceAccount: "user:alice@example.com" },
      'stores[0].serverServiceAccount: "user:alice@example.com" must be a service account e-mail (NAME@PROJECT.iam.gserviceaccount.com)',
    ],
    [
      "azure implicit with a malformed object id",
      { ...az, principalObjectId: "not-a-guid" },
      'stores[0].principalObjectId: "not-a-guid" must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
    ],
    [
      "azure implicit with neither identity",
      az,
      "stores[0].principalObjectId: with credentials implicit, set exactly one of principalObjectId (the ZenML server's managed identity) or workloadIdentity (issuer and subject)",
    ],
    [
      "azure workload identity with a bad subject",
      { ...az, workloadIdentity: { issuer: ISSUER, subject: "a b" } },
      'stores[0].workloadIdentity.subject: "a b" must be one exact subject, without spaces or "*"',
    ],
    [
      "azure principalObjectId on service-principal mode",
      { backend: "azure", credentials: "service-principal", principalObjectId: WS },
      "stores[0].principalObjectId: only applies when credentials is implicit",
    ],
  ])("%s", (_what, store, message) => {
    const text = errorOf(store);
    expect(text).toBe(message);
    expect(text.split("\n")).toHaveLength(1);
  });
});
