import type { StoreConfig } from "../../config/types";
import type { Deps, Outcome, StackArgs } from "../context";
import { firstLine } from "../../config/text";
import { EXIT, OperationError, UsageError } from "../errors";
import { describeChanges } from "../progress";
import {
  deployedVersions,
  destructiveChanges,
  planRotation,
  rotatedStoresConfig,
  selectStores,
  type RotationPhase,
  type StoreRotationPlan,
} from "../rotationPlan";
import { prepareSession, type StackSession, type Update } from "../session";
import { STORES_KEY } from "../stackConfigFile";
import { checksFailed, renderChecks, type StoreCheck } from "../verification";
import type { ChangeSummary } from "../workspace";
import {
  PROGRAM_REGISTRATION_TYPE,
  checkEndpointUrl,
  recordedDocuments,
  verifyTimeoutMs,
} from "./shared";

export interface RotateArgs extends StackArgs {
  /** Rotate only this store; default: every store whose credential this project mints. */
  readonly store?: string;
  /** Do not ask before replacing credentials. */
  readonly yes?: boolean;
  /** Seconds. */
  readonly verifyTimeout?: number;
  readonly endpointUrl?: string;
}

export interface RotatedStore {
  readonly store: string;
  /** The credential version in use before. */
  readonly from: string;
  /** The version in use now (after a rollback, `from` again). */
  readonly to: string;
  /** This run finished a rotation an earlier run left half-way. */
  readonly resumed: boolean;
}

export interface RotateData {
  readonly stack: string;
  readonly outcome: "rotated" | "rolled-back";
  readonly stores: readonly RotatedStore[];
  /** The updates run: add the new key (old one kept), then retire the old one (or roll back). */
  readonly updates: {
    readonly add: ChangeSummary;
    readonly retire?: ChangeSummary;
    readonly rollback?: ChangeSummary;
  };
  /** ZenML servers whose registration now holds the new credential, and who updated it. */
  readonly zenml: readonly { readonly server: string; readonly updatedBy: "program" | "script" }[];
  readonly verification: readonly StoreCheck[];
}

/** A ZenML server whose registration holds the current credential, and who updated it. */
interface ZenmlUpdate {
  readonly server: string;
  readonly updatedBy: "program" | "script";
}

/** The stores to rotate and the stack config's `stores` for each phase. */
interface Rotation {
  readonly plans: readonly StoreRotationPlan[];
  readonly storesFor: (phase: RotationPhase) => unknown[];
}

/**
 * rotate: replaces each selected store's minted credential without a moment in
 * which ZenML holds a key that does not work. Two Pulumi updates:
 *
 * 1. add — `credentialGeneration` is bumped and the deployed key is listed in
 *    `keepCredentials`, so the update creates the new key and deletes nothing;
 *    the registration is recorded again and ZenML gets the new key (the
 *    program's connector is updated by the same update, or the script applies
 *    it); then the new key is verified (storage probe and ZenML's connector
 *    check, retried while IAM changes propagate).
 * 2. retire — only after verification passed, `keepCredentials` is cleared and
 *    the second update deletes the old key.
 *
 * If verification fails, the stack is rolled back instead: the new key is
 * deleted, ZenML gets the old key (which was never touched) again, exit 3.
 * If a run stops half-way, `keepCredentials` still names the old key: running
 * rotate again finishes that rotation instead of starting another.
 */
export async function rotate(args: RotateArgs, deps: Deps): Promise<Outcome<RotateData>> {
  const { session, targets, timeoutMs, endpointUrl } = checkRotate(args, deps);
  await session.open("select");
  const rotation = await planRotations(session, targets, deps);
  const add = await addNewKeys(session, rotation, args.yes);
  const programRegisters = add.types.has(PROGRAM_REGISTRATION_TYPE);
  const zenml = await recordAndRegister(session, add, rotation.plans, programRegisters, deps);

  // Verify the new credentials before the old ones are deleted.
  deps.io.err("Verifying the new credentials …");
  const stores = await session.storesUnderTest(rotation.plans.map((p) => p.store));
  const server = session.configuredServer ?? zenml[0]?.server;
  const verification = await session.verify(stores, { server, timeoutMs, endpointUrl });
  if (checksFailed(verification)) {
    const rollback = await rollBack(session, rotation, programRegisters, deps);
    return rotateOutcome(session.name, rotation.plans, { add, rollback }, zenml, verification);
  }
  const retire = await retireOldKeys(session, rotation);
  return rotateOutcome(session.name, rotation.plans, { add, retire }, zenml, verification);
}

