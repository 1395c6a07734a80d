/**
 * MinioArtifactStore under Pulumi's mock runtime: no MinIO server, no provider
 * plugin. What is checked is exactly what the program asks the MinIO provider
 * to create, and what it exposes to ZenML.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  FAKE_MINIO_SERVICE_ACCOUNT_KEY_ID,
  FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
  installMocks,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

// How the SDK marks a secret inside recorded resource inputs (runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const secretInput = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

const ADMIN = { accessKeyId: "minio-admin", secretAccessKey: "admin-password-5c1f9e0b2a7d" };
const MINIO_TYPES = {
  provider: "pulumi:providers:minio",
  bucket: "minio:index/s3Bucket:S3Bucket",
  sse: "minio:index/s3BucketServerSideEncryption:S3BucketServerSideEncryption",
  versioning: "minio:index/s3BucketVersioning:S3BucketVersioning",
  ilm: "minio:index/ilmPolicy:IlmPolicy",
  policy: "minio:index/iamPolicy:IamPolicy",
  user: "minio:index/iamUser:IamUser",
  attachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
  serviceAccount: "minio:index/iamServiceAccount:IamServiceAccount",
  component: "zenml-remote-storage:s3-compatible:MinioArtifactStore",
};

let registered: Registered[];
let mod: typeof import("../../../../src/stores/s3compatible/minioArtifactStore");
const warn = vi.spyOn(pulumi.log, "warn");
/** Warnings logged while each store was constructed, by store name. */
const warnings: Record<string, string[]> = {};

function warningsFor(store: string): string[] {
  return warn.mock.calls.map(([msg]) => String(msg)).filter((msg) => msg.includes(store));
}

beforeAll(async () => {
  registered = await installMocks();
  mod = await import("../../../../src/stores/s3compatible/minioArtifactStore");
});

afterAll(() => {
  warn.mockRestore();
});

function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

function typesOf(store: string): string[] {
  return childrenOf(store)
    .map((r) => r.type)
    .sort();
}

/** The exact policy this project gives ZenML on one bucket (the AWS store's actions). */
function expectedPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ZenmlBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: "ZenmlObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
}

