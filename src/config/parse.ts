import { parseAwsStore, AWS_STORE_KEYS } from "./backends/aws";
import { parseAzureStore, AZURE_STORE_KEYS } from "./backends/azure";
import { parseGcpStore, GCP_STORE_KEYS } from "./backends/gcp";
import { parseS3CompatibleStore, S3_COMPATIBLE_STORE_KEYS } from "./backends/s3Compatible";
import { ConfigError } from "./errors";
import {
  httpUrlRule,
  isObject,
  object,
  oneOf,
  optionalBoolean,
  optionalDays,
  optionalString,
} from "./fields";
import { BUCKET_NAME_RULES, STORE_NAME_PATTERN } from "./names";
import { parseRotation, ROTATION_STORE_KEYS } from "./rotation";
import {
  BACKENDS,
  CREDENTIAL_MODES,
  type Backend,
  type BucketOptions,
  type ConfigContext,
  type CredentialMode,
  type DeploymentConfig,
  type StoreBase,
  type StoreConfig,
  type ZenmlConfig,
} from "./types";

/** Raw values as Pulumi config returns them (`config.getObject`), before validation. */
export interface RawDeployment {
  readonly stores: unknown;
  readonly zenml?: unknown;
}

// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const CUSTOMER_KEY_RULES: Record<Backend, { pattern: RegExp; rule: string } | undefined> = {
  aws: {
    pattern: KMS_KEY_ARN,
    rule: "must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); IAM cannot grant use of a key through an alias",
  },
  gcp: {
    pattern: /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
    rule: "must be a Cloud KMS key name (projects/…/locations/…/keyRings/…/cryptoKeys/…)",
  },
  azure: {
    pattern: /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/keys\/[A-Za-z0-9-]+(\/[a-f0-9]{32})?$/,
    rule: "must be a Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>[/<version>])",
  },
  "s3-compatible": undefined,
};

const BUCKET_KEYS = [
  "name",
  "adopt",
  "forceDestroy",
  "versioning",
  "noncurrentVersionExpirationDays",
  "abortIncompleteUploadDays",
  "encryptionKey",
];
/** Options that only make sense for a bucket this project creates. */
const CREATION_ONLY_BUCKET_KEYS = BUCKET_KEYS.filter((k) => k !== "name" && k !== "adopt");

export function parseBucket(raw: unknown, key: string, backend: Backend): BucketOptions {
  const obj = raw === undefined || raw === null ? {} : object(raw, key, BUCKET_KEYS);
  const name = optionalString(obj, "name", key);
  if (name !== undefined) {
    const broken = BUCKET_NAME_RULES[backend](name);
    if (broken) throw new ConfigError(`${key}.name`, `"${name}" ${broken}`);
  }
  const adopt = optionalBoolean(obj, "adopt", key) ?? false;
  if (adopt) {
    if (name === undefined) {
      throw new ConfigError(`${key}.name`, "is required when adopt is true");
    }
    const conflict = CREATION_ONLY_BUCKET_KEYS.find((k) => obj[k] !== undefined);
    if (conflict) {
      throw new ConfigError(
        `${key}.${conflict}`,
        "only applies to a bucket this project creates; remove it or set adopt to false",
      );
    }
  }
  const versioning = optionalBoolean(obj, "versioning", key) ?? false;
  const noncurrentDays = optionalDays(obj, "noncurrentVersionExpirationDays", key);
  if (noncurrentDays !== undefined && !versioning) {
    throw new ConfigError(
      `${key}.noncurrentVersionExpirationDays`,
      "only applies when versioning is true",
    );
  }
  const encryptionKey = optionalString(obj, "encryptionKey", key);
  if (encryptionKey !== undefined) {
    const keyRule = CUSTOMER_KEY_RULES[backend];
    if (keyRule === undefined) {
      throw new ConfigError(
        `${key}.encryptionKey`,
        `is not supported for backend ${backend}; configure encryption on the server`,
      );
    }
    if (!keyRule.pattern.test(encryptionKey)) {
      throw new ConfigError(`${key}.encryptionKey`, keyRule.rule);
    }
  }
  return {
    name,
    adopt,
    forceDestroy: optionalBoolean(obj, "forceDestroy", key) ?? false,
    versioning,
    noncurrentVersionExpirationDays: noncurrentDays ?? 30,
    abortIncompleteUploadDays: optionalDays(obj, "abortIncompleteUploadDays", key) ?? 7,
    encryptionKey,
  };
}

// AWS tag limits; GCP label rules; Azure tag limits.
const TAG_RULES: Record<Backend, (k: string, v: string) => string | undefined> = {
  aws: (k, v) =>
    k.length < 1 || k.length > 128 || v.length > 256
      ? "AWS tag keys must be 1-128 characters and values at most 256"
      : k.toLowerCase().startsWith("aws:")
        ? 'AWS tag keys must not start with "aws:"'
        : undefined,
  gcp: (k, v) =>
    !/^[a-z][a-z0-9_-]{0,62}$/.test(k) || !/^[a-z0-9_-]{0,63}$/.test(v)
      ? "GCP labels need lower-case keys starting with a letter and values of lower-case letters, digits, _ or -, at most 63 characters each"
      : undefined,
  azure: (k, v) =>
    k.length < 1 || k.length > 512 || /[<>%&\\?/]/.test(k) || v.length > 256
      ? "Azure tag names must be 1-512 characters without < > % & \\ ? / and values at most 256"
      : undefined,
  "s3-compatible": (k, v) =>
    k.length < 1 || k.length > 128 || v.length > 256
      ? "tag keys must be 1-128 characters and values at most 256"
      : undefined,
};

