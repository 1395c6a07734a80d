import { ConfigError } from "../errors";
import { isObject, optionalBoolean, optionalString, type Obj } from "../fields";
import { iamUserName, s3CompatibleBucketNameRule } from "../names";
import type { ConfigContext, StoreBaseWith } from "../base";
import { REGION_FLAG, type BackendDescriptor, type CredentialKind } from "./descriptor";

/** The identity modes: a MinIO user this project creates, or keys the user gives. */
const S3_COMPATIBLE_CREDENTIALS = {
  minio: "minted-key",
  "existing-credentials": "secret",
} as const satisfies Record<string, CredentialKind>;
export type S3CompatibleCredentialMode = keyof typeof S3_COMPATIBLE_CREDENTIALS;

export interface S3CompatibleStoreConfig extends StoreBaseWith<S3CompatibleCredentialMode> {
  readonly backend: "s3-compatible";
  /** The server's S3 API endpoint, normalised to `<scheme>://<host>[:<port>]`. */
  readonly endpoint: string;
  /** The region the server expects in request signatures. */
  readonly region: string;
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`) instead of virtual-hosted style. */
  readonly pathStyle: boolean;
  /** Whether a plain-http endpoint was explicitly allowed. */
  readonly allowHttp: boolean;
  /** minio mode: a MinIO KMS (KES) key name for SSE-KMS on the bucket; none means server default. */
  readonly kmsKeyId?: string;
}

/** Store keys only the s3-compatible backend has. */
export const S3_COMPATIBLE_STORE_KEYS = [
  "endpoint",
  "region",
  "pathStyle",
  "allowHttp",
  "kmsKeyId",
] as const;

/** The secret config key holding each s3-compatible store's keys, by store name. */

export const DEFAULT_S3_COMPATIBLE_REGION = "us-east-1";

// Regions of S3-compatible servers are free-form (MinIO: anything; R2: "auto"; B2: "us-west-004").
const REGION = /^[a-z0-9][a-z0-9_-]{0,62}$/;
// MinIO KMS (KES) key names.
const KMS_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** Bucket options that only make sense for a bucket this project creates. */
const CREATION_ONLY_BUCKET_KEYS = [
  "forceDestroy",
  "versioning",
  "noncurrentVersionExpirationDays",
  "abortIncompleteUploadDays",
  "encryptionKey",
];

/**
 * Validates an S3 endpoint URL and returns it as `<scheme>://<host>[:<port>]`.
 * Returns the rule broken as a string instead when the URL is not acceptable.
 */
export function normaliseEndpoint(
  endpoint: string,
  allowHttp: boolean,
): { endpoint: string } | { rule: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { rule: `"${endpoint}" is not a URL` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { rule: "must be an https:// (or, with allowHttp, http://) URL" };
  }
  if (url.username || url.password) {
    return {
      rule: `must not hold credentials; put the keys in the secret config key storeSecrets.<store>`,
    };
  }
  if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(endpoint)) {
    return {
      rule: "must be the server's root URL, without a path, query or fragment (the bucket is set under bucket.name)",
    };
  }
  if (url.protocol === "http:" && !allowHttp) {
    return {
      rule: "is plain http; use https, or set allowHttp: true to send keys and data unencrypted",
    };
  }
  return { endpoint: `${url.protocol}//${url.host}` };
}

export function parseS3CompatibleStore(
  obj: Obj,
  key: string,
  base: StoreBaseWith<S3CompatibleCredentialMode>,
  _context: ConfigContext,
): S3CompatibleStoreConfig {
  const allowHttp = optionalBoolean(obj, "allowHttp", key) ?? false;
  const rawEndpoint = optionalString(obj, "endpoint", key);
  if (rawEndpoint === undefined) {
    throw new ConfigError(
      `${key}.endpoint`,
      "is required: the S3 API URL of the server, e.g. https://minio.example.com:9000",
    );
  }
  const checked = normaliseEndpoint(rawEndpoint, allowHttp);
  if ("rule" in checked) throw new ConfigError(`${key}.endpoint`, checked.rule);

  const region = optionalString(obj, "region", key) ?? DEFAULT_S3_COMPATIBLE_REGION;
  if (!REGION.test(region)) {
    throw new ConfigError(
      `${key}.region`,
      `"${region}" must be 1-63 lower-case letters, digits, hyphens or underscores (e.g. us-east-1)`,
    );
  }
  const pathStyle = optionalBoolean(obj, "pathStyle", key) ?? false;

  const kmsKeyId = optionalString(obj, "kmsKeyId", key);
  if (kmsKeyId !== undefined) {
    if (base.credentials !== "minio") {
      throw new ConfigError(
        `${key}.kmsKeyId`,
        "only applies in minio mode; with existing-credentials configure encryption on the server",
      );
    }
    if (base.bucket.adopt) {
      throw new ConfigError(
        `${key}.kmsKeyId`,
        "only applies to a bucket this project creates; remove it or set bucket.adopt to false",
      );
    }
    if (!KMS_KEY_NAME.test(kmsKeyId)) {
      throw new ConfigError(
        `${key}.kmsKeyId`,
        "must be a MinIO KMS key name: 1-80 letters, digits, dots, hyphens or underscores",
      );
    }
  }

  const rawBucket: Obj = isObject(obj.bucket) ? obj.bucket : {};
  if (base.credentials === "existing-credentials") {
    if (base.bucket.name === undefined) {
      throw new ConfigError(
        `${key}.bucket.name`,
        "is required with existing-credentials: the bucket your keys give access to",
      );
    }
    if (rawBucket.adopt === false) {
      throw new ConfigError(
        `${key}.bucket.adopt`,
        "existing-credentials always uses an existing bucket; remove adopt",
      );
    }
    const conflict = CREATION_ONLY_BUCKET_KEYS.find((k) => rawBucket[k] !== undefined);
    if (conflict) {
      throw new ConfigError(
        `${key}.bucket.${conflict}`,
        "only applies to a bucket this project creates; existing-credentials creates nothing",
      );
    }
  } else if (rawBucket.abortIncompleteUploadDays !== undefined) {
    throw new ConfigError(
      `${key}.bucket.abortIncompleteUploadDays`,
      "is not configurable on MinIO; MinIO removes stale multipart uploads itself (api stale_uploads_expiry, 24h by default)",
    );
  }

  return {
    ...base,
    bucket:
      base.credentials === "existing-credentials" ? { ...base.bucket, adopt: true } : base.bucket,
    backend: "s3-compatible",
    endpoint: checked.endpoint,
    region,
    pathStyle,
    allowHttp,
    kmsKeyId,
  };
}

/** One S3 key pair as it appears in the secret config. */
export interface S3KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const S3_COMPATIBLE_BACKEND = {
  backend: "s3-compatible",
  credentials: S3_COMPATIBLE_CREDENTIALS,
  defaultCredentials: "minio",
  storeKeys: S3_COMPATIBLE_STORE_KEYS,
  parse: parseS3CompatibleStore,
  names: { bucket: s3CompatibleBucketNameRule, identity: iamUserName },
  tagRule: (k, v) =>
    k.length < 1 || k.length > 128 || v.length > 256
      ? "tag keys must be 1-128 characters and values at most 256"
      : undefined,
  zenml: { flavor: "s3", pathSchemes: ["s3://"] },
  verifier: "s3",
  storeFlags: [REGION_FLAG],
} as const satisfies BackendDescriptor<
  "s3-compatible",
  S3CompatibleCredentialMode,
  S3CompatibleStoreConfig
>;
