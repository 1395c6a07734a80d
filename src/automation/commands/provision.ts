import type { DeploymentConfig } from "../../config/types";
import { describeAuth, type StoreAuth, type StoreRegistration } from "../../zenml/model";
import { auditStores, type StoreAudit } from "../../verify/baseline";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { describeChanges } from "../progress";
import { rel, zenmlYamlPath } from "../project";
import { checkStackArgs, cliOptions, prepareSession, type StackSession } from "../session";
import { STORES_KEY, ZENML_KEY, type StackConfigFile } from "../stackConfigFile";
import {
  applyStoreFlags,
  checkProjectKeys,
  type FlaggedDeployment,
  type StoreFlags,
} from "../storeFlags";
import { checksFailed, renderChecks, type StoreCheck } from "../verification";
import type { ChangeSummary } from "../workspace";
import type { RegisteredStore } from "../zenmlRegistrar";
import {
  PROGRAM_REGISTRATION_TYPE,
  checkEndpointUrl,
  recordedDocuments,
  refusePlainSecrets,
  verifyTimeoutMs,
} from "./shared";

export interface ProvisionArgs extends StackArgs, StoreFlags {
  /** Do not ask before changing the cloud. */
  readonly yes?: boolean;
  /** False with `--no-verify`. */
  readonly verify?: boolean;
  /** Seconds. */
  readonly verifyTimeout?: number;
  readonly endpointUrl?: string;
}

export interface ProvisionData {
  readonly stack: string;
  readonly configFile: string;
  readonly configChanged: boolean;
  readonly zenmlYaml: string;
  readonly changes: ChangeSummary;
  readonly stores: readonly {
    name: string;
    backend: string;
    path: string;
    auth: StoreAuth;
  }[];
  readonly zenml?: {
    readonly server: string;
    /** `program`: the Pulumi program registers (and `pulumi destroy` deregisters); `script`: provision applied it. */
    readonly registeredBy: "program" | "script";
    readonly registered: readonly RegisteredStore[];
  };
  readonly verification?: readonly StoreCheck[];
  /** The baseline audit of each adopted bucket (warnings only: provision never changes one). */
  readonly adoptedBaseline?: readonly StoreAudit[];
}

/** Sets the flags' changes to `stores` and `zenml` in the stack config; true when anything changed. */
export function setFlaggedConfig(file: StackConfigFile, flagged: FlaggedDeployment): boolean {
  let changed = false;
  const put = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (JSON.stringify(file.get(key)) === JSON.stringify(value)) return;
    file.set(key, value);
    changed = true;
  };
  put(STORES_KEY, flagged.raw.stores);
  put(ZENML_KEY, flagged.raw.zenml);
  return changed;
}

/** What provision has checked before it writes anything. */
interface CheckedProvision {
  readonly session: StackSession;
  readonly flagged: FlaggedDeployment;
  readonly deployment: DeploymentConfig;
  readonly timeoutMs: number;
}

/**
 * Everything is checked before anything is written, in the order a newcomer
 * meets the prerequisites: the Pulumi CLI, the passphrase (prepareSession), the
 * config, then the confirmation.
 */
async function checkProvision(args: ProvisionArgs, deps: Deps): Promise<CheckedProvision> {
  checkStackArgs(args);
  await deps.findPulumiCli(cliOptions(args), (line) => deps.io.err(line));
  const session = prepareSession(args, deps);
  checkProjectKeys(session.config, session.source);
  refusePlainSecrets(session.config, session.source);
  const flagged = applyStoreFlags(session.raw, args);
  const deployment = session.validate(flagged);
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  checkEndpointUrl(args.endpointUrl);
  if (!args.yes && !deps.io.interactive) {
    throw new UsageError(
      "--yes",
      "is required when not running on a terminal: provision changes cloud resources",
    );
  }
  return { session, flagged, deployment, timeoutMs };
}

/**
 * provision: config from flags (validated first) → create/select the stack →
 * preview and confirm → up with progress → registration written into the stack
 * config and stacks/<stack>.zenml.yaml → ZenML registration (when a server is
 * configured) → verification.
 */
