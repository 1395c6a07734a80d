import type { DeploymentConfig } from "../../config/types";
import { describeAuth, type StoreAuth, type StoreRegistration } from "../../zenml/model";
import { auditStores, type StoreAudit } from "../baseline";
import type { Deps, Outcome, StackArgs } from "../context";
import { CliError, EXIT } from "../errors";
import { Progress, describeChanges, summaryTotal } from "../progress";
import {
  recordRegisteredIn,
  registrationsFromOutputs,
  writeRegistrationConfig,
  writeZenmlYaml,
} from "../recordedRegistration";
import { checkStackArgs, cliOptions, openStack, prepareStack } from "../session";
import type { StackConfigFile } from "../stackConfigFile";
import {
  applyStoreFlags,
  checkProjectKeys,
  providerConfigOf,
  validateDeployment,
  type FlaggedDeployment,
  type StoreFlags,
} from "../storeFlags";
import { UsageError } from "../errors";
import { checksFailed, renderChecks, verifyStores, type StoreCheck } from "../verification";
import type { ChangeSummary } from "../workspace";
import { serverSettings, type RegisteredStore } from "../zenmlRegistrar";
import {
  PROGRAM_REGISTRATION_TYPE,
  STORES_KEY,
  checkEndpointUrl,
  ZENML_KEY,
  rel,
  refusePlainSecrets,
  stackApiKey,
  storeUnderTest,
  verifyTimeoutMs,
  recordedDocuments,
} from "./shared";
import { readRecordedStores } from "../recordedRegistration";

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

/** Writes the flags' changes to `stores` and `zenml` in the stack config; true when anything changed. */
export function writeFlaggedConfig(file: StackConfigFile, flagged: FlaggedDeployment): boolean {
  let changed = false;
  const put = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (JSON.stringify(file.get(key)) === JSON.stringify(value)) return;
    file.set(key, value);
    changed = true;
  };
  put(STORES_KEY, flagged.raw.stores);
  put(ZENML_KEY, flagged.raw.zenml);
  if (changed) file.save();
  return changed;
}

/**
 * provision: config from flags (validated first) → create/select the stack →
 * preview and confirm → up with progress → registration written into the stack
 * config and stacks/<stack>.zenml.yaml → ZenML registration (when a server is
 * configured) → verification.
 */
export async function provision(args: ProvisionArgs, deps: Deps): Promise<Outcome<ProvisionData>> {
  // Everything is checked before anything is written, in the order a newcomer
  // meets the prerequisites: the Pulumi CLI, the passphrase (prepareStack), the
  // config, then the confirmation.
  checkStackArgs(args);
  await deps.findPulumiCli(cliOptions(args), (line) => deps.io.err(line));
  const prepared = prepareStack(args, deps);
  const source = rel(deps, prepared.configPath);
  const config = prepared.file.config;
  checkProjectKeys(config, source);
  refusePlainSecrets(config, source);
  const flagged = applyStoreFlags({ stores: config[STORES_KEY], zenml: config[ZENML_KEY] }, args);
  const deployment = validateDeployment(flagged, providerConfigOf(config), source);
  const timeoutMs = verifyTimeoutMs(args.verifyTimeout);
  checkEndpointUrl(args.endpointUrl);
  if (!args.yes && !deps.io.interactive) {
    throw new UsageError(
      "--yes",
      "is required when not running on a terminal: provision changes cloud resources",
    );
  }

  const opened = await openStack(prepared, args, deps, "create");
  const before = opened.reread();
  const originalText = before.existed ? before.toString() : undefined;
  const configChanged = writeFlaggedConfig(before, flagged);
  if (configChanged) deps.io.err(`Updated ${source} from the flags.`);

  deps.io.err(`Previewing stack ${prepared.name} …`);
  const previewProgress = new Progress(deps.io.err, deps.now, "preview");
  const preview = await opened.stack.preview({ onEvent: previewProgress.onEvent });
  deps.io.err(`Plan: ${describeChanges(preview.changeSummary)}.`);
  if (!args.yes) {
    const go = await deps.io.confirm(
      `Provision stack ${prepared.name} (${describeChanges(preview.changeSummary)})?`,
    );
    if (!go) {
      if (configChanged && originalText !== undefined) {
        const file = opened.reread();
        if (file.toString() !== originalText) {
          const { writeFileAtomic } = await import("../atomicWrite");
          writeFileAtomic(prepared.configPath, originalText);
        }
      }
      throw new CliError("cancelled: nothing was changed in the cloud", EXIT.failure);
    }
  }

  deps.io.err(`Updating stack ${prepared.name} …`);
  const progress = new Progress(
    deps.io.err,
    deps.now,
    "apply",
    summaryTotal(preview.changeSummary),
  );
  const up = await opened.stack.up({ onEvent: progress.onEvent });
  deps.io.err(`Done: ${describeChanges(up.changeSummary, true)}.`);

  const deployed = registrationsFromOutputs(up.outputs);
  await writeRegistrationConfig(opened.reread(), opened.stack, deployed);
  const zenmlYaml = writeZenmlYaml(deps.projectRoot, prepared.name, deployed);
  deps.io.err(`Recorded the registration in ${source} and ${rel(deps, zenmlYaml)}.`);
  const adoptedBaseline = await auditAdoptedBuckets(deployment, deployed, args.endpointUrl, deps);

  let zenml: ProvisionData["zenml"];
  let registrar;
  const server = deployment.zenml.serverUrl;
  if (server !== undefined) {
    registrar = await deps.connectZenml(
      serverSettings(server, deps.env, await stackApiKey(opened.stack, deps.env)),
      deps.io.err,
    );
    if (progress.types.has(PROGRAM_REGISTRATION_TYPE)) {
      zenml = { server, registeredBy: "program", registered: [] };
    } else {
      const docs = recordedDocuments(
        readRecordedStores(opened.reread()),
        Object.fromEntries(deployed.map((d) => [d.storeName, { ...d.credentials }])),
      );
      const registered = await registrar.apply(docs);
      recordRegisteredIn(
        opened.reread(),
        deployed.map((d) => d.storeName),
        server,
        true,
      );
      zenml = { server, registeredBy: "script", registered };
      deps.io.err(`Registered ${registered.length} store(s) in ZenML at ${server}.`);
    }
  }

  let verification: StoreCheck[] | undefined;
  if (args.verify !== false) {
    deps.io.err("Verifying …");
    const recorded = readRecordedStores(opened.reread());
    const stores = await Promise.all(
      Object.entries(recorded).map(([name, r]) => storeUnderTest(opened.stack, name, r)),
    );
    verification = await verifyStores(
      {
        stores,
        zenml: server !== undefined && registrar ? { server, registrar } : undefined,
        timeoutMs,
        endpointUrl: args.endpointUrl,
      },
      deps,
    );
  }

  const data: ProvisionData = {
    stack: prepared.name,
    configFile: source,
    configChanged,
    zenmlYaml: rel(deps, zenmlYaml),
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
