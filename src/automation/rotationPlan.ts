/**
 * The rotate command's pure planning: which stores to rotate, which generation
 * comes next, and the stack config's `stores` for each phase of a rotation.
 */
import { isObject } from "../config/fields";
import {
  credentialVersion,
  isRotatable,
  rotatableModes,
  versionGeneration,
} from "../config/rotation";
import { BACKENDS, type DeploymentConfig, type StoreConfig } from "../config/types";
import { UsageError } from "./errors";
import type { ChangeSummary, OutputMap } from "./workspace";

/** One store's rotation: which version is deployed, which generation comes next. */
export interface StoreRotationPlan {
  readonly store: string;
  /** The deployed version, kept until the next one is verified. */
  readonly from: string;
  /** `credentialGeneration` during and after the rotation. */
  readonly generation: number;
  /** A half-done rotation (`keepCredentials` already set) is finished, not started again. */
  readonly resumed: boolean;
}

/**
 * What to rotate: a store with `keepCredentials` set is half-way through a
 * rotation (its config already names the new generation and the key to keep),
 * so it is resumed; otherwise the next generation is one above both the
 * configured one and the deployed one.
 */
export function planRotation(
  store: StoreConfig,
  deployed: string | undefined,
  nowMs: number,
): StoreRotationPlan {
  const rotation = store.rotation;
  const generation = rotation?.generation ?? 1;
  if (rotation !== undefined && rotation.keep.length > 0) {
    return { store: store.name, from: rotation.keep[0], generation, resumed: true };
  }
  const from = deployed ?? credentialVersion(rotation, nowMs);
  const next = Math.max(generation, versionGeneration(from) ?? generation) + 1;
  return { store: store.name, from, generation: next, resumed: false };
}

export type RotationPhase = "add" | "retire" | "rollback";

/**
 * The stack config's `stores` list for one phase of the rotation: `add` sets the
 * next generation and keeps the deployed key; `retire` drops the kept key;
 * `rollback` returns to the deployed key's generation and drops the new one.
 * Other stores and keys are untouched.
 */
export function rotatedStoresConfig(
  stores: readonly unknown[],
  plans: readonly StoreRotationPlan[],
  phase: RotationPhase,
): unknown[] {
  return stores.map((raw) => {
    if (!isObject(raw)) return raw;
    const plan = plans.find((p) => p.store === raw.name);
    if (plan === undefined) return raw;
    const rest = { ...raw };
    delete rest.keepCredentials;
    delete rest.credentialGeneration;
    switch (phase) {
      case "add":
        return { ...rest, credentialGeneration: plan.generation, keepCredentials: [plan.from] };
      case "retire":
        return { ...rest, credentialGeneration: plan.generation };
      case "rollback": {
        const previous = versionGeneration(plan.from) ?? 1;
        // Generation 1 is the default: leave the key out rather than write it.
        return previous === 1 && raw.credentialGeneration === undefined
          ? rest
          : { ...rest, credentialGeneration: previous };
      }
    }
  });
}

/** The program's `credentialVersions` output (per store), when the stack has one. */
export function deployedVersions(outputs: OutputMap): Record<string, string> {
  const value = outputs.credentialVersions?.value;
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => typeof v === "string")
      .map(([k, v]) => [k, v as string]),
  );
}

/** Plan entries whose op deletes or replaces something. */
export function destructiveChanges(summary: ChangeSummary): number {
  return Object.entries(summary)
    .filter(([op]) => /delete|replace|discard/.test(op))
    .reduce((n, [, count]) => n + count, 0);
}

/** The stores `--store` names (default: every store whose credential this project mints). */
export function selectStores(
  deployment: DeploymentConfig,
  only: string | undefined,
  source: string,
): StoreConfig[] {
  if (only !== undefined) {
    const store = deployment.stores.find((s) => s.name === only);
    if (store === undefined) {
      throw new UsageError(
        "--store",
        `no store named "${only}" in ${source}; stores: ${deployment.stores.map((s) => s.name).join(", ")}`,
      );
    }
    if (!isRotatable(store.backend, store.credentials)) {
      throw new UsageError(
        "--store",
        `store ${only} uses ${store.credentials} credentials, which this project does not mint; only ${rotatableModes(store.backend).join(" or ")} credentials of backend ${store.backend} are rotated`,
      );
    }
    return [store];
  }
  const stores = deployment.stores.filter((s) => isRotatable(s.backend, s.credentials));
  if (stores.length === 0) {
    throw new UsageError(
      "--stack",
      `no store in ${source} has a credential this project mints (${BACKENDS.map((b) => `${b} ${rotatableModes(b).join("/")}`).join(", ")}); nothing to rotate`,
    );
  }
  return stores;
}