function parseTags(raw: unknown, key: string, backend: Backend): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new ConfigError(key, "must be an object of string keys and values");
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") throw new ConfigError(`${key}.${k}`, "must be a string");
    const broken = TAG_RULES[backend](k, v);
    if (broken) throw new ConfigError(`${key}.${k}`, broken);
    tags[k] = v;
  }
  return tags;
}

const STORE_KEYS: Record<Backend, readonly string[]> = {
  aws: AWS_STORE_KEYS,
  gcp: GCP_STORE_KEYS,
  azure: AZURE_STORE_KEYS,
  "s3-compatible": S3_COMPATIBLE_STORE_KEYS,
};
const COMMON_STORE_KEYS = ["name", "backend", "credentials", "stackName", "bucket", "tags"];

function parseStore(
  raw: unknown,
  key: string,
  defaultStackName: string | undefined,
  context: ConfigContext,
): StoreConfig {
  if (!isObject(raw)) throw new ConfigError(key, "must be an object");
  const backend = oneOf(raw.backend, `${key}.backend`, BACKENDS, "backend");
  const obj = object(raw, key, [
    ...COMMON_STORE_KEYS,
    ...STORE_KEYS[backend],
    ...ROTATION_STORE_KEYS,
  ]);
  const name = optionalString(obj, "name", key);
  if (name === undefined) throw new ConfigError(`${key}.name`, "is required");
  if (!STORE_NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `${key}.name`,
      `"${name}" must be 3-40 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
  const base = {
    name,
    stackName: optionalString(obj, "stackName", key) ?? defaultStackName ?? name,
    bucket: parseBucket(obj.bucket, `${key}.bucket`, backend),
    tags: parseTags(obj.tags, `${key}.tags`, backend),
  };
  const store = parseBackendStore(obj, key, backend, base, context);
  const rotation = parseRotation(obj, key, store.backend, store.credentials);
  return rotation !== undefined ? { ...store, rotation } : store;
}

function parseBackendStore(
  obj: Record<string, unknown>,
  key: string,
  backend: Backend,
  base: Omit<StoreBase, "rotation">,
  context: ConfigContext,
): StoreConfig {
  const credentials = <B extends Backend>(b: B, fallback: CredentialMode<B>): CredentialMode<B> =>
    oneOf(
      obj.credentials ?? fallback,
      `${key}.credentials`,
      CREDENTIAL_MODES[b] as readonly CredentialMode<B>[],
      `credential mode for backend ${b}`,
    );
  switch (backend) {
    case "aws":
      return parseAwsStore(
        obj,
        key,
        { ...base, credentials: credentials(backend, "access-key") },
        context,
      );
    case "gcp":
      return parseGcpStore(
        obj,
        key,
        { ...base, credentials: credentials(backend, "service-account-key") },
        context,
      );
    case "azure":
      return parseAzureStore(
        obj,
        key,
        { ...base, credentials: credentials(backend, "service-principal") },
        context,
      );
    case "s3-compatible":
      return parseS3CompatibleStore(
        obj,
        key,
        { ...base, credentials: credentials(backend, "minio") },
        context,
      );
  }
}

function parseZenml(raw: unknown): { zenml: ZenmlConfig; stackName?: string } {
  if (raw === undefined || raw === null) return { zenml: { adoptExisting: false } };
  const obj = object(raw, "zenml", ["serverUrl", "stackName", "adoptExisting"]);
  const serverUrl = optionalString(obj, "serverUrl", "zenml");
  const rule =
    serverUrl !== undefined
      ? httpUrlRule(serverUrl, "; set the API key with `pulumi config set --secret zenmlApiKey`")
      : undefined;
  if (rule !== undefined) throw new ConfigError("zenml.serverUrl", rule);
  return {
    zenml: {
      serverUrl: serverUrl?.replace(/\/+$/, ""),
      adoptExisting: optionalBoolean(obj, "adoptExisting", "zenml") ?? false,
    },
    stackName: optionalString(obj, "stackName", "zenml"),
  };
}

/** Validates a deployment's raw config; throws `ConfigError` naming the key and the rule. */
export function parseDeployment(
  raw: RawDeployment,
  context: ConfigContext = { providerConfig: {} },
): DeploymentConfig {
  const { zenml, stackName } = parseZenml(raw.zenml);
  if (!Array.isArray(raw.stores) || raw.stores.length === 0) {
    throw new ConfigError("stores", "must be a list with at least one store");
  }
  if (stackName !== undefined && raw.stores.length > 1) {
    throw new ConfigError(
      "zenml.stackName",
      "applies to a single store; with several stores set stackName on each store",
    );
  }
  const stores = raw.stores.map((s, i) => parseStore(s, `stores[${i}]`, stackName, context));
  const seen = new Map<string, number>();
  const seenStacks = new Map<string, number>();
  stores.forEach((store, i) => {
    const first = seen.get(store.name);
    if (first !== undefined) {
      throw new ConfigError(
        `stores[${i}].name`,
        `"${store.name}" is already used by stores[${first}]`,
      );
    }
    seen.set(store.name, i);
    const firstStack = seenStacks.get(store.stackName);
    if (firstStack !== undefined) {
      throw new ConfigError(
        `stores[${i}].stackName`,
        `"${store.stackName}" is already used by stores[${firstStack}]`,
      );
    }
    seenStacks.set(store.stackName, i);
  });
  const buckets = new Map<string, number>();
  stores.forEach((store, i) => {
    if (store.bucket.name === undefined) return;
    const id = `${store.backend}/${store.bucket.name}`;
    const first = buckets.get(id);
    if (first !== undefined) {
      throw new ConfigError(
        `stores[${i}].bucket.name`,
        `"${store.bucket.name}" is already used by stores[${first}]`,
      );
    }
    buckets.set(id, i);
  });
  return { stores, zenml };
}
