import { credentialModes, descriptorOf } from "./backends";
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
import { STORE_NAME_PATTERN } from "./names";
import { parseRotation, ROTATION_STORE_KEYS } from "./rotation";
import {
  BACKENDS,
  type Backend,
  type BucketOptions,
  type ConfigContext,
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
    const broken = descriptorOf(backend).names.bucket(name);
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
    const keyRule = descriptorOf(backend).customerKey;
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

function parseTags(raw: unknown, key: string, backend: Backend): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new ConfigError(key, "must be an object of string keys and values");
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") throw new ConfigError(`${key}.${k}`, "must be a string");
    const broken = descriptorOf(backend).tagRule(k, v);
    if (broken) throw new ConfigError(`${key}.${k}`, broken);
    tags[k] = v;
  }
  return tags;
}

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
    ...descriptorOf(backend).storeKeys,
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

/** The backend's own keys, by its descriptor, once the credential mode is checked. */
function parseBackendStore(
  obj: Record<string, unknown>,
  key: string,
  backend: Backend,
  base: Omit<StoreBase, "rotation">,
  context: ConfigContext,
): StoreConfig {
  const descriptor = descriptorOf(backend);
  const credentials = oneOf(
    obj.credentials ?? descriptor.defaultCredentials,
    `${key}.credentials`,
    credentialModes(backend),
    `credential mode for backend ${backend}`,
  );
  return descriptor.parse(obj, key, { ...base, credentials }, context);
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