describe("MinioArtifactStore with a generated bucket on an https server", () => {
  let store: InstanceType<typeof mod.MinioArtifactStore>;
  const bucket = "zenml-team-minio-20261126000000000000000001";
  beforeAll(async () => {
    store = new mod.MinioArtifactStore("team-minio", {
      endpoint: "https://minio.example.com:9000/",
      region: "us-east-1",
      // Plain on purpose: the component itself must make the admin key secret.
      adminCredentials: ADMIN,
      tags: { team: "ml" },
    });
    warnings["team-minio"] = warningsFor("team-minio");
    await unwrap(store.credentials);
    await settle();
  });

  it("creates exactly a provider, bucket, policy, user, attachment and service account", () => {
    expect(typesOf("team-minio")).toEqual(
      [
        MINIO_TYPES.provider,
        MINIO_TYPES.bucket,
        MINIO_TYPES.policy,
        MINIO_TYPES.user,
        MINIO_TYPES.attachment,
        MINIO_TYPES.serviceAccount,
        MINIO_TYPES.component,
      ].sort(),
    );
  });

  it("builds the provider from the endpoint, with TLS, and the admin key as secrets", () => {
    const provider = only(registered, MINIO_TYPES.provider, "team-minio-minio");
    expect(provider.inputs).toEqual({
      minioServer: "minio.example.com:9000",
      // The SDK sends provider settings JSON-encoded.
      minioSsl: "true",
      minioInsecure: "false",
      minioRegion: "us-east-1",
      minioUser: secretInput(ADMIN.accessKeyId),
      minioPassword: secretInput(ADMIN.secretAccessKey),
    });
  });

  it("keeps the admin key secret in the component's own recorded inputs", () => {
    const component = only(registered, MINIO_TYPES.component, "team-minio");
    expect(component.inputs.adminCredentials).toEqual(secretInput(ADMIN));
    expect(JSON.stringify(component.inputs).split(ADMIN.secretAccessKey)).toHaveLength(2);
  });

  it("gives the MinIO resources the explicit provider", () => {
    for (const child of [store.bucket!, store.policy, store.user, store.serviceAccount]) {
      expect(child.getProvider("minio::any")).toBe(store.provider);
    }
  });

  it("creates a private bucket from a valid prefix, protected from deletion", () => {
    const b = only(registered, MINIO_TYPES.bucket, "team-minio-bucket");
    expect(b.inputs).toEqual({
      bucketPrefix: "zenml-team-minio-",
      acl: "private",
      forceDestroy: false,
    });
  });

  it("adds no versioning, lifecycle or encryption resource unless asked", () => {
    for (const type of [MINIO_TYPES.versioning, MINIO_TYPES.ilm, MINIO_TYPES.sse]) {
      expect(childrenOf("team-minio").filter((r) => r.type === type)).toEqual([]);
    }
  });

  it("writes the AWS store's exact policy, on this bucket only", () => {
    const policy = only(registered, MINIO_TYPES.policy, "team-minio-policy");
    expect(policy.inputs.name).toMatch(/^zenml-team-minio-[0-9a-f]{8}$/);
    expect(JSON.parse(policy.inputs.policy)).toEqual(expectedPolicy(bucket));
    expect(policy.inputs.policy).not.toContain('"*"');
    expect(policy.inputs.policy).not.toContain(":::*");
    expect(policy.inputs.policy).not.toMatch(/"s3:\*"|"Resource":"arn:aws:s3:::\*/);
  });

  it("names the user like the policy, tags it, and attaches exactly that policy", () => {
    const policy = only(registered, MINIO_TYPES.policy, "team-minio-policy");
    const user = only(registered, MINIO_TYPES.user, "team-minio-user");
    expect(user.inputs).toEqual({
      name: policy.inputs.name,
      tags: { team: "ml", "zenml-remote-storage:store": "team-minio" },
    });
    const attachment = only(registered, MINIO_TYPES.attachment, "team-minio-user-access");
    expect(attachment.inputs).toEqual({
      userName: user.inputs.name,
      policyName: policy.inputs.name,
    });
  });

  it("mints ZenML's key as a service account restricted by the same policy", () => {
    const sa = only(registered, MINIO_TYPES.serviceAccount, "team-minio-key");
    const user = only(registered, MINIO_TYPES.user, "team-minio-user");
    expect(Object.keys(sa.inputs).sort()).toEqual(["policy", "targetUser"]);
    expect(sa.inputs.targetUser).toBe(user.inputs.name);
    expect(JSON.parse(sa.inputs.policy)).toEqual(expectedPolicy(bucket));
  });

  it("exposes ZenML's s3 flavor with the endpoint, authenticated through a ZenML secret", async () => {
    expect(store.backend).toBe("s3-compatible");
    expect(store.flavor).toBe("s3");
    expect(store.auth).toEqual({ kind: "secret", name: `${store.storeName}-s3-key` });
    expect(await unwrap(store.path)).toBe(`s3://${bucket}`);
    expect(await unwrap(store.artifactStoreConfiguration)).toEqual({
      path: `s3://${bucket}`,
      client_kwargs: { endpoint_url: "https://minio.example.com:9000", region_name: "us-east-1" },
    });
  });

  it("hands ZenML the service account's key, as a secret, never the admin's", async () => {
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(await pulumi.isSecret(store.artifactStoreConfiguration)).toBe(false);
    expect(await unwrap(store.credentials)).toEqual({
      aws_access_key_id: FAKE_MINIO_SERVICE_ACCOUNT_KEY_ID,
      aws_secret_access_key: FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
    });
    const plain = JSON.stringify([await unwrap(store.artifactStoreConfiguration), store.auth]);
    expect(plain).not.toContain(ADMIN.secretAccessKey);
    expect(plain).not.toContain(FAKE_MINIO_SERVICE_ACCOUNT_SECRET);
  });

  it("logs no plain-http warning for an https endpoint", () => {
    expect(warnings["team-minio"]).toEqual([]);
  });
});

describe("MinioArtifactStore with versioning, SSE-KMS, path style, forceDestroy and a named bucket", () => {
  let store: InstanceType<typeof mod.MinioArtifactStore>;
  beforeAll(async () => {
    store = new mod.MinioArtifactStore("kms-minio", {
      endpoint: "https://minio.internal",
      region: "eu-central-1",
      pathStyle: true,
      adminCredentials: pulumi.secret(ADMIN),
      bucketName: "team-artifacts",
      versioning: true,
      noncurrentVersionExpirationDays: 14,
      kmsKeyId: "zenml-artifacts",
      forceDestroy: true,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("names the bucket and sets forceDestroy only because it was asked", () => {
    expect(only(registered, MINIO_TYPES.bucket, "kms-minio-bucket").inputs).toEqual({
      bucket: "team-artifacts",
      acl: "private",
      forceDestroy: true,
    });
  });

  it("uses the default https port when none is given", () => {
    const provider = only(registered, MINIO_TYPES.provider, "kms-minio-minio");
    expect(provider.inputs.minioServer).toBe("minio.internal");
    expect(provider.inputs.minioSsl).toBe("true");
    expect(provider.inputs.minioRegion).toBe("eu-central-1");
  });

  it("encrypts with the configured MinIO KMS key", () => {
    expect(only(registered, MINIO_TYPES.sse, "kms-minio-encryption").inputs).toEqual({
      bucket: "team-artifacts",
      encryptionType: "aws:kms",
      kmsKeyId: "zenml-artifacts",
    });
  });

  it("enables versioning and expires noncurrent versions", () => {
    expect(only(registered, MINIO_TYPES.versioning, "kms-minio-versioning").inputs).toEqual({
      bucket: "team-artifacts",
      versioningConfiguration: { status: "Enabled" },
    });
    expect(only(registered, MINIO_TYPES.ilm, "kms-minio-lifecycle").inputs).toEqual({
      bucket: "team-artifacts",
      rules: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          noncurrentVersionExpirationDays: 14,
        },
      ],
    });
  });

  it("scopes the policy to the named bucket", () => {
    const policy = only(registered, MINIO_TYPES.policy, "kms-minio-policy");
    expect(JSON.parse(policy.inputs.policy)).toEqual(expectedPolicy("team-artifacts"));
  });

  it("asks ZenML for path-style requests", async () => {
    expect(await unwrap(store.artifactStoreConfiguration)).toEqual({
      path: "s3://team-artifacts",
      client_kwargs: { endpoint_url: "https://minio.internal", region_name: "eu-central-1" },
      config_kwargs: { s3: { addressing_style: "path" } },
    });
  });
});

describe("MinioArtifactStore adopting an existing bucket over plain http", () => {
  let store: InstanceType<typeof mod.MinioArtifactStore>;
  beforeAll(async () => {
    store = new mod.MinioArtifactStore("adopted-minio", {
      endpoint: "http://127.0.0.1:9000",
      allowHttp: true,
      region: "us-east-1",
      adminCredentials: pulumi.secret(ADMIN),
      bucketName: "existing-bucket",
      adoptExistingBucket: true,
    });
    warnings["adopted-minio"] = warningsFor("adopted-minio");
    await unwrap(store.credentials);
    await settle();
  });

  it("creates no bucket resource and changes none", () => {
    expect(
      childrenOf("adopted-minio").filter(
        (r) => r.type.startsWith("minio:index/s3Bucket") || r.type === MINIO_TYPES.ilm,
      ),
    ).toEqual([]);
    expect(store.bucket).toBeUndefined();
  });

  it("still creates the policy, user, attachment and service account, scoped to that bucket", () => {
    expect(typesOf("adopted-minio")).toEqual(
      [
        MINIO_TYPES.provider,
        MINIO_TYPES.policy,
        MINIO_TYPES.user,
        MINIO_TYPES.attachment,
        MINIO_TYPES.serviceAccount,
        MINIO_TYPES.component,
      ].sort(),
    );
    const policy = only(registered, MINIO_TYPES.policy, "adopted-minio-policy");
    expect(JSON.parse(policy.inputs.policy)).toEqual(expectedPolicy("existing-bucket"));
  });

  it("talks to the server without TLS and warns once, in one line", async () => {
    const provider = only(registered, MINIO_TYPES.provider, "adopted-minio-minio");
    expect(provider.inputs.minioServer).toBe("127.0.0.1:9000");
    expect(provider.inputs.minioSsl).toBe("false");
    expect(warnings["adopted-minio"]).toEqual([
      "store adopted-minio: endpoint http://127.0.0.1:9000 is plain http (allowHttp: true); S3 keys and artifacts travel unencrypted",
    ]);
    expect(await unwrap(store.path)).toBe("s3://existing-bucket");
  });
});

describe("MinioArtifactStore refuses unsafe or incomplete input", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "adoption without a bucket name",
      { adoptExistingBucket: true },
      /adopted bucket needs its name/,
    ],
    ["plain http without allowHttp", { endpoint: "http://minio:9000" }, /plain http/],
    ["an endpoint with a path", { endpoint: "https://minio:9000/bucket" }, /root URL/],
    ["credentials in the endpoint", { endpoint: "https://a:b@minio:9000" }, /credentials/],
  ])("%s", (_, over, message) => {
    expect(
      () =>
        new mod.MinioArtifactStore(`bad-${Math.random().toString(36).slice(2, 8)}`, {
          endpoint: "https://minio:9000",
          region: "us-east-1",
          adminCredentials: pulumi.secret(ADMIN),
          ...over,
        }),
    ).toThrow(message);
  });
});
