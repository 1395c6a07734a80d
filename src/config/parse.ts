import { ConfigError } from "./errors";
import { BUCKET_NAME_RULES, STORE_NAME_PATTERN } from "./names";
import {
  BACKENDS,
  CREDENTIAL_MODES,
  type Backend,
  type BucketOptions,
  type DeploymentConfig,
  type StoreConfig,
  type ZenmlConfig,
} from "./types";

/** Raw values as Pulumi config returns them (`config.getObject`), before validation. */
export interface RawDeployment {
  readonly stores: unknown;
  readonly zenml?: unknown;
}

/** Values from other namespaces that fill defaults (e.g. `aws:region`). */
export interface ConfigContext {
  readonly awsRegion?: string;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, key: string, allowed: readonly string[]): Obj {
  if (!isObject(value)) throw new ConfigError(key, "must be an object");
  const unknown = Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw new ConfigError(`${key}.${unknown}`, `unknown key; allowed: ${allowed.join(", ")}`);
  }
  return value;
}

function optionalString(obj: Obj, field: string, key: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError(`${key}.${field}`, "must be a non-empty string");
  }
  return value;
}

function optionalBoolean(obj: Obj, field: string, key: string): boolean | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ConfigError(`${key}.${field}`, "must be true or false");
  return value;
}

function optionalDays(obj: Obj, field: string, key: string): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 3650) {
    throw new ConfigError(`${key}.${field}`, "must be a whole number of days from 1 to 3650");
  }
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  key: string,
  choices: readonly T[],
  what: string,
): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
    throw new ConfigError(key, `unknown ${what} ${shown}; expected one of: ${choices.join(", ")}`);
  }
  return value as T;
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

function parseBucket(raw: unknown, key: string, backend: Backend): BucketOptions {
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

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const STORE_KEYS: Record<Backend, readonly string[]> = {
  aws: ["region"],
  gcp: [],
  azure: [],
  "s3-compatible": [],
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
  const obj = object(raw, key, [...COMMON_STORE_KEYS, ...STORE_KEYS[backend]]);
  const name = optionalString(obj, "name", key);
  if (name === undefined) throw new ConfigError(`${key}.name`, "is required");
  if (!STORE_NAME_PATTERN.test(name)) {
    throw new ConfigError(
      `${key}.name`,
      `"${name}" must be 3-40 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
  const stackName = optionalString(obj, "stackName", key) ?? defaultStackName ?? name;
  const base = {
    name,
    stackName,
    bucket: parseBucket(obj.bucket, `${key}.bucket`, backend),
    tags: parseTags(obj.tags, `${key}.tags`, backend),
  };
  const credentialsKey = `${key}.credentials`;
  switch (backend) {
    case "aws": {
      const region = optionalString(obj, "region", key) ?? context.awsRegion;
      if (region === undefined) {
        throw new ConfigError(`${key}.region`, "is required when aws:region is not set");
      }
      if (!AWS_REGION.test(region)) {
        throw new ConfigError(
          `${key}.region`,
          `"${region}" is not an AWS region name (e.g. eu-west-1)`,
        );
      }
      const credentials = oneOf(
        obj.credentials ?? "access-key",
        credentialsKey,
        CREDENTIAL_MODES.aws,
        "credential mode for backend aws",
      );
      return { ...base, backend, credentials, region };
    }
    case "gcp":
      return {
        ...base,
        backend,
        credentials: oneOf(
          obj.credentials ?? "service-account-key",
          credentialsKey,
          CREDENTIAL_MODES.gcp,
          "credential mode for backend gcp",
        ),
      };
    case "azure":
      return {
        ...base,
        backend,
        credentials: oneOf(
          obj.credentials ?? "service-principal",
          credentialsKey,
          CREDENTIAL_MODES.azure,
          "credential mode for backend azure",
        ),
      };
    case "s3-compatible":
      return {
        ...base,
        backend,
        credentials: oneOf(
          obj.credentials ?? "minio",
          credentialsKey,
          CREDENTIAL_MODES["s3-compatible"],
          "credential mode for backend s3-compatible",
        ),
      };
  }
}

function parseZenml(raw: unknown): { zenml: ZenmlConfig; stackName?: string } {
  if (raw === undefined || raw === null) return { zenml: {} };
  const obj = object(raw, "zenml", ["serverUrl", "stackName"]);
  const serverUrl = optionalString(obj, "serverUrl", "zenml");
  if (serverUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new ConfigError("zenml.serverUrl", `"${serverUrl}" is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new ConfigError("zenml.serverUrl", "must be an http:// or https:// URL");
    }
    if (url.username || url.password) {
      throw new ConfigError(
        "zenml.serverUrl",
        "must not hold credentials; set the API key with `pulumi config set --secret zenmlApiKey`",
      );
    }
  }
  return {
    zenml: { serverUrl: serverUrl?.replace(/\/+$/, "") },
    stackName: optionalString(obj, "stackName", "zenml"),
  };
}

/** Validates a deployment's raw config; throws `ConfigError` naming the key and the rule. */
export function parseDeployment(raw: RawDeployment, context: ConfigContext = {}): DeploymentConfig {
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
