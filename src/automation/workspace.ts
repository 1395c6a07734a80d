/**
 * The Pulumi workspace as the script uses it. Commands talk to this interface,
 * never to the Automation API directly, so their logic is tested against a fake
 * (test/unit/automation/fakeWorkspace.ts); `localWorkspace.ts` implements it with
 * `LocalWorkspace` on the project directory.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { PulumiEnvironment } from "./environment";
import type { PulumiCliOptions } from "./pulumiCli";

export type { EngineEvent };

export interface ConfigValue {
  readonly value: string;
  readonly secret: boolean;
}

export interface OutputValue {
  readonly value: unknown;
  readonly secret: boolean;
}

export type OutputMap = Record<string, OutputValue>;

/** Operation counts by kind (`create`, `same`, `update`, `delete`, …). */
export type ChangeSummary = Readonly<Record<string, number>>;

export interface OperationOptions {
  /** Structured engine events, for progress. */
  readonly onEvent?: (event: EngineEvent) => void;
}

export interface PulumiStack {
  readonly name: string;
  /** A config value; `path` reads a nested field. Undefined when unset. Secrets come decrypted. */
  getConfig(key: string, opts?: { path?: boolean }): Promise<ConfigValue | undefined>;
  /** Sets a config value; a secret is encrypted by the stack's secrets provider. */
  setConfig(key: string, value: ConfigValue, opts?: { path?: boolean }): Promise<void>;
  preview(opts?: OperationOptions): Promise<{ changeSummary: ChangeSummary }>;
  up(opts?: OperationOptions): Promise<{ outputs: OutputMap; changeSummary: ChangeSummary }>;
  destroy(opts?: OperationOptions): Promise<{ changeSummary: ChangeSummary }>;
  /** The outputs of the last update, each flagged secret or not. */
  outputs(): Promise<OutputMap>;
}

export interface PulumiWorkspace {
  /** Creates the stack (with the configured secrets provider) or selects it when it exists. */
  createOrSelectStack(name: string): Promise<PulumiStack>;
  /** Selects an existing stack; a missing stack is a UsageError naming `--stack`. */
  selectStack(name: string): Promise<PulumiStack>;
}

export interface WorkspaceRequest {
  /** The project directory: the workspace's workDir. */
  readonly projectRoot: string;
  readonly environment: PulumiEnvironment;
  readonly cli: PulumiCliOptions;
  /** Progress lines (e.g. "installing the Pulumi CLI …"). */
  readonly log: (line: string) => void;
}

export type OpenWorkspace = (request: WorkspaceRequest) => Promise<PulumiWorkspace>;

/**
 * Finds the Pulumi CLI (installing the pinned version where allowed) or fails
 * with one line saying what to do; commands that need the CLI call it first,
 * before checking anything else, so a newcomer meets the missing CLI first.
 */
export type FindPulumiCli = (cli: PulumiCliOptions, log: (line: string) => void) => Promise<void>;
