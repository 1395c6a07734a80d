import { firstLine } from "../../config/text";
import type { StoreUnderTest } from "../types";
import type { Deviation, Expectation, StoreAudit } from "./compare";
import type { BaselineAuditor, BaselineAuditorFor } from "./types";

export type { Deviation, Expectation, StoreAudit } from "./compare";
export type { BaselineAuditor, BaselineAuditorFor } from "./types";

/** Auditors by backend, each loaded (with its SDK) only when used. */
const AUDITORS: Readonly<Record<string, () => Promise<BaselineAuditor>>> = {
  aws: async () => (await import("./s3")).s3Auditor,
  "s3-compatible": async () => (await import("./s3")).s3CompatibleAuditor,
  gcp: async () => (await import("./gcs")).gcsAuditor,
  azure: async () => (await import("./azure")).azureAuditor,
};

export const baselineAuditorFor: BaselineAuditorFor = async (backend) => {
  const load = AUDITORS[backend];
  return load ? load() : undefined;
};

/** Whether the audit found the baseline: no deviation and nothing it could not read. */
export function auditPassed(audits: readonly StoreAudit[]): boolean {
  return audits.every((a) => a.deviations.length === 0 && a.unreadable.length === 0);
}

export function allDeviations(audits: readonly StoreAudit[]): Deviation[] {
  return audits.flatMap((a) => a.deviations);
}

/** One line per deviation, unreadable or unshown setting. */
export function renderAudits(audits: readonly StoreAudit[]): string[] {
  const lines: string[] = [];
  for (const a of audits) {
    lines.push(
      `  ${a.store} (${a.backend}): ${a.deviations.length} deviation${a.deviations.length === 1 ? "" : "s"}, ${a.compliant.length} setting${a.compliant.length === 1 ? "" : "s"} as the baseline`,
    );
    for (const d of a.deviations) {
      lines.push(
        `  ${d.store}: ${d.setting}: found ${d.found}, expected ${d.expected} — ${d.risk}`,
      );
    }
    for (const u of a.unreadable)
      lines.push(`  ${a.store}: ${u.setting}: could not read (${u.reason})`);
    for (const n of a.notShown) lines.push(`  ${a.store}: ${n.setting}: not checked (${n.reason})`);
  }
  return lines;
}

/**
 * The baseline audit of each store, with the operator's credentials: a store
 * whose backend has no auditor, or whose audit fails, is reported unreadable
 * (never compliant).
 */
export async function auditStores(
  stores: readonly StoreUnderTest[],
  expectationOf: (store: StoreUnderTest) => Expectation,
  endpointUrl: string | undefined,
  auditorFor: BaselineAuditorFor,
): Promise<StoreAudit[]> {
  const audits: StoreAudit[] = [];
  for (const store of stores) {
    const failed = (reason: string): StoreAudit => ({
      store: store.storeName,
      backend: store.backend,
      compliant: [],
      deviations: [],
      unreadable: [{ setting: "audit", reason }],
      notShown: [],
    });
    const auditor = await auditorFor(store.backend);
    if (!auditor) {
      audits.push(failed(`no baseline audit for backend ${store.backend}`));
      continue;
    }
    try {
      audits.push(await auditor.audit(store, expectationOf(store), { endpointUrl }));
    } catch (err) {
      audits.push(failed(firstLine((err as Error).message)));
    }
  }
  return audits;
}
