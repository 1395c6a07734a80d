import { ConfigError } from "./errors";
import { didYouMean } from "./suggest";

/** Small readers for raw config objects; each failure names the key and the rule. */

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function object(value: unknown, key: string, allowed: readonly string[]): Obj {
  if (!isObject(value)) throw new ConfigError(key, "must be an object");
  const unknown = Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw new ConfigError(
      `${key}.${unknown}`,
      `unknown key; allowed: ${allowed.join(", ")}${didYouMean(unknown, allowed)}`,
    );
  }
  return value;
}

export function optionalString(obj: Obj, field: string, key: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError(`${key}.${field}`, "must be a non-empty string");
  }
  return value;
}

export function optionalBoolean(obj: Obj, field: string, key: string): boolean | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new ConfigError(`${key}.${field}`, "must be true or false");
  return value;
}

export function optionalDays(obj: Obj, field: string, key: string): number | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 3650) {
    throw new ConfigError(`${key}.${field}`, "must be a whole number of days from 1 to 3650");
  }
  return value;
}

export function oneOf<T extends string>(
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

/**
 * Why a URL from config or a flag is refused, or undefined: it must be http(s) and
 * hold no credentials (`credentialsHint` says where they go instead).
 */
export function httpUrlRule(value: string, credentialsHint = ""): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return "must be an http:// or https:// URL";
  }
  if (url.username || url.password) return `must not hold credentials${credentialsHint}`;
  return undefined;
}
