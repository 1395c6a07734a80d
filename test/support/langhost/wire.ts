/**
 * Pulumi property values in the wire form the SDK and providers exchange
 * (google.protobuf.Struct as plain JS): secrets, unknowns, output values and
 * resource references are objects tagged with the special signature key, or
 * (unknowns) a sentinel string. The constants are the SDK's own
 * (@pulumi/pulumi runtime/rpc.js); the conversions reproduce what the engine's
 * marshalling does (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go
 * MarshalPropertyValue / UnmarshalPropertyValue).
 */

/** The value every special object carries under SIG_KEY. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** A value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };
export type WireMap = { [key: string]: Wire };

function isObj(v: unknown): v is WireMap {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function sigOf(v: unknown): string | undefined {
  return isObj(v) && typeof v[SIG_KEY] === "string" ? (v[SIG_KEY] as string) : undefined;
}

export function isSecret(v: unknown): v is { value: Wire } {
  return sigOf(v) === SECRET_SIG;
}
export function isOutputValue(v: unknown): boolean {
  return sigOf(v) === OUTPUT_VALUE_SIG;
}
export function isResourceRef(v: unknown): v is { urn: string; id?: Wire } {
  return sigOf(v) === RESOURCE_SIG;
}
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

export function makeSecret(value: Wire): WireMap {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** Applies `f` to every value nested in `v` (bottom-up, special objects as leaves for `f`). */
function mapDeep(v: Wire, f: (leaf: Wire) => Wire | undefined): Wire | undefined {
  if (Array.isArray(v)) return f(v.map((x) => mapDeep(x, f) ?? null));
  if (isObj(v) && sigOf(v) === undefined) {
    const out: WireMap = {};
    for (const [k, x] of Object.entries(v)) {
      const m = mapDeep(x, f);
      if (m !== undefined) out[k] = m;
    }
    return f(out);
  }
  return f(v);
}

/**
 * Output values (which the engine upgrades inputs to and downgrades again for
 * providers) replaced by their plain equivalent: a secret when secret, the
 * unknown sentinel when unknown.
 */
export function downgradeOutputValues(v: Wire): Wire {
  return (
    mapDeep(v, (leaf) => {
      if (!isOutputValue(leaf)) {
        if (isSecret(leaf)) return makeSecret(downgradeOutputValues(leaf.value));
        return leaf;
      }
      const o = leaf as WireMap;
      const inner = "value" in o ? downgradeOutputValues(o.value) : UNKNOWN;
      return o.secret === true ? makeSecret(inner) : inner;
    }) ?? null
  );
}

/** Whether a secret is anywhere inside `v`. */
export function containsSecrets(v: Wire): boolean {
  if (isSecret(v)) return true;
  if (isOutputValue(v)) return (v as WireMap).secret === true;
  if (Array.isArray(v)) return v.some(containsSecrets);
  if (isObj(v) && sigOf(v) === undefined) return Object.values(v).some(containsSecrets);
  return false;
}

/** Whether an unknown is anywhere inside `v`. */
export function containsUnknowns(v: Wire): boolean {
  if (isUnknown(v)) return true;
  if (isSecret(v)) return containsUnknowns(v.value);
  if (isOutputValue(v))
    return !("value" in (v as WireMap)) || containsUnknowns((v as WireMap).value);
  if (Array.isArray(v)) return v.some(containsUnknowns);
  if (isObj(v) && sigOf(v) === undefined) return Object.values(v).some(containsUnknowns);
  return false;
}

/** Every secret wrapper removed (pulumi/pulumi provider_plugin.go removeSecrets). */
export function unwrapSecrets(v: Wire): Wire {
  return mapDeep(v, (leaf) => (isSecret(leaf) ? unwrapSecrets(leaf.value) : leaf)) ?? null;
}

export interface ProviderMarshalOptions {
  /** KeepUnknowns: unknowns are sent as the sentinel; otherwise they are left out. */
  readonly keepUnknowns: boolean;
  /** KeepSecrets: the provider accepts secrets; otherwise their wrappers are stripped. */
  readonly keepSecrets: boolean;
  /** KeepResources: otherwise a resource reference becomes its id (custom) or URN. */
  readonly keepResources: boolean;
}

function marshalValue(v: Wire, opts: ProviderMarshalOptions): Wire | undefined {
  if (isUnknown(v)) return opts.keepUnknowns ? UNKNOWN : undefined;
  if (isSecret(v)) {
    const inner = marshalValue(v.value, opts);
    if (inner === undefined) return undefined;
    return opts.keepSecrets ? makeSecret(inner) : inner;
  }
  if (isResourceRef(v)) {
    if (opts.keepResources) return v;
    // pulumi/pulumi sdk/go/common/resource/plugin/rpc.go MarshalPropertyValue: a
    // reference the provider cannot take is sent as its ID, or its URN when it has none.
    const id = (v as WireMap).id;
    if (id === UNKNOWN) return opts.keepUnknowns ? UNKNOWN : undefined;
    if (typeof id === "string" && id !== "") return id;
    return (v as WireMap).urn;
  }
  if (Array.isArray(v)) return v.map((x) => marshalValue(x, opts) ?? null);
  if (isObj(v) && sigOf(v) === undefined) return marshalMap(v, opts);
  return v;
}

/**
 * A property map as the engine marshals it for a provider call
 * (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go MarshalProperties):
 * output values downgraded, unknowns kept or left out, secrets kept or
 * unwrapped, resource references kept or replaced by their id.
 */
export function marshalMap(props: WireMap, opts: ProviderMarshalOptions): WireMap {
  const out: WireMap = {};
  for (const [k, v] of Object.entries(props)) {
    const m = marshalValue(downgradeOutputValues(v), opts);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

/**
 * pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go
 * annotateSecrets: for a provider that cannot take secrets, an output with the
 * same name as an input that held a secret becomes secret (objects: per key).
 */
export function annotateSecrets(outs: WireMap, ins: WireMap): WireMap {
  const result: WireMap = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key];
    const inPlain = isSecret(inValue) ? inValue.value : inValue;
    if (
      isObj(outValue) &&
      sigOf(outValue) === undefined &&
      isObj(inPlain) &&
      sigOf(inPlain) === undefined &&
      !isSecret(inValue)
    ) {
      result[key] = annotateSecrets(outValue, inPlain);
    } else if (!isSecret(outValue) && containsSecrets(inValue)) {
      result[key] = makeSecret(outValue);
    }
  }
  return result;
}

/** Marks the listed top-level outputs secret (additionalSecretOutputs). */
export function markSecretOutputs(outs: WireMap, names: readonly string[]): WireMap {
  const result: WireMap = { ...outs };
  for (const name of names) {
    if (name in result && !isSecret(result[name])) result[name] = makeSecret(result[name]);
  }
  return result;
}

/** Deep equality of two wire values, object key order ignored. */
export function wireEquals(a: Wire | undefined, b: Wire | undefined): boolean {
  return canonicalWire(a) === canonicalWire(b);
}

export function canonicalWire(v: Wire | undefined): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) =>
    isObj(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Top-level keys whose values differ (secrets compared by their plaintext, as the engine's diff does). */
export function changedKeys(olds: WireMap, news: WireMap): string[] {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])];
  return keys.filter(
    (k) => !wireEquals(unwrapSecrets(olds[k] ?? null), unwrapSecrets(news[k] ?? null)),
  );
}
