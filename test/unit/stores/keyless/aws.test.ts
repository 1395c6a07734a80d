/**
 * AWS `implicit` (keyless) store under Pulumi's mock runtime: every resource is
 * recorded, nothing reaches AWS. Asserts the exact trust policy, the role's
 * bucket-scoped policy, that no IAM user or key exists, and the connector and
 * credentials the component exposes (an empty secret map).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ID,
  installMocks,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

let registered: Registered[];
let aws: typeof import("../../../../src/stores/aws/s3ArtifactStore");

const SERVER_ROLE = "arn:aws:iam::210987654321:role/zenml-server-irsa";
const PRO_ROLE = "arn:aws:iam::715803424590:role/zenml-0c7e6a52-9b3e-4d1f-8a0e-2f4c6b8d0a1e";

beforeAll(async () => {
  registered = await installMocks();
  aws = await import("../../../../src/stores/aws/s3ArtifactStore");
});

function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

describe("S3ArtifactStore, implicit mode trusting the ZenML server's role", () => {
  let store: InstanceType<typeof aws.S3ArtifactStore>;
  beforeAll(async () => {
    store = new aws.S3ArtifactStore("keyless", {
      region: "eu-west-1",
      bucketName: "team-artifacts",
      credentials: "implicit",
      trustedPrincipals: [SERVER_ROLE],
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates a role and its policy, and no IAM user, access key or user policy", () => {
    const iamTypes = childrenOf("keyless")
      .map((r) => r.type)
      .filter((t) => t.startsWith("aws:iam/"))
      .sort();
    expect(iamTypes).toEqual(["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
    expect(store.user).toBeUndefined();
    expect(store.accessKey).toBeUndefined();
    expect(store.credentialVersion).toBeUndefined();
  });

  it("trusts exactly the server's role for sts:AssumeRole, with no other principal or action", () => {
    const role = only(registered, "aws:iam/role:Role", "keyless-role");
    expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeByZenmlServerOnly",
          Effect: "Allow",
          Principal: { AWS: SERVER_ROLE },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("gives the role exactly the store's bucket policy (the same as the keyed modes)", () => {
    const policy = only(registered, "aws:iam/rolePolicy:RolePolicy", "keyless-role-access");
    expect(JSON.parse(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ZenmlBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
          Resource: "arn:aws:s3:::team-artifacts",
        },
        {
          Sid: "ZenmlObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          Resource: "arn:aws:s3:::team-artifacts/*",
        },
      ],
    });
  });

  it("exposes ZenML's aws/implicit connector with region and role_arn, and an empty secret credential map", async () => {
    expect(
      await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined),
    ).toEqual({
      region: "eu-west-1",
      role_arn: `arn:aws:iam::${ACCOUNT_ID}:role/keyless-role-1a2b3c4`,
    });
    expect(store.auth).toMatchObject({
      kind: "connector",
      type: "aws",
      method: "implicit",
      resourceType: "s3-bucket",
    });
    expect(await unwrap(store.credentials)).toEqual({});
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
  });
});

describe("S3ArtifactStore, implicit mode trusting the server role and ZenML Pro", () => {
  beforeAll(async () => {
    const store = new aws.S3ArtifactStore("keyless-two", {
      region: "eu-west-1",
      credentials: "implicit",
      trustedPrincipals: [SERVER_ROLE, PRO_ROLE],
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("lists both principals, and only them", () => {
    const role = only(registered, "aws:iam/role:Role", "keyless-two-role");
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Sid: "AssumeByZenmlServerOnly",
        Effect: "Allow",
        Principal: { AWS: [SERVER_ROLE, PRO_ROLE] },
        Action: "sts:AssumeRole",
      },
    ]);
  });
});

describe("S3ArtifactStore, implicit mode without a trusted principal", () => {
  it("is refused naming trustedPrincipals", () => {
    expect(
      () =>
        new aws.S3ArtifactStore("keyless-none", {
          region: "eu-west-1",
          credentials: "implicit",
          trustedPrincipals: [],
        }),
    ).toThrow(expect.objectContaining({ propertyPath: "trustedPrincipals" }));
  });

  it("a keyed mode still mints a user and key (negative control)", async () => {
    const keyed = new aws.S3ArtifactStore("keyless-ctrl", {
      region: "eu-west-1",
      credentials: "iam-role",
    });
    await unwrap(keyed.credentials);
    await settle();
    expect(Object.keys((await unwrap(keyed.credentials))!).sort()).toEqual([
      "aws_access_key_id",
      "aws_secret_access_key",
    ]);
    expect(registered.filter((r) => r.name === "keyless-ctrl-user")).toHaveLength(1);
  });
});
