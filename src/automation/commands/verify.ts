import { parseBucket } from "../../config/parse";
import type { Backend, DeploymentConfig } from "../../config/types";
import {
  allDeviations,
  auditPassed,
  auditStores,
  renderAudits,
  type Deviation,
  type Expectation,
  type StoreAudit,
} from "../../verify/baseline";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { prepareSession } from "../session";
import { checksFailed, renderChecks, type StoreCheck } from "../verification";
import { checkEndpointUrl, checkServerUrl, verifyTimeoutMs } from "./shared";

export interface VerifyArgs extends StackArgs {
  /** The ZenML server to ask; default: the configured one, else where `register` applied the stores. */
  readonly server?: string;
  /** False with `--no-zenml`: storage only. */
  readonly zenml?: boolean;
  readonly verifyTimeout?: number;
  readonly endpointUrl?: string;
  /** `--baseline`: also audit each live bucket's settings against the hardening baseline. */
  readonly baseline?: boolean;
}

export interface VerifyData {
  readonly stack: string;
  readonly ok: boolean;
  readonly checks: readonly StoreCheck[];
  /** With `--baseline`. */
  readonly baseline?: {
    readonly ok: boolean;
    readonly deviations: readonly Deviation[];
    readonly stores: readonly StoreAudit[];
  };
}

/**
 * verify: with the minted credentials, a probe object is written, read, listed
 * and deleted in each store (retrying while IAM changes propagate); when
 * registered, the ZenML server is asked to verify each connector. Exit 3 on failure.
 */
export async function verify(args: VerifyArgs, deps: Deps): Promise<Outcome<VerifyData>> {
  const session = prepareSession(args, deps);
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  checkEndpointUrl(args.endpointUrl);
  const explicit = args.server !== undefined ? checkServerUrl(args.server, "--server") : undefined;
  if (explicit !== undefined && args.zenml === false) {
    throw new UsageError("--server", "conflicts with --no-zenml");
  }
  const recorded = session.recorded;
  if (Object.keys(recorded).length === 0) {
    throw new UsageError(
      "--stack",
      `stack ${session.name} has no recorded registration (zenml-remote-storage:registration); run provision first`,
    );
  }
  // Checked before any request: a bucket option the parser refuses is a usage error.
  const expected = args.baseline ? expectations(session.deployment) : undefined;
  const registeredIn = [...new Set(Object.values(recorded).flatMap((r) => r.registeredIn ?? []))];
  const server =
    args.zenml === false ? undefined : (explicit ?? session.configuredServer ?? registeredIn[0]);
  await session.open("select");
  const stores = await session.storesUnderTest();
  const checks = await session.verify(stores, {
    server,
    timeoutMs,
    endpointUrl: args.endpointUrl,
  });
  const audits = expected
    ? await auditStores(
        stores,
        (store) =>
          expected.get(store.storeName) ??
          parseBucket(undefined, "bucket", store.backend as Backend),
        args.endpointUrl,
        deps.baselineAuditorFor,
      )
    : undefined;
  const baseline = audits
    ? { ok: auditPassed(audits), deviations: allDeviations(audits), stores: audits }
    : undefined;
  const ok = !checksFailed(checks) && (baseline?.ok ?? true);
  return {
    data: { stack: session.name, ok, checks, ...(baseline ? { baseline } : {}) },
    text: [
      `Verification of stack ${session.name}: ${ok ? "passed" : "FAILED"}`,
      ...renderChecks(checks),
      ...(baseline
        ? [
            `Baseline audit: ${baseline.deviations.length} deviation${baseline.deviations.length === 1 ? "" : "s"}`,
            ...renderAudits(baseline.stores),
          ]
        : []),
    ].join("\n"),
    exitCode: ok ? EXIT.ok : EXIT.verification,
  };
}

/**
 * What each store's bucket options ask for, as the program parsed them
 * (defaults included); a store the config no longer lists gets the defaults.
 */
function expectations(deployment: DeploymentConfig): Map<string, Expectation> {
  return new Map(deployment.stores.map((s) => [s.name, s.bucket]));
}
