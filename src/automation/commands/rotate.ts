import {
  credentialVersion,
  isRotatable,
  rotatableModes,
  versionGeneration,
} from "../../config/rotation";
import { BACKENDS, type DeploymentConfig, type StoreConfig } from "../../config/types";
import type { Deps, Outcome, StackArgs } from "../context";
import { CliError, EXIT, OperationError, UsageError, firstLine } from "../errors";
import { Progress, describeChanges, summaryTotal } from "../progress";
import {
  readRecordedStores,
  recordRegisteredIn,
  registrationsFromOutputs,
  writeRegistrationConfig,
  writeZenmlYaml,
} from "../recordedRegistration";
import { openStack, prepareStack, type OpenedStack } from "../session";
import { providerConfigOf, validateDeployment } from "../storeFlags";
import { checksFailed, renderChecks, verifyStores, type StoreCheck } from "../verification";
import type { ChangeSummary, OutputMap } from "../workspace";
import { serverSettings } from "../zenmlRegistrar";
import {
  PROGRAM_REGISTRATION_TYPE,
  STORES_KEY,
  ZENML_KEY,
  checkEndpointUrl,
  recordedDocuments,
  rel,
  stackApiKey,
  storeUnderTest,
  verifyTimeoutMs,
} from "./shared";
import { isObject } from "../../config/fields";

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

function selectStores(
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
  // Everything is checked before anything is written.
  const prepared = prepareStack(args, deps);
  const source = rel(deps, prepared.configPath);
  if (!prepared.file.existed) {
    throw new UsageError("--stack", `${source} does not exist; run provision first`);
  }
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  const endpointUrl = checkEndpointUrl(args.endpointUrl);
  const config = prepared.file.config;
  const context = providerConfigOf(config);
  const zenmlRaw = config[ZENML_KEY];
  const validate = (stores: unknown): DeploymentConfig =>
    validateDeployment({ raw: { stores, zenml: zenmlRaw }, flags: [] }, context, source);
  const deployment = validate(config[STORES_KEY]);
  const targets = selectStores(deployment, args.store, source);
  const recorded = readRecordedStores(prepared.file);
  const unrecorded = targets.find((t) => recorded[t.name] === undefined);
  if (unrecorded !== undefined) {
    throw new UsageError(
      "--stack",
      `store ${unrecorded.name} has no recorded registration in ${source}; run provision first`,
    );
  }
  if (!args.yes && !deps.io.interactive) {
    throw new UsageError(
      "--yes",
      "is required when not running on a terminal: rotate replaces credentials",
    );
  }

  const opened = await openStack(prepared, args, deps, "select");
  const deployed = deployedVersions(await opened.stack.outputs());
  const plans = targets.map((t) => planRotation(t, deployed[t.name], deps.now()));
  const storesRaw = config[STORES_KEY] as unknown[];
  const phase = (p: RotationPhase): unknown[] => rotatedStoresConfig(storesRaw, plans, p);
  validate(phase("add"));
  validate(phase("retire"));
  const originalText = opened.reread().toString();
  const writeStores = (stores: unknown[]): void => {
    const file = opened.reread();
    file.set(STORES_KEY, stores);
    file.save();
  };
  const restore = (): void => {
    const file = opened.reread();
    if (file.toString() !== originalText) {
      writeStores(storesRaw);
    }
  };
  for (const p of plans) {
    deps.io.err(
      p.resumed
        ? `${p.store}: resuming the rotation to generation ${p.generation}; key ${p.from} stays valid until the new key is verified.`
        : `${p.store}: rotating key ${p.from} to generation ${p.generation}; key ${p.from} stays valid until the new key is verified.`,
    );
  }

  // 1. add: the new key next to the old one.
  writeStores(phase("add"));
  let total: number | undefined;
  try {
    deps.io.err(`Previewing stack ${prepared.name} …`);
    const previewProgress = new Progress(deps.io.err, deps.now, "preview");
    const preview = await opened.stack.preview({ onEvent: previewProgress.onEvent });
    deps.io.err(`Plan: ${describeChanges(preview.changeSummary)}.`);
    const destructive = destructiveChanges(preview.changeSummary);
    if (destructive > 0) {
      throw new OperationError(
        `rotate only adds credentials in its first update, but the preview would delete or replace ${destructive} resource(s) (${describeChanges(preview.changeSummary)}); the stack has other pending changes — run provision first. Nothing was changed`,
      );
    }
    if (!args.yes) {
      const go = await deps.io.confirm(
        `Rotate the credentials of ${plans.map((p) => p.store).join(", ")} in stack ${prepared.name} (${describeChanges(preview.changeSummary)})?`,
      );
      if (!go) throw new CliError("cancelled: nothing was changed", EXIT.failure);
    }
    total = summaryTotal(preview.changeSummary);
  } catch (err) {
    restore();
    throw err;
  }

  deps.io.err(`Adding the new credentials (stack ${prepared.name}) …`);
  const addProgress = new Progress(deps.io.err, deps.now, "apply", total);
  let add: { outputs: OutputMap; changeSummary: ChangeSummary };
  try {
    add = await opened.stack.up({ onEvent: addProgress.onEvent });
  } catch (err) {
    throw new OperationError(
      `adding the new credentials failed: ${firstLine((err as Error).message)}; nothing was deleted and the old keys still work — run rotate --stack ${prepared.name} again to finish`,
    );
  }
  deps.io.err(`Done: ${describeChanges(add.changeSummary, true)}.`);
  const newVersions = deployedVersions(add.outputs);
  const programRegisters = addProgress.types.has(PROGRAM_REGISTRATION_TYPE);
  const zenml = await recordAndRegister(opened, deps, add.outputs, plans, programRegisters);

  // Verify the new credentials before the old ones are deleted.
  deps.io.err("Verifying the new credentials …");
  const after = readRecordedStores(opened.reread());
  const stores = [];
  for (const p of plans) stores.push(await storeUnderTest(opened.stack, p.store, after[p.store]));
  const primary = zenml.primary;
  const registrar =
    primary !== undefined
      ? await deps.connectZenml(
          serverSettings(primary, deps.env, await stackApiKey(opened.stack, deps.env)),
          deps.io.err,
        )
      : undefined;
  const verification = await verifyStores(
    {
      stores,
      zenml: primary !== undefined && registrar ? { server: primary, registrar } : undefined,
      timeoutMs,
      endpointUrl,
    },
    deps,
  );

  if (checksFailed(verification)) {
    // 2'. rollback: the old key (never touched) becomes current again; the new one goes.
    deps.io.err("The new credentials failed verification; rolling back to the old ones …");
    writeStores(phase("rollback"));
    const progress = new Progress(deps.io.err, deps.now, "apply");
    let rollback: { outputs: OutputMap; changeSummary: ChangeSummary };
    try {
      rollback = await opened.stack.up({ onEvent: progress.onEvent });
    } catch (err) {
      throw new OperationError(
        `the new credentials failed verification and rolling back failed too: ${firstLine((err as Error).message)}; the old keys were not deleted — fix the cause and run rotate --stack ${prepared.name} again`,
      );
    }
    await recordAndRegister(opened, deps, rollback.outputs, plans, programRegisters);
    const back = deployedVersions(rollback.outputs);
    const data: RotateData = {
      stack: prepared.name,
      outcome: "rolled-back",
      stores: plans.map((p) => ({
        store: p.store,
        from: p.from,
        to: back[p.store] ?? p.from,
        resumed: p.resumed,
      })),
      updates: { add: add.changeSummary, rollback: rollback.changeSummary },
      zenml: zenml.servers,
      verification,
    };
    return { data, text: renderRotate(data), exitCode: EXIT.verification };
  }

  // 2. retire: only now may the old keys be deleted.
  deps.io.err("Verified. Deleting the old credentials …");
  writeStores(phase("retire"));
  const retireProgress = new Progress(deps.io.err, deps.now, "apply");
  let retire: { changeSummary: ChangeSummary };
  try {
    retire = await opened.stack.up({ onEvent: retireProgress.onEvent });
  } catch (err) {
    throw new OperationError(
      `the new credentials are in use and verified, but deleting the old ones failed: ${firstLine((err as Error).message)}; run provision --stack ${prepared.name} to finish`,
    );
  }
  deps.io.err(`Done: ${describeChanges(retire.changeSummary, true)}.`);
  const data: RotateData = {
    stack: prepared.name,
    outcome: "rotated",
    stores: plans.map((p) => ({
      store: p.store,
      from: p.from,
      to: newVersions[p.store] ?? String(p.generation),
      resumed: p.resumed,
    })),
    updates: { add: add.changeSummary, retire: retire.changeSummary },
    zenml: zenml.servers,
    verification,
  };
  return { data, text: renderRotate(data), exitCode: EXIT.ok };
}

