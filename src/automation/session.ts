/**
 * A stack session: the steps every command that works on a Pulumi stack is
 * made of. The stack config is read and checked once, before anything is
 * written; the session keeps it (and the registration recorded in it) current
 * as it writes, so no command reads the file back; it holds one ZenML
 * connection per server for the whole command.
 */
import type { DeploymentConfig } from "../config/types";
import { isObject } from "../config/fields";
import type { StoreRegistration } from "../zenml/model";
import { storeRegistration } from "../zenml/model";
import { writeFileAtomic } from "./atomicWrite";
import type { Deps, StackArgs } from "./context";
import { CliError, EXIT, UsageError } from "./errors";
import { resolvePulumiEnvironment, type PulumiEnvironment } from "./environment";
import { Progress, describeChanges, summaryTotal } from "./progress";
import { checkStackName, rel, stackConfigPath } from "./project";
import type { PulumiCliOptions } from "./pulumiCli";
import {
  REGISTRATION_KEY,
  readCredentials,
  readRecordedStores,
  registrationsFromOutputs,
  removeZenmlYaml,
  setRegisteredIn,
  setRegistration,
  writeCredentials,
  writeZenmlYaml,
  type RecordedStore,
} from "./recordedRegistration";
import { STORES_KEY, StackConfigFile, ZENML_API_KEY, ZENML_KEY } from "./stackConfigFile";
import {
  providerConfigOf,
  validateDeployment,
  type FlaggedDeployment,
  type RawStackDeployment,
} from "./storeFlags";
import { verifyStores, type StoreCheck } from "./verification";
import type { StoreUnderTest } from "../verify/types";
import type { ChangeSummary, OutputMap, PulumiStack } from "./workspace";
import { serverSettings, type ZenmlRegistrar } from "./zenmlRegistrar";

/** Checks the flags that name the stack and the Pulumi CLI; returns the stack name. */
export function checkStackArgs(args: StackArgs): string {
  const name = checkStackName(args.stack);
  const installTimeout = args.pulumiInstallTimeout;
  if (
    installTimeout !== undefined &&
    (!Number.isFinite(installTimeout) || installTimeout <= 0 || installTimeout > 3600)
  ) {
    throw new UsageError("--pulumi-install-timeout", "must be a number of seconds from 1 to 3600");
  }
  return name;
}

/** Where to find (or install) the Pulumi CLI, from the flags. */
export function cliOptions(args: StackArgs): PulumiCliOptions {
  return {
    root: args.pulumiRoot,
    timeoutMs:
      args.pulumiInstallTimeout !== undefined ? args.pulumiInstallTimeout * 1000 : undefined,
  };
}

/** A finished Pulumi update: its outputs, its changes and every resource type it touched. */
export interface Update {
  readonly outputs: OutputMap;
  readonly changeSummary: ChangeSummary;
  readonly types: ReadonlySet<string>;
}

/** What to ask before changing the cloud, and what a "no" says. */
export interface Confirmation {
  /** `--yes`: do not ask. */
  readonly yes?: boolean;
  readonly question: string;
  /** The error message when the answer is no (the stack config is restored first). */
  readonly cancelled: string;
}

/** How to run one `pulumi up`. */
export interface UpRequest {
  /** The line printed before the update starts, e.g. `Updating stack aws-dev …`. */
  readonly announce: string;
  /** The changes the preview planned, for the progress counter. */
  readonly planned?: ChangeSummary;
  /** Turns an update failure into the command's own error (what is left, how to finish). */
  readonly failed?: (reason: string) => Error;
}

/** Validates `--stack`, reads the stack config, and decides backend and secrets provider. */
export function prepareSession(args: StackArgs, deps: Deps): StackSession {
  const name = checkStackArgs(args);
  const configPath = stackConfigPath(deps.projectRoot, name);
  const file = StackConfigFile.read(configPath, "--stack");
  const environment = resolvePulumiEnvironment({
    projectRoot: deps.projectRoot,
    env: deps.env,
    secretsProviderFlag: args.secretsProvider,
    recorded: file.existed
      ? { secretsProvider: file.secretsProvider, passphrase: file.hasEncryptionSalt }
      : undefined,
  });
  return new StackSession(name, file, environment, args, deps);
}

/** One command's work on one stack: its config, its Pulumi stack, its ZenML connections. */
export class StackSession {
  /** The config file's path relative to the project, for messages. */
  readonly source: string;
  private typed?: DeploymentConfig;
  private recordedStores?: Record<string, RecordedStore>;
  private pulumi?: { readonly stack: PulumiStack; readonly openedText?: string };
  private readonly connections = new Map<string, Promise<ZenmlRegistrar>>();

