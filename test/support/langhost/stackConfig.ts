/**
 * A stack's config as the engine hands it to the language host: the
 * `Pulumi.<stack>.yaml` values (secure ones replaced by plaintexts the test
 * supplies, since no secrets provider runs here), merged with the project's
 * declared config, each value a string (structured values JSON-encoded), plus
 * the list of keys that hold secrets.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import { fullConfigKey, stackConfigFile, type PulumiProject } from "./project";

/** What the engine passes to RunRequest.config / configSecretKeys. */
export interface StackRunConfig {
  /** Full key (`<ns>:<name>`) → value as the engine passes it. */
  readonly config: Readonly<Record<string, string>>;
  /** Full keys whose value is or contains a secret. */
  readonly secretKeys: readonly string[];
}

/**
 * Plaintexts of `secure:` values, by full key, or by full key plus a property
 * path for a secure value nested in an object (`ns:key.store.credentials.x`,
 * `ns:stores[1].impersonatorKey`), the way `pulumi config set --path` names it.
 */
export type SecurePlaintexts = Readonly<Record<string, string>>;

function isSecure(value: unknown): value is { secure: string } {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}

/** `a.b[0]["c.d"]`: a property path segment appended to a path. */
function appendPath(prefix: string, segment: string | number): string {
  if (typeof segment === "number") return `${prefix}[${segment}]`;
  return /^[A-Za-z0-9_-]+$/.test(segment)
    ? `${prefix}.${segment}`
    : `${prefix}[${JSON.stringify(segment)}]`;
}

/**
 * Replaces every `{secure: …}` inside `value` with its plaintext. A secure
 * value without a supplied plaintext is an error naming its key and path.
 */
function decryptInPlace(
  value: unknown,
  where: string,
  plaintexts: SecurePlaintexts,
  found: { secret: boolean },
): unknown {
  if (isSecure(value)) {
    const plain = plaintexts[where];
    if (plain === undefined) {
      throw new Error(`no plaintext supplied for the secure config value ${where}`);
    }
    found.secret = true;
    return plain;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => decryptInPlace(v, appendPath(where, i), plaintexts, found));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        decryptInPlace(v, appendPath(where, k), plaintexts, found),
      ]),
    );
  }
  return value;
}

const HTML_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/**
 * JSON as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&`
 * escaped. pulumi/pulumi sdk/go/common/resource/config/value.go Value.Value →
 * plaintext marshalText: structured values are json.Marshal-ed.
 */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sorted(value)).replace(/[<>&]/g, (c) => HTML_ESCAPES[c]);
}

/**
 * A config value as a string: strings as they are, other scalars printed
 * (`true`, `7`), structured values as Go JSON. pulumi/pulumi
 * sdk/go/common/resource/config/value.go (Value.Value) and pkg/workspace/config.go
 * createConfigValue (fmt %v of a primitive, JSON of the rest).
 */
export function configString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return goJson(value);
  return String(value);
}

function readStackFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

/**
 * pulumi/pulumi pkg/workspace/config.go mergeConfig +
 * missingStackConfigurationKeysError: declared project keys missing from the
 * stack get their `value`/`default`; a project-namespace key with neither is
 * an error listing every such key.
 */
function applyProjectConfig(
  project: PulumiProject,
  stack: string,
  config: Record<string, string>,
): void {
  const missing: string[] = [];
  for (const key of Object.keys(project.declaredConfig).sort()) {
    const decl = project.declaredConfig[key];
    if (key in config) continue;
    const fallback = decl.default !== undefined ? decl.default : decl.value;
    if (fallback === undefined) {
      if (key.startsWith(`${project.name}:`)) missing.push(key.slice(project.name.length + 1));
      continue;
    }
    config[key] = configString(fallback);
  }
  if (missing.length === 0) return;
  const quoted = missing.map((k) => `'${k}'`);
  const list =
    quoted.length === 1
      ? quoted[0]
      : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
  throw new Error(
    `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${list}`,
  );
}

/**
 * Reads `Pulumi.<stack>.yaml` under the project's stackConfigDir the way the
 * CLI does (pulumi/pulumi sdk/go/common/workspace/loaders.go
 * LoadProjectStackBytes: keys without a namespace get the project's), decrypts
 * secure values with `plaintexts` and applies the project's declared config.
 */
export function loadStackRunConfig(
  project: PulumiProject,
  stack: string,
  plaintexts: SecurePlaintexts = {},
): StackRunConfig {
  const raw = readStackFile(stackConfigFile(project, stack));
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const full = fullConfigKey(project.name, key);
    const found = { secret: false };
    const plain = decryptInPlace(value, full, plaintexts, found);
    config[full] = configString(plain);
    if (found.secret) secretKeys.push(full);
  }
  applyProjectConfig(project, stack, config);
  return { config, secretKeys: secretKeys.sort() };
}