/** What rotate has checked before it writes anything. */
interface CheckedRotate {
  readonly session: StackSession;
  readonly targets: readonly StoreConfig[];
  readonly timeoutMs: number;
  readonly endpointUrl?: string;
}

/** Everything rotate checks before anything is written. */
function checkRotate(args: RotateArgs, deps: Deps): CheckedRotate {
  const session = prepareSession(args, deps);
  if (!session.existed) {
    throw new UsageError("--stack", `${session.source} does not exist; run provision first`);
  }
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  const endpointUrl = checkEndpointUrl(args.endpointUrl);
  const targets = selectStores(session.deployment, args.store, session.source);
  const unrecorded = targets.find((t) => session.recorded[t.name] === undefined);
  if (unrecorded !== undefined) {
    throw new UsageError(
      "--stack",
      `store ${unrecorded.name} has no recorded registration in ${session.source}; run provision first`,
    );
  }
  if (!args.yes && !deps.io.interactive) {
    throw new UsageError(
      "--yes",
      "is required when not running on a terminal: rotate replaces credentials",
    );
  }
  return { session, targets, timeoutMs, endpointUrl };
}

/**
 * Each target's rotation, from the versions the stack has deployed. The stack
 * config of both phases is validated before either is written.
 */
async function planRotations(
  session: StackSession,
  targets: readonly StoreConfig[],
  deps: Deps,
): Promise<Rotation> {
  const deployed = deployedVersions(await session.stack.outputs());
  const plans = targets.map((t) => planRotation(t, deployed[t.name], deps.now()));
  const { stores, zenml } = session.raw;
  const storesFor = (phase: RotationPhase): unknown[] =>
    rotatedStoresConfig(stores as unknown[], plans, phase);
  for (const phase of ["add", "retire"] as const) {
    session.validate({ raw: { stores: storesFor(phase), zenml }, flags: [] });
  }
  for (const p of plans) {
    deps.io.err(
      p.resumed
        ? `${p.store}: resuming the rotation to generation ${p.generation}; key ${p.from} stays valid until the new key is verified.`
        : `${p.store}: rotating key ${p.from} to generation ${p.generation}; key ${p.from} stays valid until the new key is verified.`,
    );
  }
  return { plans, storesFor };
}

/** Writes the stack config's `stores` for a phase of the rotation. */
function writePhase(session: StackSession, rotation: Rotation, phase: RotationPhase): void {
  session.edit((file) => file.set(STORES_KEY, rotation.storesFor(phase)));
}

/**
 * 1. add: the new key next to the old one. A preview that would delete or
 * replace anything (other pending changes), or a "no", restores the config.
 */
async function addNewKeys(
  session: StackSession,
  rotation: Rotation,
  yes: boolean | undefined,
): Promise<Update> {
  writePhase(session, rotation, "add");
  let planned: ChangeSummary;
  try {
    planned = await session.preview();
    const destructive = destructiveChanges(planned);
    if (destructive > 0) {
      throw new OperationError(
        `rotate only adds credentials in its first update, but the preview would delete or replace ${destructive} resource(s) (${describeChanges(planned)}); the stack has other pending changes — run provision first. Nothing was changed`,
      );
    }
  } catch (err) {
    session.restore();
    throw err;
  }
  const stores = rotation.plans.map((p) => p.store).join(", ");
  return session.confirmThenUp(
    planned,
    {
      yes,
      question: `Rotate the credentials of ${stores} in stack ${session.name} (${describeChanges(planned)})?`,
      cancelled: "cancelled: nothing was changed",
    },
    {
      announce: `Adding the new credentials (stack ${session.name}) …`,
      failed: (reason) =>
        new OperationError(
          `adding the new credentials failed: ${firstLine(reason)}; nothing was deleted and the old keys still work — run rotate --stack ${session.name} again to finish`,
        ),
    },
  );
}

/** 2'. rollback: the old key (never touched) becomes current again; the new one goes. */
async function rollBack(
  session: StackSession,
  rotation: Rotation,
  programRegisters: boolean,
  deps: Deps,
): Promise<Update> {
  writePhase(session, rotation, "rollback");
  const rollback = await session.up({
    announce: "The new credentials failed verification; rolling back to the old ones …",
    failed: (reason) =>
      new OperationError(
        `the new credentials failed verification and rolling back failed too: ${firstLine(reason)}; the old keys were not deleted — fix the cause and run rotate --stack ${session.name} again`,
      ),
  });
  await recordAndRegister(session, rollback, rotation.plans, programRegisters, deps);
  return rollback;
}