  constructor(
    readonly name: string,
    private file: StackConfigFile,
    readonly environment: PulumiEnvironment,
    private readonly args: StackArgs,
    private readonly deps: Deps,
  ) {
    this.source = rel(deps, file.path);
  }

  get configPath(): string {
    return this.file.path;
  }

  /** Whether the stack config file exists (as last read). */
  get existed(): boolean {
    return this.file.existed;
  }

  /** Every config value by full key, as the session last wrote or read it. */
  get config(): Record<string, unknown> {
    return this.file.config;
  }

  /** `stores` and `zenml` as the file holds them, before validation. */
  get raw(): RawStackDeployment {
    const config = this.file.config;
    return { stores: config[STORES_KEY], zenml: config[ZENML_KEY] };
  }

  /** Validates a deployment (default: the file's own) with the program's parser. */
  validate(flagged: FlaggedDeployment = { raw: this.raw, flags: [] }): DeploymentConfig {
    return validateDeployment(flagged, providerConfigOf(this.file.config), this.source);
  }

  /**
   * The file's deployment, typed. Validated once, on first use: commands that
   * need only the recorded registration (register, outputs) never parse `stores`.
   */
  get deployment(): DeploymentConfig {
    return (this.typed ??= this.validate());
  }

  /** The registration recorded in the stack config, kept current by `record`. */
  get recorded(): Readonly<Record<string, RecordedStore>> {
    return (this.recordedStores ??= readRecordedStores(this.file));
  }

  /** The ZenML server the stack config names (`zenml.serverUrl`, no trailing slash), if any. */
  get configuredServer(): string | undefined {
    const zenml = this.file.get(ZENML_KEY);
    const url = isObject(zenml) ? zenml.serverUrl : undefined;
    return typeof url === "string" && url !== "" ? url.replace(/\/+$/, "") : undefined;
  }

  /** Opens the workspace; creates or selects the stack (Pulumi may write the file). */
  async open(mode: "create" | "select"): Promise<void> {
    const workspace = await this.deps.openWorkspace({
      projectRoot: this.deps.projectRoot,
      environment: this.environment,
      cli: cliOptions(this.args),
      log: (line) => this.deps.io.err(line),
    });
    const stack =
      mode === "create"
        ? await workspace.createOrSelectStack(this.name)
        : await workspace.selectStack(this.name);
    this.reloadAsPulumiLeftIt();
    this.pulumi = { stack, openedText: this.file.existed ? this.file.toString() : undefined };
  }

  get stack(): PulumiStack {
    if (this.pulumi === undefined) throw new Error(`stack ${this.name} is not open`);
    return this.pulumi.stack;
  }

  /** Pulumi's preview with progress; returns the planned changes. */
  async preview(): Promise<ChangeSummary> {
    this.deps.io.err(`Previewing stack ${this.name} …`);
    const progress = new Progress(this.deps.io.err, this.deps.now, "preview");
    const { changeSummary } = await this.stack.preview({ onEvent: progress.onEvent });
    this.deps.io.err(`Plan: ${describeChanges(changeSummary)}.`);
    return changeSummary;
  }

  /** Asks (unless --yes); a "no" restores the stack config and ends the command. */
  async confirm(confirmation: Confirmation): Promise<void> {
    if (confirmation.yes || (await this.deps.io.confirm(confirmation.question))) return;
    this.restore();
    throw new CliError(confirmation.cancelled, EXIT.failure);
  }

  /** Asks about the planned changes (unless --yes), then updates the stack. */
  async confirmThenUp(
    planned: ChangeSummary,
    confirmation: Confirmation,
    request: Omit<UpRequest, "planned">,
  ): Promise<Update> {
    await this.confirm(confirmation);
    return this.up({ ...request, planned });
  }

  /** `pulumi up` with progress, counted against the planned steps when known. */
  async up(request: UpRequest): Promise<Update> {
    this.deps.io.err(request.announce);
    const progress = new Progress(
      this.deps.io.err,
      this.deps.now,
      "apply",
      summaryTotal(request.planned),
    );
    let result: { outputs: OutputMap; changeSummary: ChangeSummary };
    try {
      result = await this.stack.up({ onEvent: progress.onEvent });
    } catch (err) {
      if (request.failed === undefined) throw err;
      throw request.failed((err as Error).message);
    }
    this.deps.io.err(`Done: ${describeChanges(result.changeSummary, true)}.`);
    return { ...result, types: progress.types };
  }

