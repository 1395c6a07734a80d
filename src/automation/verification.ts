import { randomBytes } from "node:crypto";
import { connectorName } from "../zenml/documents";
import { isKeylessAuth } from "../zenml/model";
import type { Deps } from "./context";
import { firstLine } from "../config/text";
import { retry, RetryError } from "../verify/retry";
import type { StoreUnderTest } from "../verify/types";
import type { ZenmlRegistrar } from "./zenmlRegistrar";

export const DEFAULT_VERIFY_TIMEOUT_S = 120;

export type CheckStatus = "passed" | "failed" | "skipped";

export interface StoreCheck {
  readonly store: string;
  readonly backend: string;
  readonly storage: { status: CheckStatus; attempts?: number; detail: string };
  readonly zenml?: { server: string; status: CheckStatus; attempts?: number; detail: string };
}

export interface VerifyRequest {
  readonly stores: readonly StoreUnderTest[];
  /** The ZenML server the stores are registered in, when there is one to ask. */
  readonly zenml?: { server: string; registrar: ZenmlRegistrar };
  readonly timeoutMs: number;
  readonly endpointUrl?: string;
}

/** A probe object key: unique, under a prefix that names this tool. */
export function probeKey(now: number): string {
  return `.zenml-remote-storage-verify/${now}-${randomBytes(4).toString("hex")}`;
}

/**
 * With each store's minted credentials: write, read, list and delete a probe
 * object, retrying with backoff (IAM changes take a while to propagate) up to
 * the time bound; then, when registered, ask the ZenML server to verify the
 * store's connector.
 */
export async function verifyStores(req: VerifyRequest, deps: Deps): Promise<StoreCheck[]> {
  const checks: StoreCheck[] = [];
  for (const store of req.stores) {
    const verifier = await deps.verifierFor(store.backend);
    let storage: StoreCheck["storage"];
    if (verifier === undefined) {
      storage = {
        status: "skipped",
        detail: `no storage verifier for backend ${store.backend} yet`,
      };
    } else if (isKeylessAuth(store.auth)) {
      storage = {
        status: "skipped",
        detail:
          "keyless store: no credential was minted, so only the ZenML server (with its own identity) can verify it",
      };
    } else {
      const key = probeKey(deps.now());
      try {
        const { attempts } = await retry(
          () => verifier.probe(store, key, { endpointUrl: req.endpointUrl }),
          {
            timeoutMs: req.timeoutMs,
            sleep: deps.sleep,
            now: deps.now,
            onRetry: (n, err, delay) =>
              deps.io.err(
                `${store.storeName}: probe attempt ${n} failed (${firstLine((err as Error).message)}); retrying in ${Math.round(delay / 1000)} s`,
              ),
          },
        );
        storage = {
          status: "passed",
          attempts,
          detail: `wrote, read, listed and deleted ${store.path.replace(/\/+$/, "")}/${key}`,
        };
      } catch (err) {
        const e = err instanceof RetryError ? err : new RetryError(err, 1);
        storage = {
          status: "failed",
          attempts: e.attempts,
          detail: `${firstLine((e.last as Error)?.message ?? String(e.last))} (after ${e.attempts} attempt${e.attempts === 1 ? "" : "s"})`,
        };
      }
    }
    let zenml: StoreCheck["zenml"];
    if (req.zenml) {
      zenml = await verifyConnector(store, req.zenml, req.timeoutMs, deps);
    }
    checks.push({
      store: store.storeName,
      backend: store.backend,
      storage,
      ...(zenml ? { zenml } : {}),
    });
  }
  return checks;
}

async function verifyConnector(
  store: StoreUnderTest,
  zenml: { server: string; registrar: ZenmlRegistrar },
  timeoutMs: number,
  deps: Deps,
): Promise<NonNullable<StoreCheck["zenml"]>> {
  const { auth } = store;
  if (auth.kind === "secret") {
    return {
      server: zenml.server,
      status: "skipped",
      detail: "the store authenticates with a ZenML secret, not a service connector",
    };
  }
  const name = connectorName(store.storeName);
  try {
    const { value, attempts } = await retry(
      async () => {
        const r = await zenml.registrar.verifyConnector(name, {
          type: auth.resourceType,
          id: auth.resourceId,
        });
        if (!r.found) return r;
        if (r.error !== undefined) throw new Error(r.error);
        return r;
      },
      { timeoutMs, sleep: deps.sleep, now: deps.now },
    );
    if (!value.found) {
      return {
        server: zenml.server,
        status: "failed",
        attempts,
        detail: `connector ${name} is not registered`,
      };
    }
    return {
      server: zenml.server,
      status: "passed",
      attempts,
      detail: `connector ${name} verified by the server`,
    };
  } catch (err) {
    const e = err instanceof RetryError ? err : new RetryError(err, 1);
    return {
      server: zenml.server,
      status: "failed",
      attempts: e.attempts,
      detail: `connector ${name}: ${firstLine((e.last as Error)?.message ?? String(e.last))}`,
    };
  }
}

export function checksFailed(checks: readonly StoreCheck[]): boolean {
  return checks.some((c) => c.storage.status === "failed" || c.zenml?.status === "failed");
}

export function renderChecks(checks: readonly StoreCheck[]): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`  ${c.store} (${c.backend}) storage: ${c.storage.status} — ${c.storage.detail}`);
    if (c.zenml)
      lines.push(`  ${c.store} ZenML ${c.zenml.server}: ${c.zenml.status} — ${c.zenml.detail}`);
  }
  return lines;
}