/** 2. retire: only after verification may the old keys be deleted. */
async function retireOldKeys(session: StackSession, rotation: Rotation): Promise<Update> {
  writePhase(session, rotation, "retire");
  return session.up({
    announce: "Verified. Deleting the old credentials …",
    failed: (reason) =>
      new OperationError(
        `the new credentials are in use and verified, but deleting the old ones failed: ${firstLine(reason)}; run provision --stack ${session.name} to finish`,
      ),
  });
}

/**
 * After an update: the registration (with the credentials now current) is
 * recorded in the stack config and stacks/<stack>.zenml.yaml, and applied to
 * every ZenML server the script registered the stores in. A server the
 * program itself registers in was updated by the Pulumi update already.
 */
async function recordAndRegister(
  session: StackSession,
  update: Update,
  plans: readonly StoreRotationPlan[],
  programRegisters: boolean,
  deps: Deps,
): Promise<ZenmlUpdate[]> {
  const deployed = await session.record(update.outputs);
  const names = plans.map((p) => p.store);
  const configured = session.configuredServer;
  const scriptServers = new Set(names.flatMap((n) => session.recorded[n]?.registeredIn ?? []));
  if (configured !== undefined && !programRegisters) scriptServers.add(configured);
  const servers: ZenmlUpdate[] =
    configured !== undefined && programRegisters
      ? [{ server: configured, updatedBy: "program" }]
      : [];
  const docs = recordedDocuments(
    Object.fromEntries(names.map((n) => [n, session.recorded[n]])),
    Object.fromEntries(deployed.map((d) => [d.storeName, { ...d.credentials }])),
  );
  for (const server of [...scriptServers].sort()) {
    await (await session.zenml(server)).apply(docs);
    session.markRegistered(names, server, true);
    deps.io.err(`Updated the registration of ${names.join(", ")} in ZenML at ${server}.`);
    servers.push({ server, updatedBy: "script" });
  }
  return servers;
}

/** The result: each store's versions before and after, the updates run, ZenML, the checks. */
function rotateOutcome(
  stack: string,
  plans: readonly StoreRotationPlan[],
  updates: { add: Update; retire?: Update; rollback?: Update },
  zenml: readonly ZenmlUpdate[],
  verification: readonly StoreCheck[],
): Outcome<RotateData> {
  const { add, retire, rollback } = updates;
  // After a rollback the versions in use are the rollback's; else the add's.
  const current = deployedVersions((rollback ?? add).outputs);
  const data: RotateData = {
    stack,
    outcome: rollback !== undefined ? "rolled-back" : "rotated",
    stores: plans.map((p) => ({
      store: p.store,
      from: p.from,
      to: current[p.store] ?? (rollback !== undefined ? p.from : String(p.generation)),
      resumed: p.resumed,
    })),
    updates: {
      add: add.changeSummary,
      ...(retire !== undefined ? { retire: retire.changeSummary } : {}),
      ...(rollback !== undefined ? { rollback: rollback.changeSummary } : {}),
    },
    zenml,
    verification,
  };
  return {
    data,
    text: renderRotate(data),
    exitCode: rollback !== undefined ? EXIT.verification : EXIT.ok,
  };
}

export function renderRotate(d: RotateData): string {
  const lines =
    d.outcome === "rotated"
      ? [`Rotated the credentials of stack ${d.stack}:`]
      : [
          `Rotation of stack ${d.stack} FAILED verification and was rolled back: the old credentials are in use again.`,
        ];
  for (const s of d.stores) {
    lines.push(
      d.outcome === "rotated"
        ? `  ${s.store}: key ${s.from} → ${s.to}${s.resumed ? " (resumed)" : ""}; key ${s.from} deleted`
        : `  ${s.store}: key ${s.to} in use; the new key was deleted`,
    );
  }
  lines.push(
    `Updates: add ${describeChanges(d.updates.add, true)}; ${
      d.updates.retire !== undefined
        ? `retire ${describeChanges(d.updates.retire, true)}`
        : `rollback ${describeChanges(d.updates.rollback ?? {}, true)}`
    }`,
  );
  for (const z of d.zenml) {
    lines.push(
      `ZenML ${z.server}: ${z.updatedBy === "program" ? "connector updated by the Pulumi program" : "registration updated"}`,
    );
  }
  if (d.zenml.length === 0) lines.push("ZenML: no server registered; nothing to update there");
  lines.push(
    `Verification: ${checksFailed(d.verification) ? "FAILED" : "passed"}`,
    ...renderChecks(d.verification),
  );
  return lines.join("\n");
}
