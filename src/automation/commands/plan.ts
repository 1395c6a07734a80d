import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { CommonArgs, Deps, Outcome } from "../context";
import { EXIT, OperationError, UsageError } from "../errors";
import {
  ProgramError,
  evaluateOffline,
  type OfflineOptions,
  type OfflineEvaluation,
} from "../../plan/offline";
import { PLACEHOLDER_SECRET, placeholderStoreSecret } from "../../plan/placeholders";
import { buildPlanReport, renderPlanText, type PlanReport } from "../../plan/report";
import { checkEmitDir, emitArtefacts, type EmittedArtefacts } from "../emit";
import { PROJECT_NAME } from "../../config/keys";
import { checkStackName, rel, stackConfigPath } from "../project";
import {
  STORES_KEY,
  ZENML_KEY,
  StackConfigFile,
  containsSecure,
  fullKey,
  replaceSecure,
} from "../stackConfigFile";
import {
  applyStoreFlags,
  checkProjectKeys,
  providerConfigOf,
  validateDeployment,
  type StoreFlags,
} from "../storeFlags";
import { STORE_SECRETS_KEY, setSecretCommand, storeSecretFields } from "../../config/storeSecrets";
import type { StoreConfig } from "../../config/types";
import { refusePlainSecrets } from "./shared";

export interface PlanArgs extends CommonArgs, StoreFlags {
  readonly offline?: boolean;
  readonly stack?: string;
  /** A stack config file to plan from instead of stacks/Pulumi.<stack>.yaml. */
  readonly config?: string;
  /** A directory to write the ZenML registration document and `zenml` CLI script to. */
  readonly emit?: string;
}

/** The plan, and the files `--emit` wrote. */
export type PlanData = PlanReport & { readonly emitted?: EmittedArtefacts };

type Json = Record<string, unknown>;

/** Pulumi.yaml's declared config: defaults to apply, and keys Pulumi requires. */
export function projectConfig(projectRoot: string): { defaults: Json; required: string[] } {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(path.join(projectRoot, "Pulumi.yaml"), "utf8"));
  } catch {
    return { defaults: {}, required: [] };
  }
  const declared = (doc as { config?: unknown })?.config;
  const defaults: Json = {};
  const required: string[] = [];
  if (typeof declared !== "object" || declared === null) return { defaults, required };
  for (const [key, spec] of Object.entries(declared as Json)) {
    const full = fullKey(key);
    if (typeof spec === "object" && spec !== null && ("default" in spec || "value" in spec)) {
      defaults[full] = (spec as Json).default ?? (spec as Json).value;
    } else if (typeof spec !== "object" || spec === null) {
      defaults[full] = spec;
    } else if (full.startsWith(`${PROJECT_NAME}:`)) {
      required.push(full);
    }
  }
  return { defaults, required };
}

const STORE_SECRETS_FULL_KEY = `${PROJECT_NAME}:${STORE_SECRETS_KEY}`;

/**
 * Every store secret as a placeholder, and one note per secret the stack file
 * does not set (provision would stop on it).
 */
function placeholderSecrets(
  stores: readonly StoreConfig[],
  given: unknown,
): { values: Record<string, Record<string, string>>; unset: string[] } {
  const values: Record<string, Record<string, string>> = {};
  const unset: string[] = [];
  for (const store of stores) {
    const fields = storeSecretFields(store);
    if (fields.length === 0) continue;
    values[store.name] = {};
    for (const field of fields) {
      values[store.name][field] = placeholderStoreSecret(store, field);
      const entry = (given as Record<string, Record<string, unknown>> | undefined)?.[store.name];
      if (entry?.[field] === undefined) {
        unset.push(
          `${STORE_SECRETS_KEY}.${store.name}.${field} is not set: planned with a placeholder; set it before provision: ${setSecretCommand(store.name, field)}`,
        );
      }
    }
  }
  return { values, unset };
}

/** Runtime config for the mock runtime: strings, with secure values replaced by placeholders. */
export function runtimeConfig(config: Json): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    if (containsSecure(value)) secretKeys.push(key);
    const plain = replaceSecure(value, PLACEHOLDER_SECRET);
    out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
  }
  return { config: out, secretKeys };
}

/**
 * plan --offline: evaluates the program under Pulumi's mock runtime with the
 * stack config (plus any store flags, applied in memory only) and reports what
 * would be created per store and who could access what. Needs no credentials,
 * no Pulumi CLI and no network; writes nothing.
 */
