import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { readRecordedStores } from "../recordedRegistration";
import { openStack, prepareStack } from "../session";
import { checksFailed, renderChecks, verifyStores, type StoreCheck } from "../verification";
import { checkServerUrl, serverSettings } from "../zenmlRegistrar";
import {
  checkEndpointUrl,
  configuredServer,
  stackApiKey,
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
}

export interface VerifyData {
  readonly stack: string;
  readonly ok: boolean;
  readonly checks: readonly StoreCheck[];
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
  const ok = !checksFailed(checks);
  return {
    data: { stack: prepared.name, ok, checks },
    text: [
      `Verification of stack ${prepared.name}: ${ok ? "passed" : "FAILED"}`,
      ...renderChecks(checks),
    ].join("\n"),
    exitCode: ok ? EXIT.ok : EXIT.verification,
  };
}
