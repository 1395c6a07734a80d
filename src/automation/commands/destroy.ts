import type { DeploymentConfig } from "../../config/types";
import type { Deps, Outcome, StackArgs } from "../context";
import { firstLine } from "../../config/text";
import { CliError, EXIT, UsageError } from "../errors";
import { describeChanges } from "../progress";
import { prepareSession, type StackSession } from "../session";
import { STORES_KEY } from "../stackConfigFile";
import type { ChangeSummary } from "../workspace";
import { checkEndpointUrl, checkServerUrl, recordedDocuments } from "./shared";

export interface DestroyArgs extends StackArgs {
  readonly yes?: boolean;
  /** Delete buckets that still hold objects. */
  readonly forceDestroy?: boolean;
  /** False with `--no-zenml`: leave ZenML registrations alone. */
  readonly zenml?: boolean;
  /** Also deregister from this ZenML server. */
  readonly server?: string;
  readonly endpointUrl?: string;
}

export interface DestroyData {
  readonly stack: string;
  readonly deregistered: readonly { server: string; stores: readonly string[] }[];
  readonly emptied: readonly { store: string; objects: number }[];
  readonly changes: ChangeSummary;
  readonly notes: readonly string[];
}

/** Counting stops here; more is reported as "at least". */
export const COUNT_LIMIT = 1000;

type Json = Record<string, unknown>;

/** A bucket that still holds objects. */
interface NonEmptyBucket {
  readonly store: string;
  readonly bucket: string;
  readonly objects: number;
}

function objects(n: number): string {
  return n >= COUNT_LIMIT ? `at least ${COUNT_LIMIT} objects` : `${n} object${n === 1 ? "" : "s"}`;
}

/**
 * destroy: ZenML registrations first (those `register` or provision applied;
 * the program's own go with the stack), then the infrastructure. A bucket that
 * still holds objects is refused unless --force-destroy.
 */
export async function destroy(args: DestroyArgs, deps: Deps): Promise<Outcome<DestroyData>> {
  const { session, deployment, servers } = checkDestroy(args, deps);
  await session.open("select");

  // 1. Read-only checks: which buckets still hold objects.
  const { nonEmpty, notes } = await nonEmptyBuckets(session, deployment, args.endpointUrl, deps);
  if (nonEmpty.length > 0 && !args.forceDestroy) throw refuseNonEmpty(nonEmpty);
  const what = [
    `stack ${session.name}`,
    ...(servers.length > 0 ? [`ZenML registrations in ${servers.join(", ")}`] : []),
    ...nonEmpty.map((n) => `${objects(n.objects)} in ${n.bucket}`),
  ].join("; ");
  await session.confirm({
    yes: args.yes,
    question: `Destroy ${what}?`,
    cancelled: "cancelled: nothing was destroyed",
  });

  // 2. ZenML registrations first.
  const deregistered = await deregister(session, servers, deps);
  // 3. Let Pulumi delete non-empty buckets when asked to.
  if (nonEmpty.length > 0) {
    setForceDestroy(session, deployment, nonEmpty);
    await session.up({
      announce: `Setting forceDestroy on ${nonEmpty.map((n) => n.bucket).join(", ")} …`,
    });
  }
  // 4. The infrastructure.
  const changes = await session.destroy();
  session.forget();

  const data: DestroyData = {
    stack: session.name,
    deregistered,
    emptied: nonEmpty.map((n) => ({ store: n.store, objects: n.objects })),
    changes,
    notes,
  };
  return { data, text: renderDestroy(data, nonEmpty, session.source), exitCode: EXIT.ok };
}

/**
 * Everything destroy checks before it touches anything; the ZenML servers to
 * deregister from are where the stores were registered, plus --server.
 */
function checkDestroy(
  args: DestroyArgs,
  deps: Deps,
): { session: StackSession; deployment: DeploymentConfig; servers: string[] } {
  const session = prepareSession(args, deps);
  const explicit = args.server !== undefined ? checkServerUrl(args.server, "--server") : undefined;
  checkEndpointUrl(args.endpointUrl);
  if (explicit !== undefined && args.zenml === false) {
    throw new UsageError("--server", "conflicts with --no-zenml");
  }
  if (!args.yes && !deps.io.interactive) {
    throw new UsageError(
      "--yes",
      "is required when not running on a terminal: destroy deletes cloud resources",
    );
  }
  // A config the parser refuses is a usage error before the stack is opened.
  const deployment = session.deployment;
  const servers = new Set(Object.values(session.recorded).flatMap((r) => r.registeredIn ?? []));
  if (explicit !== undefined) servers.add(explicit);
  return { session, deployment, servers: args.zenml === false ? [] : [...servers] };
}