export async function plan(
  args: PlanArgs,
  deps: Deps,
  evaluate: (opts: OfflineOptions) => Promise<OfflineEvaluation> = evaluateOffline,
): Promise<Outcome<PlanData>> {
  if (args.offline !== true) {
    throw new UsageError(
      "--offline",
      "is required: plan evaluates the program offline with placeholders; use preview to ask the cloud",
    );
  }
  if (args.emit !== undefined) checkEmitDir(args.emit);
  if (args.stack !== undefined && args.config !== undefined) {
    throw new UsageError("--config", "conflicts with --stack; give one of them");
  }
  let file: StackConfigFile;
  let stack: string;
  if (args.config !== undefined) {
    const configPath = path.resolve(args.config);
    if (!fs.existsSync(configPath) || !fs.statSync(configPath).isFile()) {
      throw new UsageError("--config", `${args.config} does not exist or is not a file`);
    }
    file = StackConfigFile.read(configPath, "--config");
    stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(configPath))?.[1] ?? "offline";
  } else if (args.stack !== undefined) {
    stack = checkStackName(args.stack);
    const configPath = stackConfigPath(deps.projectRoot, stack);
    // A new store described by flags alone needs no file: plan from an empty config.
    if (!fs.existsSync(configPath) && args.backend === undefined) {
      throw new UsageError(
        "--stack",
        `${rel(deps, configPath)} does not exist; create it (see stacks/Pulumi.aws-dev.yaml), pass --config FILE, or describe a new store with flags (--backend, --credentials, …)`,
      );
    }
    file = StackConfigFile.read(configPath, "--stack");
  } else {
    throw new UsageError("--stack", "or --config is required: the stack config to plan from");
  }
  const source = file.existed ? rel(deps, file.path) : "store flags";
  const { defaults, required } = projectConfig(deps.projectRoot);
  checkProjectKeys(file.config, source);
  const config: Json = { ...defaults, ...file.config };
  refusePlainSecrets(config, source);
  const flagged = applyStoreFlags({ stores: config[STORES_KEY], zenml: config[ZENML_KEY] }, args);
  const deployment = validateDeployment(flagged, providerConfigOf(config), source);
  if (flagged.raw.stores !== undefined) config[STORES_KEY] = flagged.raw.stores;
  if (flagged.raw.zenml !== undefined) config[ZENML_KEY] = flagged.raw.zenml;

  const notes: string[] = [];
  const missing = required.filter((k) => config[k] === undefined);
  if (missing.length > 0) {
    notes.push(
      `Pulumi.yaml declares ${missing.join(", ")} without a default and this config does not set ${missing.length > 1 ? "them" : "it"}: \`pulumi up\` would stop with "missing configuration value"`,
    );
  }
  if (flagged.flags.length > 0)
    notes.push(`flags applied in memory only: ${flagged.flags.join(" ")}`);

  // Offline nothing is decrypted: every store secret is a placeholder; the unset ones are named.
  const secrets = placeholderSecrets(deployment.stores, config[STORE_SECRETS_FULL_KEY]);
  delete config[STORE_SECRETS_FULL_KEY];
  for (const unset of secrets.unset) notes.push(unset);
  const runtime = runtimeConfig(config);
  if (Object.keys(secrets.values).length > 0) {
    runtime.config[STORE_SECRETS_FULL_KEY] = JSON.stringify(secrets.values);
    runtime.secretKeys.push(STORE_SECRETS_FULL_KEY);
  }
  let evaluation: OfflineEvaluation;
  try {
    evaluation = await evaluate({
      project: PROJECT_NAME,
      stack,
      config: runtime.config,
      secretKeys: runtime.secretKeys,
    });
  } catch (err) {
    if (err instanceof ProgramError) {
      const m = /^invalid config (\S+?): (.*)$/.exec(err.message);
      if (m) throw new UsageError(`${m[1]} (${source})`, m[2]);
      throw new OperationError(`the program failed under the mock runtime: ${err.message}`);
    }
    throw err;
  }
  const report = buildPlanReport(evaluation, { stack, source, notes });
  if (args.emit === undefined) {
    return { data: report, text: renderPlanText(report), exitCode: EXIT.ok };
  }
  const emitted = emitArtefacts(path.resolve(args.emit), report, evaluation.credentialFields ?? {});
  const shown = (file: string): string =>
    rel(deps, file).startsWith("..") ? file : rel(deps, file);
  const text = [
    renderPlanText(report),
    "",
    `Wrote ${shown(emitted.document)} (registration document) and ${shown(emitted.script)} (zenml CLI script).`,
    `Run: bash ${shown(emitted.script)} --set` +
      (emitted.secretEnv.length > 0 ? ` with ${emitted.secretEnv.join(", ")} set` : ""),
  ].join("\n");
  return { data: { ...report, emitted }, text, exitCode: EXIT.ok };
}
