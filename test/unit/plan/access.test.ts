// The access report from synthetic planned resources: pure logic, no Pulumi.
import { describe, expect, it } from "vitest";
import {
  accessReport,
  labelled,
  labelledGrant,
  policyStatements,
  Resolver,
} from "../../../src/plan/access";
import type { PlannedResource } from "../../../src/plan/offline";

function r(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  computed: Record<string, unknown> = {},
): PlannedResource {
  return {
    type,
    name,
    custom: true,
    inputs,
    state: { ...inputs, ...computed },
    id: String(computed.id ?? name),
  };
}

const BUCKET = r(
  "aws:s3/bucket:Bucket",
  "st-bucket",
  { bucket: "zb" },
  { arn: "arn:aws:s3:::zb", id: "zb" },
);
const USER = r(
  "aws:iam/user:User",
  "st-user",
  { name: "zenml-st" },
  { arn: "arn:aws:iam::123456789012:user/zenml-st" },
);

describe("accessReport", () => {
  it("reads an inline user policy: who, which actions, on what", () => {
    const policy = r("aws:iam/userPolicy:UserPolicy", "st-access", {
      user: "zenml-st",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::zb/*" }],
      }),
    });
    const report = accessReport([BUCKET, USER, policy]);
    expect(report.grants.map(labelledGrant)).toEqual([
      {
        kind: "identity policy",
        principal: "IAM user zenml-st [User st-user]",
        effect: "Allow",
        actions: ["s3:GetObject"],
        resources: ["arn:aws:s3:::zb/* [Bucket st-bucket]"],
        conditions: [],
        via: "aws:iam/userPolicy:UserPolicy st-access",
      },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it("reads a bucket policy's principals and conditions", () => {
    const bp = r("aws:s3/bucketPolicy:BucketPolicy", "st-tls", {
      bucket: "zb",
      policy: {
        Statement: {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::zb"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      },
    });
    const [g] = accessReport([BUCKET, bp]).grants;
    expect(g).toMatchObject({
      kind: "resource policy",
      principal: "anyone (*)",
      effect: "Deny",
      actions: ["s3:*"],
      conditions: ["aws:SecureTransport Bool false"],
    });
    // A Deny with a wildcard is not a warning.
    expect(accessReport([BUCKET, bp]).warnings).toEqual([]);
  });

  it("reads a role's trust policy as 'who may assume the role'", () => {
    const role = r(
      "aws:iam/role:Role",
      "st-role",
      {
        assumeRolePolicy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::123456789012:root" },
              Action: "sts:AssumeRole",
              Condition: {
                ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:user/zenml-st" },
              },
            },
          ],
        }),
      },
      { arn: "arn:aws:iam::123456789012:role/st-role-1", name: "st-role-1" },
    );
    const [g] = accessReport([USER, role]).grants;
    expect(labelledGrant(g)).toEqual({
      kind: "trust policy",
      principal: "AWS account 123456789012 (arn:aws:iam::123456789012:root)",
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      resources: ["arn:aws:iam::123456789012:role/st-role-1 [Role st-role]"],
      conditions: [
        "aws:PrincipalArn ArnEquals arn:aws:iam::123456789012:user/zenml-st [User st-user]",
      ],
      via: "aws:iam/role:Role st-role",
    });
  });

  it("follows attachments of standalone policies (MinIO style)", () => {
    const pol = r("minio:index/iamPolicy:IamPolicy", "m-policy", {
      name: "zp",
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::zb" }],
      }),
    });
    const att = r("minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment", "m-att", {
      userName: "mu",
      policyName: "zp",
    });
    const [g] = accessReport([pol, att]).grants;
    expect(g.principal).toBe("user mu");
  });

  it("reads role bindings (GCP members, Azure role assignments)", () => {
    const sa = r(
      "gcp:serviceaccount/account:Account",
      "g-sa",
      { accountId: "zsa" },
      {
        email: "zsa@p.iam.gserviceaccount.com",
        member: "serviceAccount:zsa@p.iam.gserviceaccount.com",
      },
    );
    const binding = r("gcp:storage/bucketIAMMember:BucketIAMMember", "g-obj", {
      bucket: "gb",
      role: "roles/storage.objectUser",
      member: "serviceAccount:zsa@p.iam.gserviceaccount.com",
    });
    const az = r("azure-native:authorization:RoleAssignment", "a-ra", {
      principalId: "sp-1",
      principalType: "ServicePrincipal",
      roleDefinitionId:
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
      scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acc",
    });
    const report = accessReport([sa, binding, az]);
    const shown = report.grants.map(labelledGrant);
    expect(shown.map((g) => [g.principal, g.actions[0], g.resources[0]])).toEqual([
      [
        "serviceAccount:zsa@p.iam.gserviceaccount.com [Account g-sa]",
        "roles/storage.objectUser",
        "gb",
      ],
      [
        "ServicePrincipal sp-1",
        "Storage Blob Data Contributor (/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe)",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acc",
      ],
    ]);
  });

  it("lists minted credentials with the identity they belong to", () => {
    const key = r("aws:iam/accessKey:AccessKey", "st-key", { user: "zenml-st" }, { secret: "s" });
    const kms = r("aws:kms/key:Key", "k", {}, { arn: "arn:aws:kms:eu-west-1:1:key/x" });
    const credentials = accessReport([USER, key, kms]).credentials.map((c) => ({
      identity: labelled(c.identity, c.references[c.identity]),
      via: c.via,
    }));
    expect(credentials).toEqual([
      { identity: "IAM user zenml-st [User st-user]", via: "aws:iam/accessKey:AccessKey st-key" },
    ]);
  });

  it.each([
    [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::zb" }, "wildcard action s3:*"],
    [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::zb" }, "wildcard action *"],
    [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, "every resource (*)"],
    [
      { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::zb" },
      "NotAction allows everything except iam:*",
    ],
  ])("warns about %j", (statement, warning) => {
    const p = r("aws:iam/userPolicy:UserPolicy", "p", {
      user: "zenml-st",
      policy: JSON.stringify({ Statement: [statement] }),
    });
    expect(accessReport([USER, p]).warnings.join("\n")).toContain(warning);
  });

  it("warns about public access and broad roles", () => {
    const pub = r("aws:s3/bucketPolicy:BucketPolicy", "pub", {
      bucket: "zb",
      policy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::zb/*",
          },
        ],
      }),
    });
    const owner = r("gcp:storage/bucketIAMMember:BucketIAMMember", "o", {
      bucket: "gb",
      role: "roles/owner",
      member: "allUsers",
    });
    const w = accessReport([BUCKET, pub, owner]).warnings.join("\n");
    expect(w).toContain("public access: s3:GetObject via aws:s3/bucketPolicy:BucketPolicy pub");
    expect(w).toContain("broad role roles/owner");
    expect(w).toContain("public access: roles/owner");
  });

  it("reads SAS tokens minted by an invoke as bearer grants", () => {
    const g = accessReport(
      [],
      [
        {
          token: "azure-native:storage:listStorageAccountServiceSAS",
          inputs: {
            permissions: "rl",
            canonicalizedResource: "/blob/acc/c",
            sharedAccessExpiryTime: "2027-01-01T00:00:00Z",
            protocols: "https",
          },
        },
      ],
    ).grants[0];
    expect(g).toMatchObject({
      kind: "bearer token",
      actions: ["r (read)", "l (list)"],
      resources: ["/blob/acc/c"],
      conditions: ["until 2027-01-01T00:00:00Z", "protocols https"],
    });
  });
});

describe("helpers", () => {
  it("parses policy documents given as text or object; refuses other things", () => {
    expect(policyStatements('{"Statement":{"Effect":"Allow"}}')).toEqual([{ Effect: "Allow" }]);
    expect(policyStatements("not json")).toBeUndefined();
    expect(policyStatements({ Version: "x" })).toBeUndefined();
  });

  it("labels values by the planned resource they name or contain", () => {
    const res = new Resolver([BUCKET, USER]);
    const label = (v: string): string => labelled(v, res.show(v).ref);
    expect(label("arn:aws:s3:::zb/*")).toBe("arn:aws:s3:::zb/* [Bucket st-bucket]");
    expect(label("elsewhere")).toBe("elsewhere");
  });
});
