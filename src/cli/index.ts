/**
 * zenml-remote-storage: the one-shot provisioning script. yargs wiring only;
 * every command's logic is a plain function in src/automation/commands/,
 * loaded when the command runs, so `--help` loads no Pulumi SDK.
 */
import yargs, { type Argv } from "yargs";
import type { Deps, Io } from "../automation/context";
import { CliError, EXIT } from "../automation/errors";
import { destroyCommand } from "./commands/destroy";
import { initCommand } from "./commands/init";
import { outputsCommand } from "./commands/outputs";
import { planCommand } from "./commands/plan";
import { previewCommand } from "./commands/preview";
import { provisionCommand } from "./commands/provision";
import { registerCommand } from "./commands/register";
import { rotateCommand } from "./commands/rotate";
import type { GlobalArgs } from "./commands/types";
import { verifyCommand } from "./commands/verify";
import {
  COMMAND_OPTIONS,
  commandOptions,
  ENV_PREFIX,
  GLOBAL_OPTIONS,
  ignoredEnvKeys,
} from "./options";
import { didYouMean } from "../config/suggest";
import { reportError, type CliContext } from "./run";

export const SCRIPT_NAME = "zenml-remote-storage";

const EPILOGUE = [
  "Exit codes: 0 ok; 1 the operation failed; 2 bad or conflicting flags, config or environment (nothing was changed); 3 verification failed.",
  `Every option can also be set from the environment with the ${ENV_PREFIX}_ prefix: --bucket-name → ${ENV_PREFIX}_BUCKET_NAME, --yes → ${ENV_PREFIX}_YES=true.`,
  "State: a local file backend in .pulumi-state/ (PULUMI_BACKEND_URL overrides). Secrets: the passphrase provider (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) unless --secrets-provider names a KMS. ZenML credentials: ZENML_STORE_API_KEY, or ZENML_STORE_USERNAME/ZENML_STORE_PASSWORD, or the stack config's zenmlApiKey.",
].join("\n\n");

function version(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const COMMANDS = [
  "init",
  "plan",
  "provision",
  "preview",
  "outputs",
  "register",
  "verify",
  "rotate",
  "destroy",
];

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The options `argv`'s command accepts (all commands' when it names none), as typed. */
function knownOptions(argv: readonly string[]): string[] {
  const own = argv.map(commandOptions).find((options) => options !== undefined);
  const sets = own !== undefined ? [own] : Object.values(COMMAND_OPTIONS);
  return [
    ...new Set([
      ...sets.flatMap((s) => Object.keys(s)),
      ...Object.keys(GLOBAL_OPTIONS),
      "help",
      "version",
    ]),
  ];
}

/**
 * yargs' own messages, on one line and in the project's `<flag>: <rule>` form:
 * unknown options and commands (with the nearest known one), values outside a
 * flag's choices, missing required flags.
 */
export function usageMessage(message: string, argv: readonly string[] = []): string {
  const flat = message.replace(/\s*\n\s*/g, " ").trim();
  const unknown = /^Unknown arguments?: (.+)$/.exec(flat);
  if (unknown) {
    // yargs lists a misspelt flag twice, as typed and camel-cased: keep the first.
    const names = unknown[1]
      .split(/,\s*/)
      .filter((n, i, all) => all.indexOf(kebab(n)) === i || !/[A-Z]/.test(n));
    const first = names[0];
    const others = names.length > 1 ? ` (also unknown: ${names.slice(1).join(", ")})` : "";
    if (argv.includes(first)) {
      return `${first}: unknown command or argument${didYouMean(first, COMMANDS)}; commands: ${COMMANDS.join(", ")}${others}`;
    }
    const flag = first.length === 1 ? `-${first}` : `--${first}`;
    return `${flag}: unknown option${didYouMean(first, knownOptions(argv), "--")}${others}`;
  }
  const recommended = /^Did you mean (\S+)\?$/.exec(flat);
  if (recommended) {
    const typed = argv.find((a) => !a.startsWith("-")) ?? "the command";
    return `${typed}: unknown command; did you mean ${recommended[1]}?`;
  }
  const invalid = /^Invalid values: Argument: (\S+), Given: (.+?), Choices: (.+)$/.exec(flat);
  if (invalid) {
    const choices = invalid[3].split(/,\s*/).map((c) => c.replace(/^"|"$/g, ""));
    const given = invalid[2].replace(/^"|"$/g, "");
    return `--${kebab(invalid[1])}: "${given}" must be one of ${choices.join(", ")}${didYouMean(given, choices)}`;
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(flat);
  if (missing) {
    const flags = missing[1]
      .split(/,\s*/)
      .map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    return `${flags.join(", ")}: ${flags.length > 1 ? "are" : "is"} required`;
  }
  return flat;
}

/** The yargs parser with every command; nothing runs until it is parsed. */
export function buildCli(ctx: CliContext, argv: readonly string[]): Argv<GlobalArgs> {
  return yargs([...argv])
    .options(GLOBAL_OPTIONS)
    .scriptName(SCRIPT_NAME)
    .usage(
      `$0 <command> [options]\n\nA hardened remote artifact store for ZenML, provisioned with Pulumi (one-shot script).`,
    )
    .env(ENV_PREFIX)
    .strict()
    .recommendCommands()
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((message, err) => {
      if (err) throw err;
      throw new CliError(usageMessage(message, argv), EXIT.usage);
    })
    .command(initCommand(ctx))
    .command(planCommand(ctx))
    .command(provisionCommand(ctx))
    .command(previewCommand(ctx))
    .command(outputsCommand(ctx))
    .command(registerCommand(ctx))
    .command(verifyCommand(ctx))
    .command(rotateCommand(ctx))
    .command(destroyCommand(ctx))
    .demandCommand(1, `a command is required: ${COMMANDS.join(", ")} (see --help)`)
    .example(
      "$0 plan --offline --stack aws-dev",
      "Review what would be created and who could access it: no cloud, no credentials",
    )
    .example(
      "$0 provision --stack aws-dev --yes",
      "Provision, record the registration, register in ZenML, verify",
    )
    .epilogue(EPILOGUE)
    .help()
    .alias("h", "help")
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100));
}

export interface MainOptions {
  readonly io?: Io;
  /** Builds the dependencies; the real ones by default. */
  readonly deps?: (io: Io) => Deps;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses `argv`, runs the command, and returns the exit code. Never throws. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const defaults = await import("../automation/defaults");
  const io = options.io ?? defaults.processIo();
  let deps: Deps | undefined;
  const ctx: CliContext = {
    io,
    deps: () => {
      deps ??= options.deps ? options.deps(io) : defaults.defaultDeps(io);
      return deps;
    },
    exitCode: EXIT.ok,
    json: argv.includes("--json"),
    debug: argv.includes("--debug"),
  };
  const command = argv.find((a) => !a.startsWith("-") && a in COMMAND_OPTIONS);
  const context = Object.fromEntries(
    ignoredEnvKeys(options.env ?? process.env, command).map((k) => [k, undefined]),
  );
  try {
    let output = "";
    await buildCli(ctx, argv).parseAsync([...argv], context, (err, _argv, text) => {
      if (err) throw err;
      output = text;
    });
    if (output) io.out(output);
    return ctx.exitCode;
  } catch (err) {
    return reportError(ctx, err);
  }
}

/** The bin entry point: exit code set, and a bounded exit if anything is left pending. */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Nothing should be pending now; if something is (a download the SDK does not let us
      // cancel), do not wait for it.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (err: unknown) => {
      process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
