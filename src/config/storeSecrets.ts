/**
 * The one way to give a store a secret the user brings: the secret config key
 * `storeSecrets`, keyed by store name (S3-compatible keys, the GCP
 * impersonator's key, and any later one). Only the shape is checked here; the
 * values are read as Pulumi secrets by `storeSecret` (src/config/load.ts).
 * Error messages name keys, never values.
 */
import { parseIamMember, parseServiceAccountKey } from "./backends/gcp";
import { ConfigError } from "./errors";
import { isObject } from "./fields";
import type { StoreConfig } from "./types";

export const STORE_SECRETS_KEY = "storeSecrets";

/** The secret fields a store needs, by backend and identity mode (none for most). */
export function storeSecretFields(store: StoreConfig): readonly string[] {
  if (store.backend === "s3-compatible") return ["accessKeyId", "secretAccessKey"];
  if (store.backend === "gcp" && store.credentials === "impersonation") return ["impersonatorKey"];
  return [];
}

/** What each field is, for messages. */
const FIELD_MEANING: Readonly<Record<string, string>> = {
  accessKeyId: "the S3 access key id (minio mode: the MinIO admin's)",
  secretAccessKey: "the S3 secret key (minio mode: the MinIO admin's)",
  impersonatorKey: "the impersonator's service-account key (JSON or base64)",
};

/** The command that stores one field encrypted. */
export function setSecretCommand(store: string, field: string): string {
  return `pulumi config set --secret --path '${STORE_SECRETS_KEY}.${store}.${field}' <value>`;
}

/** Checks the `storeSecrets` object (decrypted) against the configured stores. */
export function checkStoreSecrets(raw: unknown, stores: readonly StoreConfig[]): void {
  const key = STORE_SECRETS_KEY;
  const needing = stores.filter((s) => storeSecretFields(s).length > 0);
  if (raw === undefined || raw === null) {
    if (needing.length === 0) return;
    const [store] = needing;
    const [field] = storeSecretFields(store);
    throw new ConfigError(
      `${key}.${store.name}.${field}`,
      `is required (${FIELD_MEANING[field]}): ${setSecretCommand(store.name, field)}`,
    );
  }
  if (!isObject(raw)) throw new ConfigError(key, "must be an object keyed by store name");
  for (const name of Object.keys(raw)) {
    const store = stores.find((s) => s.name === name);
    if (store === undefined) {
      throw new ConfigError(`${key}.${name}`, "names no configured store; remove it");
    }
    if (storeSecretFields(store).length === 0) {
      throw new ConfigError(
        `${key}.${name}`,
        `store ${name} (${store.backend}, ${store.credentials}) takes no secret; remove it`,
      );
    }
  }
  for (const store of needing) {
    const where = `${key}.${store.name}`;
    const entry = raw[store.name];
    const fields = storeSecretFields(store);
    if (!isObject(entry)) {
      throw new ConfigError(
        `${where}.${fields[0]}`,
        `is required (${FIELD_MEANING[fields[0]]}): ${setSecretCommand(store.name, fields[0])}`,
      );
    }
    const extra = Object.keys(entry).find((f) => !fields.includes(f));
    if (extra !== undefined) {
      throw new ConfigError(`${where}.${extra}`, `unknown key; allowed: ${fields.join(", ")}`);
    }
    for (const field of fields) {
      const value = entry[field];
      if (typeof value !== "string" || value.length === 0) {
        throw new ConfigError(
          `${where}.${field}`,
          `is required (${FIELD_MEANING[field]}): ${setSecretCommand(store.name, field)}`,
        );
      }
    }
    if (store.backend === "gcp")
      checkImpersonatorKey(entry.impersonatorKey as string, store, where);
  }
}

/** The impersonator's key must be a service-account key of the impersonator itself. */
function checkImpersonatorKey(
  raw: string,
  store: Extract<StoreConfig, { backend: "gcp" }>,
  where: string,
): void {
  const parsed = parseServiceAccountKey(raw);
  if (typeof parsed === "string") throw new ConfigError(`${where}.impersonatorKey`, parsed);
  const member = store.impersonator !== undefined ? parseIamMember(store.impersonator) : undefined;
  if (
    member !== undefined &&
    typeof member !== "string" &&
    member.kind === "serviceAccount" &&
    parsed.clientEmail !== member.value
  ) {
    throw new ConfigError(
      `${where}.impersonatorKey`,
      `is a key of ${parsed.clientEmail}, not of the impersonator ${member.value}`,
    );
  }
}

/** The rule for a secret config key found in plain text in a stack file (refused by the program and the CLI). */
export function plainTextSecretRule(key: string): string {
  const target = key === STORE_SECRETS_KEY ? `--path '${key}.<store>.<field>'` : key;
  return `holds plain text; remove it from the stack file and store it encrypted: pulumi config set --secret ${target} <value>`;
}

/** The impersonator's key as JSON (it may be given base64-encoded); checked by checkStoreSecrets. */
export function impersonatorKeyJson(raw: string): string {
  const parsed = parseServiceAccountKey(raw);
  if (typeof parsed === "string") throw new ConfigError("impersonatorKey", parsed);
  return parsed.json;
}

/** The secret config key a version before `storeSecrets` used, and where its values go now. */
export const MOVED_SECRET_KEYS: Readonly<Record<string, string>> = {
  s3CompatibleCredentials: `moved: each store's keys go in ${STORE_SECRETS_KEY}.<store>.accessKeyId and .secretAccessKey (${setSecretCommand("<store>", "accessKeyId")})`,
};
