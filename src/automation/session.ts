import type { Deps, StackArgs } from "./context";
import { UsageError } from "./errors";
import { resolvePulumiEnvironment, type PulumiEnvironment } from "./environment";
import { checkStackName, stackConfigPath } from "./project";
import type { PulumiCliOptions } from "./pulumiCli";
import { StackConfigFile } from "./stackConfigFile";
import type { PulumiStack } from "./workspace";

/** A stack's name, config file and Pulumi environment, checked before anything is written. */
export interface PreparedStack {
  readonly name: string;
  readonly configPath: string;
  readonly file: StackConfigFile;
  readonly environment: PulumiEnvironment;
}

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

/** Validates `--stack`, reads the stack config, and decides backend and secrets provider. */
export function prepareStack(args: StackArgs, deps: Deps): PreparedStack {
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
  return { name, configPath, file, environment };
}

export interface OpenedStack extends PreparedStack {
  readonly stack: PulumiStack;
  /** The config file as it is now (Pulumi commands rewrite it). */
  reread(): StackConfigFile;
}

/** Opens the workspace on the project and creates/selects the stack. */
export async function openStack(
  prepared: PreparedStack,
  args: StackArgs,
  deps: Deps,
  mode: "create" | "select",
): Promise<OpenedStack> {
  const workspace = await deps.openWorkspace({
    projectRoot: deps.projectRoot,
    environment: prepared.environment,
    cli: cliOptions(args),
    log: (line) => deps.io.err(line),
  });
  const stack =
    mode === "create"
      ? await workspace.createOrSelectStack(prepared.name)
      : await workspace.selectStack(prepared.name);
  return {
    ...prepared,
    stack,
    reread: () => StackConfigFile.read(prepared.configPath, "--stack"),
  };
}