function refuseNonEmpty(nonEmpty: readonly NonEmptyBucket[]): CliError {
  const first = nonEmpty[0];
  const several = nonEmpty.length > 1;
  return new CliError(
    `bucket ${first.bucket} (store ${first.store}) holds ${objects(first.objects)}; nothing was destroyed — pass --force-destroy to delete ${several ? "these buckets" : "it"} with ${several ? "their" : "its"} objects`,
    EXIT.usage,
  );
}

function renderDestroy(
  d: DestroyData,
  nonEmpty: readonly NonEmptyBucket[],
  configFile: string,
): string {
  const lines = [`Stack ${d.stack} destroyed: ${describeChanges(d.changes, true)}.`];
  for (const z of d.deregistered) lines.push(`  ZenML ${z.server}: removed ${z.stores.join(", ")}`);
  for (const n of nonEmpty)
    lines.push(`  ${n.bucket}: deleted with ${objects(n.objects)} (--force-destroy)`);
  lines.push(`  Registration removed from ${configFile}; stacks/${d.stack}.zenml.yaml deleted`);
  for (const n of d.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

/**
 * The recorded stores whose bucket still holds objects. An adopted bucket is
 * never deleted, and one with forceDestroy set is deleted anyway: neither is
 * counted. What cannot be counted is noted; Pulumi refuses a non-empty bucket.
 */
async function nonEmptyBuckets(
  session: StackSession,
  deployment: DeploymentConfig,
  endpointUrl: string | undefined,
  deps: Deps,
): Promise<{ nonEmpty: NonEmptyBucket[]; notes: string[] }> {
  const nonEmpty: NonEmptyBucket[] = [];
  const notes: string[] = [];
  for (const [name, r] of Object.entries(session.recorded)) {
    const bucket = deployment.stores.find((s) => s.name === name)?.bucket;
    if (bucket?.adopt) {
      notes.push(`${name}: adopted bucket ${r.path} is kept (not deleted)`);
      continue;
    }
    if (bucket?.forceDestroy) continue;
    const verifier = await deps.verifierFor(r.backend);
    if (!verifier) {
      notes.push(
        `${name}: cannot count the objects of a ${r.backend} store yet; Pulumi refuses a non-empty bucket`,
      );
      continue;
    }
    try {
      const [store] = await session.storesUnderTest([name]);
      const count = await verifier.countObjects(store, COUNT_LIMIT, { endpointUrl });
      if (count > 0) nonEmpty.push({ store: name, bucket: r.path, objects: count });
    } catch (err) {
      notes.push(
        `${name}: could not count objects (${firstLine((err as Error).message)}); Pulumi refuses a non-empty bucket`,
      );
    }
  }
  return { nonEmpty, notes };
}

/** Removes every recorded store from each ZenML server; notes it in the registration. */
async function deregister(
  session: StackSession,
  servers: readonly string[],
  deps: Deps,
): Promise<{ server: string; stores: string[] }[]> {
  const stores = Object.keys(session.recorded);
  const docs = recordedDocuments(session.recorded);
  const deregistered: { server: string; stores: string[] }[] = [];
  for (const server of servers) {
    await (await session.zenml(server)).remove(docs);
    session.markRegistered(stores, server, false);
    deregistered.push({ server, stores });
    deps.io.err(`Removed the registration of ${stores.join(", ")} from ZenML at ${server}.`);
  }
  return deregistered;
}

/** Sets `bucket.forceDestroy` on the stores whose bucket holds objects (--force-destroy). */
function setForceDestroy(
  session: StackSession,
  deployment: DeploymentConfig,
  nonEmpty: readonly NonEmptyBucket[],
): void {
  session.edit((file) => {
    const stores = [...(file.get(STORES_KEY) as Json[])];
    for (const n of nonEmpty) {
      // The typed stores are the config's stores, in order.
      const i = deployment.stores.findIndex((s) => s.name === n.store);
      if (i < 0) continue;
      const store = stores[i];
      stores[i] = { ...store, bucket: { ...((store.bucket as Json) ?? {}), forceDestroy: true } };
    }
    file.set(STORES_KEY, stores);
  });
}
