import { stripAnsi } from "../config/text";
/**
 * Errors the provisioning script reports as one line, each with its exit code.
 * Anything else is a bug or an unexpected failure: also one line, exit 1
 * (`--debug` adds the stack trace).
 */

/** Documented exit codes of `zenml-remote-storage`. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The operation failed (Pulumi, the cloud, the ZenML server, a missing tool). */
  failure: 1,
  /** Bad or conflicting flags, bad configuration, missing environment: nothing was changed. */
  usage: 2,
  /** The store or the ZenML connector did not pass verification. */
  verification: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A user-facing error: `message` is the whole line; `exitCode` how the script ends. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A flag, environment variable or config value breaks a rule. Nothing has been written. */
export class UsageError extends CliError {
  constructor(
    /** What is wrong: a flag (`--bucket-name`), a variable, or a config key. */
    readonly subject: string,
    /** The rule, as one sentence. */
    readonly rule: string,
  ) {
    super(`${subject}: ${rule}`, EXIT.usage);
    this.name = "UsageError";
  }
}

/** An operation (Pulumi, ZenML, the Pulumi CLI installer, …) failed. */
export class OperationError extends CliError {
  constructor(message: string) {
    super(message, EXIT.failure);
    this.name = "OperationError";
  }
}

/** Verification of the store or of the ZenML connector failed. */
export class VerificationError extends CliError {
  constructor(message: string) {
    super(message, EXIT.verification);
    this.name = "VerificationError";
  }
}

/**
 * The most useful line of a Pulumi CLI failure: its `error:` line when there is
 * one (Pulumi prints progress before it), else the first line.
 */
export function pulumiErrorLine(text: string): string {
  const lines = stripAnsi(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const errorLine = lines.find((l) => /^error:/i.test(l) && !/^error: update failed$/i.test(l));
  return errorLine ?? lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "unknown error";
}
