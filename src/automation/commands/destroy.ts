import type { Deps, Outcome, StackArgs } from "../context";
import { CliError, EXIT, firstLine } from "../errors";
import { Progress, describeChanges } from "../progress";
import {
  readRecordedStores,
  recordRegisteredIn,
  removeRegistration,
} from "../recordedRegistration";
import { openStack, prepareStack } from "../session";
import type { StackConfigFile } from "../stackConfigFile";
import { UsageError } from "../errors";
import type { ChangeSummary } from "../workspace";
import { serverSettings } from "../zenmlRegistrar";
import {
  STORES_KEY,
  checkEndpointUrl,
  checkServerUrl,
  recordedDocuments,
  rel,
  stackApiKey,
  storeUnderTest,
} from "./shared";

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

function bucketOptions(
  file: StackConfigFile,
): Map<string, { adopt: boolean; forceDestroy: boolean; index: number }> {
  const out = new Map<string, { adopt: boolean; forceDestroy: boolean; index: number }>();
  const stores = file.get(STORES_KEY);
  if (!Array.isArray(stores)) return out;
  stores.forEach((s, index) => {
    if (typeof s !== "object" || s === null) return;
    const store = s as Json;
    const bucket = (
      typeof store.bucket === "object" && store.bucket !== null ? store.bucket : {}
    ) as Json;
    if (typeof store.name === "string") {
      out.set(store.name, {
        adopt: bucket.adopt === true,
        forceDestroy: bucket.forceDestroy === true,
        index,
      });
    }
  });
  return out;
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
  const prepared = prepareStack(args, deps);
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
  const recorded = readRecordedStores(prepared.file);
  const options = bucketOptions(prepared.file);
  const opened = await openStack(prepared, args, deps, "select");
  const notes: string[] = [];

  // 1. Read-only checks: which buckets still hold objects.
  const nonEmpty: { store: string; bucket: string; objects: number }[] = [];
  for (const [name, r] of Object.entries(recorded)) {
    const opts = options.get(name);
    if (opts?.adopt) {
      notes.push(`${name}: adopted bucket ${r.path} is kept (not deleted)`);
      continue;
    }
    if (opts?.forceDestroy) continue;
    const verifier = await deps.verifierFor(r.backend);
    if (!verifier) {
      notes.push(
        `${name}: cannot count the objects of a ${r.backend} store yet; Pulumi refuses a non-empty bucket`,
      );
      continue;
    }
    try {
      const store = await storeUnderTest(opened.stack, name, r);
      const count = await verifier.countObjects(store, COUNT_LIMIT, {
        endpointUrl: args.endpointUrl,
      });
      if (count > 0) nonEmpty.push({ store: name, bucket: r.path, objects: count });
    } catch (err) {
      notes.push(
        `${name}: could not count objects (${firstLine((err as Error).message)}); Pulumi refuses a non-empty bucket`,
      );
    }
  }
  if (nonEmpty.length > 0 && !args.forceDestroy) {
    const first = nonEmpty[0];
    throw new CliError(
      `bucket ${first.bucket} (store ${first.store}) holds ${objects(first.objects)}; nothing was destroyed — pass --force-destroy to delete ${nonEmpty.length > 1 ? "these buckets" : "it"} with ${nonEmpty.length > 1 ? "their" : "its"} objects`,
      EXIT.usage,
    );
  }

  const servers = new Set<string>(Object.values(recorded).flatMap((r) => r.registeredIn ?? []));
  if (explicit !== undefined) servers.add(explicit);
  if (args.zenml === false) servers.clear();
  if (!args.yes) {
    const what = [
      `stack ${prepared.name}`,
      ...(servers.size > 0 ? [`ZenML registrations in ${[...servers].join(", ")}`] : []),
      ...nonEmpty.map((n) => `${objects(n.objects)} in ${n.bucket}`),
    ].join("; ");
    if (!(await deps.io.confirm(`Destroy ${what}?`))) {
      throw new CliError("cancelled: nothing was destroyed", EXIT.failure);
    }
  }

  // 2. ZenML registrations first.
  const deregistered: { server: string; stores: string[] }[] = [];
  const docs = recordedDocuments(recorded);
  for (const server of servers) {
    const registrar = await deps.connectZenml(
      serverSettings(server, deps.env, await stackApiKey(opened.stack, deps.env)),
      deps.io.err,
    );
    await registrar.remove(docs);
    recordRegisteredIn(opened.reread(), Object.keys(recorded), server, false);
    deregistered.push({ server, stores: Object.keys(recorded) });
    deps.io.err(
      `Removed the registration of ${Object.keys(recorded).join(", ")} from ZenML at ${server}.`,
    );
  }

  // 3. Let Pulumi delete non-empty buckets when asked to.
  if (nonEmpty.length > 0) {
    const file = opened.reread();
    const stores = file.get(STORES_KEY) as Json[];
    for (const n of nonEmpty) {
      const i = options.get(n.store)?.index;
      if (i === undefined) continue;
      const store = stores[i];
      stores[i] = { ...store, bucket: { ...((store.bucket as Json) ?? {}), forceDestroy: true } };
    }
    file.set(STORES_KEY, stores);
    file.save();
    deps.io.err(`Setting forceDestroy on ${nonEmpty.map((n) => n.bucket).join(", ")} …`);
    const progress = new Progress(deps.io.err, deps.now, "apply");
    await opened.stack.up({ onEvent: progress.onEvent });
  }

  // 4. The infrastructure.
  deps.io.err(`Destroying stack ${prepared.name} …`);
  const progress = new Progress(deps.io.err, deps.now, "apply");
  const result = await opened.stack.destroy({ onEvent: progress.onEvent });
  removeRegistration(opened.reread(), deps.projectRoot, prepared.name);

  const data: DestroyData = {
    stack: prepared.name,
    deregistered,
    emptied: nonEmpty.map((n) => ({ store: n.store, objects: n.objects })),
    changes: result.changeSummary,
    notes,
  };
  const lines = [
    `Stack ${prepared.name} destroyed: ${describeChanges(result.changeSummary, true)}.`,
  ];
  for (const d of deregistered) lines.push(`  ZenML ${d.server}: removed ${d.stores.join(", ")}`);
  for (const n of nonEmpty)
    lines.push(`  ${n.bucket}: deleted with ${objects(n.objects)} (--force-destroy)`);
  lines.push(
    `  Registration removed from ${rel(deps, prepared.configPath)}; stacks/${prepared.name}.zenml.yaml deleted`,
  );
  for (const n of notes) lines.push(`  note: ${n}`);
  return { data, text: lines.join("\n"), exitCode: EXIT.ok };
}
