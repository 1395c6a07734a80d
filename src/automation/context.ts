import type { BaselineAuditorFor } from "../verify/baseline";
import type { ExitCode } from "./errors";
import type { VerifierFor } from "../verify/types";
import type { FindPulumiCli, OpenWorkspace } from "./workspace";
import type { ConnectZenml } from "./zenmlRegistrar";

/** Where a command's output goes. Results go to `out` (stdout); progress and messages to `err`. */
export interface Io {
  out(text: string): void;
  err(line: string): void;
  /** Whether a person can answer a question (stdin and stderr are terminals). */
  readonly interactive: boolean;
  confirm(question: string): Promise<boolean>;
}

/** Everything a command touches outside itself; faked in unit tests. */
export interface Deps {
  /** The project directory (Pulumi.yaml, stacks/). */
  readonly projectRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Io;
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly findPulumiCli: FindPulumiCli;
  readonly openWorkspace: OpenWorkspace;
  readonly connectZenml: ConnectZenml;
  readonly verifierFor: VerifierFor;
  readonly baselineAuditorFor: BaselineAuditorFor;
}

/** What a command returns: data for `--json`, text for people, and the exit code. */
export interface Outcome<T = unknown> {
  readonly data: T;
  readonly text: string;
  readonly exitCode: ExitCode;
}

/** Flags every command has. */
export interface CommonArgs {
  readonly json?: boolean;
}

/** Flags of every command that works on a deployed Pulumi stack. */
export interface StackArgs extends CommonArgs {
  readonly stack?: string;
  readonly secretsProvider?: string;
  readonly pulumiRoot?: string;
  /** Seconds. */
  readonly pulumiInstallTimeout?: number;
}
