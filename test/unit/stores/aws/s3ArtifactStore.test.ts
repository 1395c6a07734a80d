import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ID,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

let registered: Registered[];
let aws: typeof import("../../../../src/stores/aws/s3ArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  aws = await import("../../../../src/stores/aws/s3ArtifactStore");
});

/** The resources one store component created, by their names. */
function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

function typesOf(store: string): string[] {
  return childrenOf(store)
    .map((r) => r.type)
    .sort();
}

const HARDENED_BUCKET_TYPES = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
];

describe("S3ArtifactStore, access-key mode with a generated bucket name", () => {
  let store: InstanceType<typeof aws.S3ArtifactStore>;
  beforeAll(async () => {
    store = new aws.S3ArtifactStore("keyed", { region: "eu-west-1", credentials: "access-key" });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates exactly the hardened bucket, a user, its key and its policy", () => {
    expect(typesOf("keyed")).toEqual(
      [
        ...HARDENED_BUCKET_TYPES,
        "aws:iam/accessKey:AccessKey",
        "aws:iam/user:User",
        "aws:iam/userPolicy:UserPolicy",
        "zenml-remote-storage:aws:S3ArtifactStore",
      ].sort(),
    );
  });

  it("generates a valid, unique bucket name from a prefix and protects it from deletion", () => {
    const bucket = only(registered, "aws:s3/bucket:Bucket", "keyed-bucket");
    expect(bucket.inputs.bucketPrefix).toBe("zenml-keyed-");
    expect("bucket" in bucket.inputs).toBe(false);
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.region).toBe("eu-west-1");
    expect(bucket.inputs.tags).toEqual({ "zenml-remote-storage:store": "keyed" });
  });

  it("turns on all four public-access-block flags", () => {
    const pab = only(
      registered,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "keyed-public-access-block",
    );
    expect(pab.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("enforces bucket-owner ownership (no ACLs)", () => {
    const own = only(
      registered,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "keyed-ownership",
    );
    expect(own.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("encrypts with SSE-S3 and a bucket key by default", () => {
    const sse = only(
      registered,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "keyed-encryption",
    );
    expect(sse.inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
    ]);
  });

  it("denies requests without TLS on the bucket and its objects", () => {
    const policy = only(registered, "aws:s3/bucketPolicy:BucketPolicy", "keyed-tls-only");
    const bucket = "zenml-keyed-20261126000000000000000001";
    expect(JSON.parse(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("aborts incomplete uploads and, without versioning, has no version rule", () => {
    const lifecycle = only(
      registered,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "keyed-lifecycle",
    );
    expect(lifecycle.inputs.rules).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    expect(ofType(childrenOf("keyed"), "aws:s3/bucketVersioning:BucketVersioning")).toHaveLength(0);
  });

  it("gives the user exactly ZenML's S3 actions on this bucket, with the partition in every ARN", () => {
    const policy = only(registered, "aws:iam/userPolicy:UserPolicy", "keyed-user-access");
    const bucketArn = "arn:aws:s3:::zenml-keyed-20261126000000000000000001";
    expect(JSON.parse(policy.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ZenmlBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
          Resource: bucketArn,
        },
        {
          Sid: "ZenmlObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          Resource: `${bucketArn}/*`,
        },
      ],
    });
    expect(policy.inputs.policy).not.toContain('"*"');
    expect(policy.inputs.policy).not.toContain("arn:aws:::");
  });

  it("names the user from project, stack and store", () => {
    const user = only(registered, "aws:iam/user:User", "keyed-user");
    expect(user.inputs.name).toMatch(/^zenml-keyed-[0-9a-f]{8}$/);
  });

  it("exposes ZenML's secret-key connector facts and keeps credentials secret", async () => {
    expect(await unwrap(store.path)).toBe("s3://zenml-keyed-20261126000000000000000001");
    expect(await unwrap(store.auth)).toEqual({
      kind: "connector",
      type: "aws",
      method: "secret-key",
      resourceType: "s3-bucket",
      resourceId: "s3://zenml-keyed-20261126000000000000000001",
      configuration: { region: "eu-west-1" },
    });
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(await pulumi.isSecret(store.auth.configuration)).toBe(false);
    expect(await unwrap(store.credentials)).toEqual({
      aws_access_key_id: "AKIAMOCKMOCKMOCK0001",
      aws_secret_access_key: expect.stringMatching(/^mock-secret-/),
    });
  });
});

describe("S3ArtifactStore, iam-role mode", () => {
  let store: InstanceType<typeof aws.S3ArtifactStore>;
  beforeAll(async () => {
    store = new aws.S3ArtifactStore("roled", {
      region: "us-east-1",
      bucketName: "team-artifacts",
      credentials: "iam-role",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("adds a role and its policy, and gives the user no S3 access of its own", () => {
    expect(typesOf("roled")).toEqual(
      [
        ...HARDENED_BUCKET_TYPES,
        "aws:iam/accessKey:AccessKey",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/user:User",
        "aws:iam/userPolicy:UserPolicy",
        "zenml-remote-storage:aws:S3ArtifactStore",
      ].sort(),
    );
    expect(registered.filter((r) => r.name === "roled-user-access")).toHaveLength(0);
  });

  it("lets only this store's user assume the role", () => {
    const role = only(registered, "aws:iam/role:Role", "roled-role");
    const user = only(registered, "aws:iam/user:User", "roled-user");
    expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeByZenmlUserOnly",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:user/${user.inputs.name}` },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("allows the user sts:AssumeRole on that one role, never on *", () => {
    const policy = only(registered, "aws:iam/userPolicy:UserPolicy", "roled-user-assume-role");
    expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
      {
        Sid: "AssumeZenmlRole",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: `arn:aws:iam::${ACCOUNT_ID}:role/roled-role-1a2b3c4`,
      },
    ]);
  });

  it("puts ZenML's S3 actions on the role, scoped to the named bucket", () => {
    const policy = only(registered, "aws:iam/rolePolicy:RolePolicy", "roled-role-access");
    const doc = JSON.parse(policy.inputs.policy);
    expect(doc.Statement.map((s: { Resource: string }) => s.Resource)).toEqual([
      "arn:aws:s3:::team-artifacts",
      "arn:aws:s3:::team-artifacts/*",
    ]);
    expect(only(registered, "aws:s3/bucket:Bucket", "roled-bucket").inputs.bucket).toBe(
      "team-artifacts",
    );
  });

  it("exposes the iam-role connector with role_arn in the plain configuration", async () => {
    expect(await unwrap(store.auth)).toMatchObject({
      kind: "connector",
      method: "iam-role",
      configuration: {
        region: "us-east-1",
        role_arn: `arn:aws:iam::${ACCOUNT_ID}:role/roled-role-1a2b3c4`,
      },
    });
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
  });
});

describe("S3ArtifactStore with versioning, SSE-KMS and forceDestroy", () => {
  const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  beforeAll(async () => {
    const store = new aws.S3ArtifactStore("kms", {
      region: "eu-west-1",
      credentials: "access-key",
      versioning: true,
      noncurrentVersionExpirationDays: 14,
      kmsKeyArn,
      forceDestroy: true,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("uses the customer key with a bucket key", () => {
    const sse = only(
      registered,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "kms-encryption",
    );
    expect(sse.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("enables versioning and expires noncurrent versions", () => {
    const versioning = only(
      registered,
      "aws:s3/bucketVersioning:BucketVersioning",
      "kms-versioning",
    );
    expect(versioning.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    const lifecycle = only(
      registered,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "kms-lifecycle",
    );
    expect(lifecycle.inputs.rules[1]).toEqual({
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: 14 },
    });
  });

  it("sets forceDestroy only because it was asked", () => {
    expect(only(registered, "aws:s3/bucket:Bucket", "kms-bucket").inputs.forceDestroy).toBe(true);
  });

  it("lets the user use the key for decrypt and data keys", () => {
    const policy = JSON.parse(
      only(registered, "aws:iam/userPolicy:UserPolicy", "kms-user-access").inputs.policy,
    );
    expect(policy.Statement[2]).toEqual({
      Sid: "ZenmlKmsKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: kmsKeyArn,
    });
  });
});

describe("S3ArtifactStore adopting an existing bucket", () => {
  let store: InstanceType<typeof aws.S3ArtifactStore>;
  beforeAll(async () => {
    store = new aws.S3ArtifactStore("adopted", {
      region: "eu-west-1",
      bucketName: "existing-bucket",
      adoptExistingBucket: true,
      credentials: "access-key",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates no bucket resource and changes none", () => {
    expect(childrenOf("adopted").filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
  });

  it("still scopes the identity and the ZenML documents to that bucket", async () => {
    const policy = JSON.parse(
      only(registered, "aws:iam/userPolicy:UserPolicy", "adopted-user-access").inputs.policy,
    );
    expect(policy.Statement[0].Resource).toBe("arn:aws:s3:::existing-bucket");
    expect(await unwrap(store.path)).toBe("s3://existing-bucket");
  });

  it("refuses adoption without a bucket name", () => {
    expect(
      () =>
        new aws.S3ArtifactStore("nameless", {
          region: "eu-west-1",
          adoptExistingBucket: true,
          credentials: "access-key",
        }),
    ).toThrow(/adopted bucket needs its name/);
  });
});