export async function provision(args: ProvisionArgs, deps: Deps): Promise<Outcome<ProvisionData>> {
  const { session, flagged, deployment, timeoutMs } = await checkProvision(args, deps);
  await session.open("create");
  const configChanged = session.edit((file) => setFlaggedConfig(file, flagged));
  if (configChanged) deps.io.err(`Updated ${session.source} from the flags.`);

  const planned = await session.preview();
  const up = await session.confirmThenUp(
    planned,
    {
      yes: args.yes,
      question: `Provision stack ${session.name} (${describeChanges(planned)})?`,
      cancelled: "cancelled: nothing was changed in the cloud",
    },
    { announce: `Updating stack ${session.name} …` },
  );

  const deployed = await session.record(up.outputs);
  const zenmlYaml = rel(deps, zenmlYamlPath(deps.projectRoot, session.name));
  deps.io.err(`Recorded the registration in ${session.source} and ${zenmlYaml}.`);
  const adoptedBaseline = await auditAdoptedBuckets(deployment, deployed, args.endpointUrl, deps);
  const server = deployment.zenml.serverUrl;
  const zenml =
    server !== undefined
      ? await registerInZenml(
          session,
          server,
          deployed,
          up.types.has(PROGRAM_REGISTRATION_TYPE),
          deps,
        )
      : undefined;
  let verification: StoreCheck[] | undefined;
  if (args.verify !== false) {
    deps.io.err("Verifying …");
    verification = await session.verify(await session.storesUnderTest(), {
      server,
      timeoutMs,
      endpointUrl: args.endpointUrl,
    });
  }

  const data: ProvisionData = {
    stack: session.name,
    configFile: session.source,
    configChanged,
    zenmlYaml,
    changes: up.changeSummary,
    stores: deployed.map((d) => ({
      name: d.storeName,
      backend: d.backend,
      path: d.path,
      auth: d.auth,
    })),
    ...(zenml ? { zenml } : {}),
    ...(verification ? { verification } : {}),
    ...(adoptedBaseline.length > 0 ? { adoptedBaseline } : {}),
  };
  const failed = verification !== undefined && checksFailed(verification);
  return { data, text: renderProvision(data), exitCode: failed ? EXIT.verification : EXIT.ok };
}

/**
 * The ZenML registration: left to the program when the update registered the
 * stores itself; else the script applies the recorded documents, with the
 * credentials the update returned, and notes where.
 */
async function registerInZenml(
  session: StackSession,
  server: string,
  deployed: readonly StoreRegistration[],
  programRegisters: boolean,
  deps: Deps,
): Promise<NonNullable<ProvisionData["zenml"]>> {
  if (programRegisters) return { server, registeredBy: "program", registered: [] };
  const docs = recordedDocuments(
    session.recorded,
    Object.fromEntries(deployed.map((d) => [d.storeName, { ...d.credentials }])),
  );
  const registered = await (await session.zenml(server)).apply(docs);
  session.markRegistered(
    deployed.map((d) => d.storeName),
    server,
    true,
  );
  deps.io.err(`Registered ${registered.length} store(s) in ZenML at ${server}.`);
  return { server, registeredBy: "script", registered };
}

export function renderProvision(d: ProvisionData): string {
  const lines = [`Stack ${d.stack} provisioned: ${describeChanges(d.changes, true)}.`];
  for (const s of d.stores)
    lines.push(`  ${s.name} (${s.backend}): ${s.path} — ${describeAuth(s.auth)}`);
  lines.push(`Registration: ${d.configFile} (credentials encrypted), ${d.zenmlYaml}`);
  if (d.zenml) {
    lines.push(
      d.zenml.registeredBy === "program"
        ? `ZenML: registered by the Pulumi program in ${d.zenml.server}`
        : `ZenML: registered in ${d.zenml.server} (${d.zenml.registered.length} store(s))`,
    );
  } else {
    lines.push("ZenML: no server configured; apply the registration with `register --server URL`");
  }
  if (d.verification) {
    lines.push(
      `Verification: ${checksFailed(d.verification) ? "FAILED" : "passed"}`,
      ...renderChecks(d.verification),
    );
  } else {
    lines.push("Verification: skipped (--no-verify)");
  }
  return lines.join("\n");
}

/**
 * Adopted buckets are used as they are: each is audited against the baseline
 * with the operator's credentials and every deviation is a warning. Provision
 * never changes an adopted bucket, and a deviation does not fail it.
 */
async function auditAdoptedBuckets(
  deployment: DeploymentConfig,
  deployed: readonly StoreRegistration[],
  endpointUrl: string | undefined,
  deps: Deps,
): Promise<StoreAudit[]> {
  const adopted = new Map(
    deployment.stores.filter((s) => s.bucket.adopt).map((s) => [s.name, s.bucket]),
  );
  const stores = deployed.filter((d) => adopted.has(d.storeName));
  if (stores.length === 0) return [];
  deps.io.err(`Auditing ${stores.length} adopted bucket(s) against the baseline …`);
  const audits = await auditStores(
    stores,
    (store) => adopted.get(store.storeName)!,
    endpointUrl,
    deps.baselineAuditorFor,
  );
  for (const a of audits) {
    for (const d of a.deviations) {
      deps.io.err(
        `warning: adopted bucket of store ${d.store}: ${d.setting}: found ${d.found}, expected ${d.expected} — ${d.risk} (left unchanged)`,
      );
    }
    for (const u of a.unreadable) {
      deps.io.err(
        `warning: adopted bucket of store ${a.store}: ${u.setting}: could not read (${u.reason})`,
      );
    }
  }
  return audits;
}
