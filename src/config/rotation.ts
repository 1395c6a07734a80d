import { modesOfKind } from "./backends";
import { ConfigError } from "./errors";
import { optionalDays, type Obj } from "./fields";
import type { Backend, CredentialRotation } from "./base";

/**
 * Credential rotation: which key of a store is current, and which earlier keys
 * are kept alive next to it. Each key is its own Pulumi resource whose logical
 * name carries its version, so a new version is a new resource: Pulumi creates
 * it, updates what uses it (outputs, the ZenML connector), and deletes a key
 * that left the program only at the end of that update.
 */

/** Store keys that configure rotation (any backend with a minted credential). */
export const ROTATION_STORE_KEYS = [
  "credentialGeneration",
  "rotationPeriodDays",
  "keepCredentials",
] as const;

/** Credential modes whose key this project mints, and so can rotate (by the backend's descriptor). */
export function rotatableModes(backend: Backend): string[] {
  return modesOfKind(backend, "minted-key");
}

export function isRotatable(backend: Backend, credentials: string): boolean {
  return rotatableModes(backend).includes(credentials);
}

/** The key versions a store's component creates: the current one first. */
export interface KeyVersions {
  /** The version of the key ZenML is given. */
  readonly current: string;
  /** Earlier keys kept alive (same logical names as when they were created, so unchanged). */
  readonly previous: readonly string[];
}

/** The version of a store that never rotated: its key keeps its original logical name. */
export const FIRST_VERSION = "1";

export const MAX_GENERATION = 9999;

/**
 * At most one kept key: AWS allows two access keys per IAM user, and Pulumi
 * creates a replacement before it deletes what it replaces.
 */
export const MAX_KEPT = 1;

/** `<generation>` or `<generation>-<YYYYMMDD of the period's first day>`. */
const VERSION = /^([1-9]\d{0,3})(?:-(\d{8}))?$/;

const DAY_MS = 86_400_000;

/** The first day (UTC, `YYYYMMDD`) of the period of `days` days that `nowMs` falls in. */
export function periodStart(nowMs: number, days: number): string {
  const index = Math.floor(Math.floor(nowMs / DAY_MS) / days);
  return new Date(index * days * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "");
}

/** The version of the key a store should have now. */
export function credentialVersion(rotation: CredentialRotation | undefined, nowMs: number): string {
  if (rotation === undefined) return FIRST_VERSION;
  const gen = String(rotation.generation);
  return rotation.periodDays === undefined
    ? gen
    : `${gen}-${periodStart(nowMs, rotation.periodDays)}`;
}

/** The current key version and the earlier ones to keep. */
export function keyVersions(rotation: CredentialRotation | undefined, nowMs: number): KeyVersions {
  const current = credentialVersion(rotation, nowMs);
  return { current, previous: (rotation?.keep ?? []).filter((v) => v !== current) };
}

/**
 * A key resource's logical name for a version: the original name for version
 * 1 (so stacks created before rotation existed keep their key), else
 * `<base>-<version>`, e.g. `s3-store-key-2` or `s3-store-key-3-20260101`.
 */
export function credentialResourceName(base: string, version: string): string {
  return version === FIRST_VERSION ? base : `${base}-${version}`;
}

/** A store's credential resources, one per key version: the one ZenML is given and those kept. */
export interface VersionedCredentials<T> {
  /** The version of `current`. */
  readonly version: string;
  readonly current: T;
  readonly previous: T[];
}

/**
 * One credential resource per key version (the first version alone by default),
 * each named `credentialResourceName(base, version)`: a new version is a new
 * resource, created before the old one is deleted at the end of the update that
 * drops it.
 */
export function versionedCredentials<T>(
  versions: KeyVersions | undefined,
  base: string,
  create: (resourceName: string, version: string) => T,
): VersionedCredentials<T> {
  const { current, previous } = versions ?? { current: FIRST_VERSION, previous: [] };
  const make = (version: string): T => create(credentialResourceName(base, version), version);
  return { version: current, current: make(current), previous: previous.map(make) };
}

/** The generation of a version string, or undefined when it is not one. */
export function versionGeneration(version: string): number | undefined {
  const m = VERSION.exec(version);
  if (!m) return undefined;
  if (m[2] !== undefined && !isCalendarDate(m[2])) return undefined;
  return Number(m[1]);
}

function isCalendarDate(yyyymmdd: string): boolean {
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

function describeRotatable(backend: Backend): string {
  return rotatableModes(backend).join(" or ");
}

/**
 * Reads a store's rotation keys; undefined when none is set (generation 1, no
 * period, nothing kept). `obj` is the store's raw object.
 */
export function parseRotation(
  obj: Obj,
  key: string,
  backend: Backend,
  credentials: string,
): CredentialRotation | undefined {
  const given = ROTATION_STORE_KEYS.filter((k) => obj[k] !== undefined && obj[k] !== null);
  if (given.length === 0) return undefined;
  if (!isRotatable(backend, credentials)) {
    throw new ConfigError(
      `${key}.${given[0]}`,
      `only applies to credentials this project mints (backend ${backend}: ${describeRotatable(backend)}); ${credentials} credentials are not rotated here`,
    );
  }
  const generation = parseGeneration(obj.credentialGeneration, `${key}.credentialGeneration`);
  const periodDays = optionalDays(obj, "rotationPeriodDays", key);
  if (
    periodDays !== undefined &&
    backend === "azure" &&
    periodDays > 365 &&
    obj.clientSecretExpiry === undefined
  ) {
    throw new ConfigError(
      `${key}.rotationPeriodDays`,
      "must be at most 365 for azure: each client secret expires one year after it is created",
    );
  }
  const keep = parseKeep(obj.keepCredentials, `${key}.keepCredentials`, generation, periodDays);
  return { generation, ...(periodDays !== undefined ? { periodDays } : {}), keep };
}

function parseGeneration(value: unknown, key: string): number {
  if (value === undefined || value === null) return 1;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_GENERATION
  ) {
    throw new ConfigError(key, `must be a whole number from 1 to ${MAX_GENERATION}`);
  }
  return value;
}

function parseKeep(
  value: unknown,
  key: string,
  generation: number,
  periodDays: number | undefined,
): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new ConfigError(key, "must be a list of credential versions (e.g. [1])");
  }
  if (value.length > MAX_KEPT) {
    throw new ConfigError(
      key,
      `may keep at most ${MAX_KEPT} earlier credential (AWS allows two access keys per user)`,
    );
  }
  return value.map((raw, i) => {
    const version = typeof raw === "number" ? String(raw) : raw;
    const gen = typeof version === "string" ? versionGeneration(version) : undefined;
    if (typeof version !== "string" || gen === undefined) {
      throw new ConfigError(
        `${key}[${i}]`,
        `${JSON.stringify(raw)} is not a credential version: <generation> or <generation>-<YYYYMMDD>`,
      );
    }
    if (gen > generation) {
      throw new ConfigError(
        `${key}[${i}]`,
        `"${version}" is newer than credentialGeneration ${generation}; only earlier credentials can be kept`,
      );
    }
    if (periodDays === undefined && version === String(generation)) {
      throw new ConfigError(`${key}[${i}]`, `"${version}" is the current credential`);
    }
    return version;
  });
}