  /** `pulumi destroy` with progress. */
  async destroy(): Promise<ChangeSummary> {
    this.deps.io.err(`Destroying stack ${this.name} …`);
    const progress = new Progress(this.deps.io.err, this.deps.now, "apply");
    return (await this.stack.destroy({ onEvent: progress.onEvent })).changeSummary;
  }

  /**
   * Changes the stack config and saves it (atomically), unless the change says
   * it had nothing to do by returning false; true when saved.
   */
  edit(change: (file: StackConfigFile) => boolean | void): boolean {
    if (change(this.file) === false) return false;
    this.file.save();
    this.recordedStores = undefined;
    return true;
  }

  /** Puts back the stack config as it was when the stack was opened (the cloud is unchanged). */
  restore(): void {
    const opened = this.pulumi?.openedText;
    if (opened === undefined || this.file.toString() === opened) return;
    writeFileAtomic(this.configPath, opened);
    this.file = StackConfigFile.fromText(this.configPath, opened, "--stack");
    this.recordedStores = undefined;
  }

  /**
   * Records the registration of the deployed stores (from an update's outputs) in
   * the stack config, credentials encrypted, and in stacks/<stack>.zenml.yaml.
   */
  async record(outputs: OutputMap): Promise<StoreRegistration[]> {
    const deployed = registrationsFromOutputs(outputs);
    this.edit((file) => setRegistration(file, deployed));
    await writeCredentials(this.stack, deployed);
    this.reloadAsPulumiLeftIt();
    writeZenmlYaml(this.deps.projectRoot, this.name, deployed);
    return deployed;
  }

  /** Notes in the registration that the script applied the stores to `server` (or removed them). */
  markRegistered(stores: readonly string[], server: string, registered: boolean): void {
    this.edit((file) => setRegisteredIn(file, stores, server, registered));
  }

  /** Removes the registration from the stack config and deletes the ZenML document. */
  forget(): void {
    this.edit((file) => {
      if (file.get(REGISTRATION_KEY) === undefined) return false;
      file.delete(REGISTRATION_KEY);
      return true;
    });
    removeZenmlYaml(this.deps.projectRoot, this.name);
  }

  /**
   * The connection to a ZenML server, made once per command. Credentials come
   * from ZenML's variables, else from the stack config's `zenmlApiKey`.
   */
  zenml(server: string): Promise<ZenmlRegistrar> {
    let connection = this.connections.get(server);
    if (connection === undefined) {
      connection = this.connect(server);
      this.connections.set(server, connection);
    }
    return connection;
  }

  /** The recorded stores (default: all) with their decrypted credentials, for verification. */
  async storesUnderTest(names = Object.keys(this.recorded)): Promise<StoreUnderTest[]> {
    const stores: StoreUnderTest[] = [];
    for (const name of names) {
      const recorded = this.recorded[name];
      const credentials = await readCredentials(this.stack, name, recorded.credentialFields);
      stores.push(storeRegistration(name, recorded, credentials));
    }
    return stores;
  }

  /** Probes each store; with a server, ZenML also checks each store's connector. */
  async verify(
    stores: readonly StoreUnderTest[],
    options: { server?: string; timeoutMs: number; endpointUrl?: string },
  ): Promise<StoreCheck[]> {
    const { server, timeoutMs, endpointUrl } = options;
    const zenml =
      server !== undefined ? { server, registrar: await this.zenml(server) } : undefined;
    return verifyStores({ stores, zenml, timeoutMs, endpointUrl }, this.deps);
  }

  private async connect(server: string): Promise<ZenmlRegistrar> {
    const { env } = this.deps;
    const stackApiKey =
      env.ZENML_STORE_API_KEY || env.ZENML_STORE_USERNAME
        ? undefined
        : (await this.stack.getConfig(ZENML_API_KEY))?.value;
    return this.deps.connectZenml(serverSettings(server, env, stackApiKey), this.deps.io.err);
  }

  /**
   * The only place the session reads the file again: Pulumi commands rewrite the
   * stack config themselves (creating a stack adds the secrets provider's salt,
   * `config set --secret` adds ciphertext), so after one the copy is the file as
   * Pulumi left it.
   */
  private reloadAsPulumiLeftIt(): void {
    this.file = StackConfigFile.read(this.configPath, "--stack");
    this.recordedStores = undefined;
  }
}