/**
 * After an update: the registration (with the credentials now current) is
 * recorded in the stack config and stacks/<stack>.zenml.yaml, and applied to
 * every ZenML server the script registered the stores in. A server the
 * program itself registers in was updated by the Pulumi update already.
 */
async function recordAndRegister(
  opened: OpenedStack,
  deps: Deps,
  outputs: OutputMap,
  plans: readonly StoreRotationPlan[],
  programRegisters: boolean,
): Promise<{
  servers: { server: string; updatedBy: "program" | "script" }[];
  primary?: string;
}> {
  const deployed = registrationsFromOutputs(outputs);
  await writeRegistrationConfig(opened.reread(), opened.stack, deployed);
  writeZenmlYaml(deps.projectRoot, opened.name, deployed);
  const file = opened.reread();
  const recorded = readRecordedStores(file);
  const configured = configuredServerOf(file.get(ZENML_KEY));
  const names = plans.map((p) => p.store);
  const scriptServers = new Set(names.flatMap((n) => recorded[n]?.registeredIn ?? []));
  if (configured !== undefined && !programRegisters) scriptServers.add(configured);
  const servers: { server: string; updatedBy: "program" | "script" }[] = [];
  if (configured !== undefined && programRegisters) {
    servers.push({ server: configured, updatedBy: "program" });
  }
  const credentials = Object.fromEntries(deployed.map((d) => [d.storeName, { ...d.credentials }]));
  const docs = recordedDocuments(
    Object.fromEntries(names.map((n) => [n, recorded[n]])),
    credentials,
  );
  for (const server of [...scriptServers].sort()) {
    const registrar = await deps.connectZenml(
      serverSettings(server, deps.env, await stackApiKey(opened.stack, deps.env)),
      deps.io.err,
    );
    await registrar.apply(docs);
    recordRegisteredIn(opened.reread(), names, server, true);
    deps.io.err(`Updated the registration of ${names.join(", ")} in ZenML at ${server}.`);
    servers.push({ server, updatedBy: "script" });
  }
  return { servers, primary: configured ?? servers[0]?.server };
}

function configuredServerOf(zenml: unknown): string | undefined {
  const url = isObject(zenml) ? zenml.serverUrl : undefined;
  return typeof url === "string" && url !== "" ? url.replace(/\/+$/, "") : undefined;
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
