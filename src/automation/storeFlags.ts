import { parse as parseYamlScalar } from "yaml";
import { STORE_FLAGS, type AnyStoreFlag } from "../config/backends";
import { ConfigError } from "../config/errors";
import { unknownConfigKey } from "../config/keys";
import { parseDeployment } from "../config/parse";
import { BACKENDS, type ConfigContext, type DeploymentConfig } from "../config/types";
import { UsageError } from "./errors";
import { PROJECT_NAME } from "../config/keys";

type CamelCase<S extends string> = S extends `${infer H}-${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;

type FlagValue<F extends AnyStoreFlag> = F["type"] extends "boolean"
  ? boolean
  : F extends { readonly keyValue: true }
    ? readonly string[]
    : string;

/**
 * Store options given as flags, camel-cased as yargs passes them: one field
 * per store flag of the backends' descriptors, each setting one store key.
 */
export type StoreFlags = {
  readonly [F in AnyStoreFlag as CamelCase<F["flag"]>]?: FlagValue<F>;
} & {
  /** `KEY=VALUE` for any other store key (dotted for nested keys); VALUE is read as YAML. */
  readonly storeOption?: readonly string[];
  /** The ZenML server (`zenml.serverUrl`). */
  readonly zenmlServer?: string;
};

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Store config key (relative to the store) → the flag that sets it. */
export const STORE_KEY_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(
  STORE_FLAGS.map((f) => [f.configPath, `--${f.flag}`]),
);

/** Every flag `applyStoreFlags` reads → its field in `StoreFlags`. */
const FLAG_FIELDS: readonly (readonly [string, string])[] = [
  ...STORE_FLAGS.map((f) => [`--${f.flag}`, camelCase(f.flag)] as const),
  ["--store-option", "storeOption"],
  ["--zenml-server", "zenmlServer"],
];

/** The flags among `flags` that were given, by name (e.g. `--bucket-name`). */
export function givenStoreFlags(flags: StoreFlags): string[] {
  const values: Readonly<Record<string, unknown>> = flags;
  return FLAG_FIELDS.filter(([, field]) => {
    const v = values[field];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  }).map(([flag]) => flag);
}

/** The raw deployment keys of a stack config, plus provider config for defaults. */
export interface RawStackDeployment {
  readonly stores: unknown;
  readonly zenml?: unknown;
}

/** What `applyStoreFlags` produced: the new raw config and which store the flags edited. */
export interface FlaggedDeployment {
  readonly raw: RawStackDeployment;
  /** Index of the store the flags describe, when any store flag was given. */
  readonly storeIndex?: number;
  readonly flags: readonly string[];
  /** Keys set with `--store-option`. */
  readonly optionKeys?: readonly string[];
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? { ...(value as Json) }
    : {};
}

/** Splits `KEY=VALUE`; throws a UsageError naming the flag. */
export function splitKeyValue(entry: string, flag: string): [string, string] {
  const eq = entry.indexOf("=");
  if (eq <= 0) throw new UsageError(flag, `expected KEY=VALUE, got "${entry}"`);
  return [entry.slice(0, eq), entry.slice(eq + 1)];
}

function setPath(obj: Json, dotted: string, value: unknown, flag: string): void {
  const parts = dotted.split(".");
  if (parts.some((p) => p.length === 0)) {
    throw new UsageError(flag, `"${dotted}" is not a key (use dots between nested keys)`);
  }
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    const next = asObject(node[part]);
    node[part] = next;
    node = next;
  }
  node[parts[parts.length - 1]] = value;
}

/** Sets each `KEY=VALUE` of a repeatable flag in the object at `dotted`, over what it holds. */
function mergeKeyValues(obj: Json, dotted: string, entries: readonly string[], flag: string): void {
  if (entries.length === 0) return;
  const merged = asObject(valueAtPath(obj, dotted));
  for (const entry of entries) {
    const [k, v] = splitKeyValue(entry, flag);
    merged[k] = v;
  }
  setPath(obj, dotted, merged, flag);
}

/**
 * Applies store flags to a stack config's raw deployment, without validating:
 * the flags describe one store (by `--store-name`, or the only store), which is
 * created when new (it then needs `--backend`) or updated field by field.
 */
export function applyStoreFlags(raw: RawStackDeployment, flags: StoreFlags): FlaggedDeployment {
  const given = givenStoreFlags(flags);
  const storeFlagsGiven = given.filter((f) => f !== "--zenml-server");
  let zenml = raw.zenml;
  if (flags.zenmlServer !== undefined) {
    zenml = { ...asObject(raw.zenml), serverUrl: flags.zenmlServer };
  }
  if (storeFlagsGiven.length === 0) return { raw: { stores: raw.stores, zenml }, flags: given };

  if (raw.stores !== undefined && raw.stores !== null && !Array.isArray(raw.stores)) {
    throw new UsageError(`${PROJECT_NAME}:stores`, "must be a list of stores in the stack config");
  }
  const stores: unknown[] = Array.isArray(raw.stores) ? [...raw.stores] : [];
  const names = stores.map((s) => asObject(s).name);
  let name = flags.storeName;
  if (name === undefined) {
    if (stores.length === 1 && typeof names[0] === "string") {
      name = names[0];
    } else if (stores.length === 0) {
      throw new UsageError("--store-name", "is required when the stack config has no store yet");
    } else {
      throw new UsageError(
        "--store-name",
        `is required when the stack config has several stores (${names.join(", ")})`,
      );
    }
  }
  let index = names.indexOf(name);
  const store = index >= 0 ? asObject(stores[index]) : { name };
  if (index >= 0 && flags.backend !== undefined && store.backend !== flags.backend) {
    throw new UsageError(
      "--backend",
      `store "${name}" already uses backend ${String(store.backend)}; a different backend is a different store — choose a new --store-name`,
    );
  }
  if (index < 0 && flags.backend === undefined) {
    throw new UsageError(
      "--backend",
      `is required for the new store "${name}" (${BACKENDS.slice(0, -1).join(", ")} or ${BACKENDS[BACKENDS.length - 1]})`,
    );
  }
  const values: Readonly<Record<string, unknown>> = flags;
  for (const f of STORE_FLAGS) {
    const value = values[camelCase(f.flag)];
    // --store-name chose the store above.
    if (value === undefined || f.configPath === "name") continue;
    if ("keyValue" in f) {
      mergeKeyValues(store, f.configPath, value as readonly string[], `--${f.flag}`);
    } else {
      setPath(store, f.configPath, value, `--${f.flag}`);
    }
  }
  const optionKeys: string[] = [];
  for (const entry of flags.storeOption ?? []) {
    const [k, v] = splitKeyValue(entry, "--store-option");
    optionKeys.push(k);
    if (k === "name") {
      throw new UsageError("--store-option", "cannot rename a store; use --store-name");
    }
    let value: unknown;
    try {
      value = v === "" ? "" : parseYamlScalar(v);
    } catch {
      throw new UsageError("--store-option", `the value of ${k} is not valid YAML: ${v}`);
    }
    setPath(store, k, value, "--store-option");
  }
  if (index >= 0) {
    stores[index] = store;
  } else {
    stores.push(store);
    index = stores.length - 1;
  }
  return { raw: { stores, zenml }, storeIndex: index, flags: given, optionKeys };
}

/**
 * Provider config (`aws:region`, `gcp:project`, …) from a stack config: every
 * string value outside the project's namespace.
 */
export function providerConfigOf(config: Record<string, unknown>): ConfigContext {
  return {
    providerConfig: Object.fromEntries(
      Object.entries(config).filter(
        ([k, v]) => !k.startsWith(`${PROJECT_NAME}:`) && typeof v === "string",
      ) as [string, string][],
    ),
  };
}

/**
 * Validates a deployment with the program's own parser. A broken rule becomes a
 * UsageError naming the flag that set the value (when a flag did) or else the
 * stack-config key.
 */
/**
 * Refuses a key in the project's namespace that nothing reads (a typo such as
 * `zenml-remote-storage:store`), naming it, before the stores are parsed: else
 * the first complaint would be that `stores` is missing.
 */
export function checkProjectKeys(config: Readonly<Record<string, unknown>>, source: string): void {
  const prefix = `${PROJECT_NAME}:`;
  const err = unknownConfigKey(
    Object.keys(config)
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length)),
  );
  if (err !== undefined) throw new UsageError(`${PROJECT_NAME}:${err.key} (${source})`, err.rule);
}

export function validateDeployment(
  flagged: FlaggedDeployment,
  context: ConfigContext,
  source: string,
): DeploymentConfig {
  try {
    return parseDeployment(flagged.raw, context);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new UsageError(subjectFor(err.key, flagged, source), err.rule);
  }
}

function valueAtPath(root: unknown, dotted: string): unknown {
  let node = root;
  for (const part of dotted.split(".")) {
    node = typeof node === "object" && node !== null ? (node as Json)[part] : undefined;
  }
  return node;
}

function valueAt(flagged: FlaggedDeployment, index: number, dotted: string): unknown {
  const stores = flagged.raw.stores;
  return valueAtPath(Array.isArray(stores) ? stores[index] : undefined, dotted);
}

function subjectFor(key: string, flagged: FlaggedDeployment, source: string): string {
  const configKey = `${PROJECT_NAME}:${key}`;
  if (key.startsWith("zenml.serverUrl") && flagged.flags.includes("--zenml-server")) {
    return "--zenml-server";
  }
  const m = /^stores\[(\d+)\]\.?(.*)$/.exec(key);
  if (m && flagged.storeIndex !== undefined && Number(m[1]) === flagged.storeIndex) {
    const rest = m[2];
    const match = Object.keys(STORE_KEY_FLAGS)
      .filter((k) => rest === k || rest.startsWith(`${k}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (match !== undefined && flagged.flags.includes(STORE_KEY_FLAGS[match])) {
      return STORE_KEY_FLAGS[match];
    }
    // A value the flags left missing (e.g. --adopt-bucket without --bucket-name): the flag fixes it.
    if (
      match !== undefined &&
      rest === match &&
      valueAt(flagged, flagged.storeIndex, match) === undefined
    ) {
      return STORE_KEY_FLAGS[match];
    }
    const option = (flagged.optionKeys ?? []).find((k) => rest === k || rest.startsWith(`${k}.`));
    if (option !== undefined) return `--store-option ${option}`;
  }
  return `${configKey} (${source})`;
}
