import { ConfigError } from "../../config/errors";
import { parseBucket } from "../../config/parse";
import { BACKENDS, type Backend } from "../../config/types";
import {
  allDeviations,
  auditPassed,
  auditStores,
  renderAudits,
  type Deviation,
  type Expectation,
  type StoreAudit,
} from "../baseline";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { PROJECT_NAME } from "../../config/keys";
import { readRecordedStores } from "../recordedRegistration";
import type { StackConfigFile } from "../stackConfigFile";
import { openStack, prepareStack } from "../session";
import { checksFailed, renderChecks, verifyStores, type StoreCheck } from "../verification";
import { serverSettings } from "../zenmlRegistrar";
import {
  checkEndpointUrl,
  checkServerUrl,
  configuredServer,
  rel,
  stackApiKey,
  STORES_KEY,
  storeUnderTest,
  verifyTimeoutMs,
} from "./shared";

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
  const prepared = prepareStack(args, deps);
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  checkEndpointUrl(args.endpointUrl);
  const explicit = args.server !== undefined ? checkServerUrl(args.server, "--server") : undefined;
  if (explicit !== undefined && args.zenml === false) {
    throw new UsageError("--server", "conflicts with --no-zenml");
  }
  const recorded = readRecordedStores(prepared.file);
  if (Object.keys(recorded).length === 0) {
    throw new UsageError(
      "--stack",
      `stack ${prepared.name} has no recorded registration (zenml-remote-storage:registration); run provision first`,
    );
  }
  // Checked before any request: a bucket option the parser refuses is a usage error.
  const expected = args.baseline
    ? expectations(prepared.file, rel(deps, prepared.configPath))
    : undefined;
  const registeredIn = [...new Set(Object.values(recorded).flatMap((r) => r.registeredIn ?? []))];
  const server =
    args.zenml === false
      ? undefined
      : (explicit ?? configuredServer(prepared.file) ?? registeredIn[0]);
  const opened = await openStack(prepared, args, deps, "select");
  const stores = [];
  for (const [name, r] of Object.entries(recorded))
    stores.push(await storeUnderTest(opened.stack, name, r));
  const registrar =
    server !== undefined
      ? await deps.connectZenml(
          serverSettings(server, deps.env, await stackApiKey(opened.stack, deps.env)),
          deps.io.err,
        )
      : undefined;
  const checks = await verifyStores(
    {
      stores,
      zenml: server !== undefined && registrar ? { server, registrar } : undefined,
      timeoutMs,
      endpointUrl: args.endpointUrl,
    },
    deps,
  );
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
    data: { stack: prepared.name, ok, checks, ...(baseline ? { baseline } : {}) },
    text: [
      `Verification of stack ${prepared.name}: ${ok ? "passed" : "FAILED"}`,
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
 * What each store's bucket options ask for, parsed from the stack config with the
 * program's own parser (defaults included); a store the config no longer lists
 * gets the defaults.
 */
function expectations(file: StackConfigFile, source: string): Map<string, Expectation> {
  const out = new Map<string, Expectation>();
  const stores = file.get(STORES_KEY);
  if (!Array.isArray(stores)) return out;
  stores.forEach((raw: unknown, i) => {
    const store = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const backend = store.backend as Backend;
    if (typeof store.name !== "string" || !BACKENDS.includes(backend)) return;
    try {
      out.set(store.name, parseBucket(store.bucket, `stores[${i}].bucket`, backend));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new UsageError(`${PROJECT_NAME}:${err.key} (${source})`, err.rule);
    }
  });
  return out;
}
