import type { S3Client } from "@aws-sdk/client-s3";
import { parseS3Uri, s3Settings } from "../s3";
import type { StoreUnderTest, VerifierOptions } from "../types";
import {
  auditS3,
  auditS3Compatible,
  policyStatements,
  type LifecycleRule,
  type Read,
  type S3Settings,
} from "./compare";
import type { BaselineAuditor } from "./types";

/** Where a store's bucket is, from the recorded store (its only reads of StoreUnderTest). */
function targetOf(
  store: StoreUnderTest,
  opts: VerifierOptions,
): { bucket: string; region: string; endpoint?: string } {
  const settings = s3Settings(store);
  return {
    bucket: parseS3Uri(store.path).bucket,
    region: settings.region || "us-east-1",
    endpoint: opts.endpointUrl ?? settings.endpoint,
  };
}

/** The operator's client: the AWS SDK's default credentials (environment, profile, role). */
async function operatorClient(target: ReturnType<typeof targetOf>): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
    maxAttempts: 2,
  });
}

function describe(err: unknown): string {
  const e = err as { name?: string; Code?: string; message?: string };
  const code = e.Code ?? e.name ?? "Error";
  const message = (e.message ?? String(err)).split("\n")[0];
  return message && message !== code ? `${code}: ${message}` : code;
}

/** One read; the error codes S3 uses for "this bucket has no such configuration" give null. */
async function read<T>(
  fn: () => Promise<T>,
  absentCodes: readonly string[],
): Promise<Read<T | null>> {
  try {
    return { value: await fn() };
  } catch (err) {
    const e = err as { name?: string; Code?: string };
    if (absentCodes.includes(e.Code ?? "") || absentCodes.includes(e.name ?? "")) {
      return { value: null };
    }
    return { error: describe(err) };
  }
}

/** What says whether anyone can use the bucket without a key: its policy and ACL. */
export async function readAnonymousAccess(
  s3: S3Client,
  Bucket: string,
): Promise<Pick<S3Settings, "policy" | "aclGrantees">> {
  const sdk = await import("@aws-sdk/client-s3");
  const policy = await read(
    async () =>
      policyStatements((await s3.send(new sdk.GetBucketPolicyCommand({ Bucket }))).Policy ?? "{}"),
    ["NoSuchBucketPolicy"],
  );
  const grantees = await read(
    async () =>
      ((await s3.send(new sdk.GetBucketAclCommand({ Bucket }))).Grants ?? [])
        .map((g) => g.Grantee?.URI)
        .filter((u): u is string => u !== undefined),
    [],
  );
  return { policy, aclGrantees: "value" in grantees ? { value: grantees.value ?? [] } : grantees };
}

/** The settings the baseline covers, read with the operator's credentials. */
export async function readS3Settings(s3: S3Client, Bucket: string): Promise<S3Settings> {
  const sdk = await import("@aws-sdk/client-s3");
  return {
    ...(await readAnonymousAccess(s3, Bucket)),
    publicAccessBlock: await read(
      async () =>
        (await s3.send(new sdk.GetPublicAccessBlockCommand({ Bucket })))
          .PublicAccessBlockConfiguration ?? null,
      ["NoSuchPublicAccessBlockConfiguration"],
    ),
    objectOwnership: await read(
      async () =>
        (await s3.send(new sdk.GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls
          ?.Rules?.[0]?.ObjectOwnership ?? null,
      ["OwnershipControlsNotFoundError"],
    ),
    encryption: await read(async () => {
      const rules =
        (await s3.send(new sdk.GetBucketEncryptionCommand({ Bucket })))
          .ServerSideEncryptionConfiguration?.Rules ?? [];
      const d = rules[0]?.ApplyServerSideEncryptionByDefault;
      return d?.SSEAlgorithm
        ? { algorithm: d.SSEAlgorithm, ...(d.KMSMasterKeyID ? { kmsKeyId: d.KMSMasterKeyID } : {}) }
        : null;
    }, ["ServerSideEncryptionConfigurationNotFoundError"]),
    lifecycle: await read(
      async () =>
        (
          (await s3.send(new sdk.GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules ?? []
        ).map((r): LifecycleRule => ({
          enabled: r.Status === "Enabled",
          wholeBucket:
            !r.Prefix &&
            !r.Filter?.Prefix &&
            !r.Filter?.Tag &&
            !r.Filter?.And &&
            r.Filter?.ObjectSizeGreaterThan === undefined &&
            r.Filter?.ObjectSizeLessThan === undefined,
          abortIncompleteUploadDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
          noncurrentVersionExpirationDays: r.NoncurrentVersionExpiration?.NoncurrentDays,
        })),
      ["NoSuchLifecycleConfiguration"],
    ),
    versioning: await read(
      async () => (await s3.send(new sdk.GetBucketVersioningCommand({ Bucket }))).Status ?? null,
      [],
    ),
  };
}

/** AWS S3: the live bucket against S3ArtifactStore's baseline. */
export const s3Auditor: BaselineAuditor = {
  async audit(store, expected, opts) {
    const target = targetOf(store, opts);
    const s3 = await operatorClient(target);
    try {
      return auditS3(
        store.storeName,
        target.bucket,
        await readS3Settings(s3, target.bucket),
        expected,
      );
    } finally {
      s3.destroy();
    }
  },
};

/** S3-compatible servers: no anonymous access (policy and ACL). */
export const s3CompatibleAuditor: BaselineAuditor = {
  async audit(store, _expected, opts) {
    const target = targetOf(store, opts);
    const s3 = await operatorClient(target);
    try {
      return auditS3Compatible(store.storeName, await readAnonymousAccess(s3, target.bucket));
    } finally {
      s3.destroy();
    }
  },
};
