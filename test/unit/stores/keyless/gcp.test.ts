/**
 * GCP keyless stores under Pulumi's mock runtime: no GCP call is made. Asserts the
 * exact workload identity pool/provider (issuer, mapping, condition), the one
 * federated principal granted roles/iam.workloadIdentityUser, the bucket-level
 * role bindings (never project-level), the generated credential configuration,
 * and that no key is minted (credentials `{}`) in `external-account` and `implicit`.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  GCP_PROJECT_NUMBER,
  installMocks,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

let registered: Registered[];
let gcs: typeof import("../../../../src/stores/gcp/gcsArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  gcs = await import("../../../../src/stores/gcp/gcsArtifactStore");
});

const PROJECT = "ml-platform-prod";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const SUBJECT = "system:serviceaccount:zenml:zenml-server";
const BUCKET_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectUser"];

function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}
function typesOf(store: string): string[] {
  return childrenOf(store)
    .map((r) => r.type)
    .sort();
}
function bucketBindings(store: string): { role: string; member: string; bucket: string }[] {
  return childrenOf(store)
    .filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")
    .map((r) => ({ role: r.inputs.role, member: r.inputs.member, bucket: r.inputs.bucket }))
    .sort((a, b) => a.role.localeCompare(b.role));
}

describe("GcsArtifactStore, external-account mode federating one OIDC subject", () => {
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("wif", {
      project: PROJECT,
      location: "europe-west1",
      bucketName: "wif-artifacts",
      credentials: "external-account",
      accountId: "zenml-wif-1a2b3c4d",
      federation: { kind: "oidc", issuer: ISSUER, subject: SUBJECT, tokenFile: "/var/run/t/token" },
    });
    await unwrap(store.credentials);
    await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined);
    await settle();
  });

  it("creates the bucket, a service account, its bucket bindings, a pool, a provider and one workloadIdentityUser grant; no key", () => {
    expect(typesOf("wif").filter((t) => !t.startsWith("gcp:storage/bucket:"))).toEqual(
      [
        "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
        "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
        "gcp:serviceaccount/account:Account",
        "gcp:serviceaccount/iAMMember:IAMMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "zenml-remote-storage:gcp:GcsArtifactStore",
      ].sort(),
    );
    expect(
      registered.filter(
        (r) => r.type === "gcp:serviceaccount/key:Key" && r.name.startsWith("wif-"),
      ),
    ).toEqual([]);
    expect(registered.filter((r) => r.type.startsWith("gcp:projects/"))).toEqual([]);
  });

  it("binds only the bucket-scoped roles, on the one bucket, to the store's service account", () => {
    const sa = `serviceAccount:zenml-wif-1a2b3c4d@${PROJECT}.iam.gserviceaccount.com`;
    expect(bucketBindings("wif")).toEqual(
      BUCKET_ROLES.map((role) => ({ role, member: sa, bucket: "wif-artifacts" })),
    );
  });

  it("the provider trusts exactly the issuer and admits only the one subject", () => {
    const provider = only(
      registered,
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      "wif-provider",
    );
    expect(provider.inputs).toMatchObject({
      project: PROJECT,
      workloadIdentityPoolId: "zenml-wif-1a2b3c4d",
      workloadIdentityPoolProviderId: "zenml-wif-1a2b3c4d",
      attributeMapping: { "google.subject": "assertion.sub" },
      attributeCondition: `assertion.sub == "${SUBJECT}"`,
      oidc: { issuerUri: ISSUER },
    });
    expect(provider.inputs.oidc.allowedAudiences).toBeUndefined();
    expect(provider.inputs.aws).toBeUndefined();
  });

  it("grants roles/iam.workloadIdentityUser on the store's service account to exactly that subject", () => {
    const grant = only(
      registered,
      "gcp:serviceaccount/iAMMember:IAMMember",
      "wif-workload-identity-user",
    );
    expect(grant.inputs).toEqual({
      serviceAccountId: `projects/${PROJECT}/serviceAccounts/zenml-wif-1a2b3c4d@${PROJECT}.iam.gserviceaccount.com`,
      role: "roles/iam.workloadIdentityUser",
      member: `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/zenml-wif-1a2b3c4d/subject/${SUBJECT}`,
    });
    expect(grant.inputs.member).not.toContain("principalSet");
  });

  it("exposes gcp/external-account with project_id and a secret-free credential configuration; credentials {}", async () => {
    expect(store.auth).toMatchObject({
      kind: "connector",
      type: "gcp",
      method: "external-account",
    });
    const config = (await unwrap(
      store.auth.kind === "connector" ? store.auth.configuration : undefined,
    ))!;
    expect(Object.keys(config).sort()).toEqual(["external_account_json", "project_id"]);
    expect(config.project_id).toBe(PROJECT);
    expect(JSON.parse(config.external_account_json)).toEqual({
      type: "external_account",
      audience: `//iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/zenml-wif-1a2b3c4d/providers/zenml-wif-1a2b3c4d`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/zenml-wif-1a2b3c4d@${PROJECT}.iam.gserviceaccount.com:generateAccessToken`,
      credential_source: { file: "/var/run/t/token", format: { type: "text" } },
    });
    expect(config.external_account_json).not.toMatch(/private_key|client_secret/);
    expect(await unwrap(store.credentials)).toEqual({});
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(store.credentialVersion).toBeUndefined();
  });
});

describe("GcsArtifactStore, external-account mode federating ZenML Pro's AWS role", () => {
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("wifaws", {
      project: PROJECT,
      location: "europe-west1",
      bucketName: "wifaws-artifacts",
      credentials: "external-account",
      accountId: "zenml-wifaws-1a2b3c4d",
      federation: { kind: "aws", accountId: "715803424590", roleName: "zenml-0c7e6a52" },
    });
    await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined);
    await settle();
  });

  it("the provider is an AWS provider for that account, admitting only sessions of that role", () => {
    const provider = only(
      registered,
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      "wifaws-provider",
    );
    expect(provider.inputs.aws).toEqual({ accountId: "715803424590" });
    expect(provider.inputs.oidc).toBeUndefined();
    expect(provider.inputs.attributeMapping).toEqual({
      "google.subject": "assertion.arn",
      "attribute.aws_role": "assertion.arn.extract('assumed-role/{role}/')",
    });
    expect(provider.inputs.attributeCondition).toBe(
      'assertion.arn.startsWith("arn:aws:sts::715803424590:assumed-role/zenml-0c7e6a52/")',
    );
  });

  it("grants workloadIdentityUser to exactly that role's principal set", () => {
    const grant = only(
      registered,
      "gcp:serviceaccount/iAMMember:IAMMember",
      "wifaws-workload-identity-user",
    );
    expect(grant.inputs.member).toBe(
      `principalSet://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/zenml-wifaws-1a2b3c4d/attribute.aws_role/zenml-0c7e6a52`,
    );
  });

  it("the credential configuration takes AWS credentials from the environment (aws1), no secret", async () => {
    const config = (await unwrap(
      store.auth.kind === "connector" ? store.auth.configuration : undefined,
    ))!;
    const json = JSON.parse(config.external_account_json);
    expect(json.subject_token_type).toBe("urn:ietf:params:aws:token-type:aws4_request");
    expect(json.credential_source.environment_id).toBe("aws1");
    expect(json.credential_source.regional_cred_verification_url).toBe(
      "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    );
  });
});

describe("GcsArtifactStore, implicit mode with the ZenML server's own service account", () => {
  const SERVER = "zenml-server@ml-platform-prod.iam.gserviceaccount.com";
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("impl", {
      project: PROJECT,
      location: "europe-west1",
      bucketName: "impl-artifacts",
      credentials: "implicit",
      serverServiceAccount: SERVER,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates no service account, key, pool or token grant: only the bucket and two bucket bindings", () => {
    expect(typesOf("impl").filter((t) => !t.startsWith("gcp:storage/bucket:"))).toEqual([
      "gcp:storage/bucketIAMMember:BucketIAMMember",
      "gcp:storage/bucketIAMMember:BucketIAMMember",
      "zenml-remote-storage:gcp:GcsArtifactStore",
    ]);
    expect(store.serviceAccount).toBeUndefined();
  });

  it("grants the bucket roles on the one bucket to the server's service account", () => {
    expect(bucketBindings("impl")).toEqual(
      BUCKET_ROLES.map((role) => ({
        role,
        member: `serviceAccount:${SERVER}`,
        bucket: "impl-artifacts",
      })),
    );
  });

  it("exposes gcp/implicit with project_id only; credentials {}", async () => {
    expect(store.auth).toMatchObject({ kind: "connector", type: "gcp", method: "implicit" });
    expect(
      await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined),
    ).toEqual({
      project_id: PROJECT,
    });
    expect(await unwrap(store.credentials)).toEqual({});
  });
});

describe("GcsArtifactStore keyless modes without their identity", () => {
  it.each([
    ["external-account", "federation"],
    ["implicit", "serverServiceAccount"],
  ] as const)("%s without %s is refused naming it", (credentials, propertyPath) => {
    expect(
      () =>
        new gcs.GcsArtifactStore(`bad-${credentials}`, {
          project: PROJECT,
          location: "europe-west1",
          credentials,
        }),
    ).toThrow(expect.objectContaining({ propertyPath }));
  });
});
