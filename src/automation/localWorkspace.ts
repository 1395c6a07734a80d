import { spawn } from "node:child_process";
import * as fs from "node:fs";
import type * as auto from "@pulumi/pulumi/automation";
import { OperationError, UsageError, pulumiErrorLine } from "./errors";
import { resolvePulumiCommand, sdkInstaller } from "./pulumiCli";
import type {
  ConfigValue,
  OpenWorkspace,
  OutputMap,
  PulumiStack,
  PulumiWorkspace,
  WorkspaceRequest,
} from "./workspace";

/**
 * The real workspace: Pulumi's `LocalWorkspace` with workDir = the project
 * root (the same Pulumi.yaml and program `pulumi up` uses), the chosen state
 * backend and secrets provider, and the resolved Pulumi CLI.
 */
export const openLocalWorkspace: OpenWorkspace = async (
  request: WorkspaceRequest,
): Promise<PulumiWorkspace> => {
  const sdk = await import("@pulumi/pulumi/automation");
  const pulumiCommand = await resolvePulumiCommand(request.cli, await sdkInstaller(), request.log);
  const { environment, projectRoot } = request;
  const options: auto.LocalWorkspaceOptions = {
    workDir: projectRoot,
    pulumiCommand,
    envVars: { ...environment.envVars },
    ...(environment.secretsProvider ? { secretsProvider: environment.secretsProvider } : {}),
  };
  const args = (stackName: string): auto.LocalProgramArgs => ({ stackName, workDir: projectRoot });
  const prepare = (): void => {
    if (environment.localStateDir) fs.mkdirSync(environment.localStateDir, { recursive: true });
  };
  return {
    async createOrSelectStack(name) {
      prepare();
      const stack = await pulumi(() => sdk.LocalWorkspace.createOrSelectStack(args(name), options));
      return wrapStack(stack, pulumiCommand, request);
    },
    async selectStack(name) {
      prepare();
      try {
        const stack = await sdk.LocalWorkspace.selectStack(args(name), options);
        return wrapStack(stack, pulumiCommand, request);
      } catch (err) {
        if (err instanceof sdk.StackNotFoundError) {
          throw new UsageError(
            "--stack",
            `stack "${name}" does not exist in ${environment.backendUrl}; run provision first`,
          );
        }
        throw toOperationError(err);
      }
    },
  };
};

function wrapStack(
  stack: auto.Stack,
  pulumiCommand: auto.PulumiCommand,
  request: WorkspaceRequest,
): PulumiStack {
  return {
    name: stack.name,
    async getConfig(key, opts) {
      try {
        const v = await stack.getConfig(key, opts?.path);
        return { value: v.value, secret: v.secret ?? false };
      } catch (err) {
        if (/not found/i.test(commandText(err))) return undefined;
        throw toOperationError(err);
      }
    },
    async setConfig(key, value, opts) {
      if (value.secret) {
        await setSecretFromStdin(pulumiCommand, request, stack.name, key, value, opts?.path);
      } else {
        await pulumi(() => stack.setConfig(key, value, opts?.path));
      }
    },
    async preview(opts) {
      const r = await pulumi(() => stack.preview({ onEvent: opts?.onEvent }));
      return { changeSummary: r.changeSummary ?? {} };
    },
    async up(opts) {
      const r = await pulumi(() => stack.up({ onEvent: opts?.onEvent }));
      return { outputs: r.outputs as OutputMap, changeSummary: r.summary.resourceChanges ?? {} };
    },
    async destroy(opts) {
      const r = await pulumi(() => stack.destroy({ onEvent: opts?.onEvent }));
      return { changeSummary: r.summary.resourceChanges ?? {} };
    },
    async outputs() {
      return (await pulumi(() => stack.outputs())) as OutputMap;
    },
  };
}

/**
 * `pulumi config set --secret` with the value on stdin: the SDK's setConfig
 * passes the value as a command-line argument, where other local users can
 * read it (`ps`); credentials never go on a command line here.
 */
function setSecretFromStdin(
  pulumiCommand: auto.PulumiCommand,
  request: WorkspaceRequest,
  stackName: string,
  key: string,
  value: ConfigValue,
  path: boolean | undefined,
): Promise<void> {
  const args = ["config", "set", ...(path ? ["--path"] : []), key, "--secret"];
  args.push("--stack", stackName, "--non-interactive");
  return new Promise((resolve, reject) => {
    const child = spawn(pulumiCommand.command, args, {
      cwd: request.projectRoot,
      env: { ...process.env, ...request.environment.envVars, PULUMI_AUTOMATION_API: "true" },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (err) =>
      reject(new OperationError(`pulumi config set ${key}: ${err.message}`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new OperationError(`pulumi config set ${key}: ${pulumiErrorLine(stderr)}`));
    });
    child.stdin.end(value.value);
  });
}

async function pulumi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toOperationError(err);
  }
}

function commandText(err: unknown): string {
  const result = (err as { commandResult?: { stderr?: string; stdout?: string } }).commandResult;
  return [result?.stderr, result?.stdout, (err as Error)?.message].filter(Boolean).join("\n");
}

function toOperationError(err: unknown): Error {
  if (err instanceof UsageError || err instanceof OperationError) return err;
  const result = (err as { commandResult?: { stderr?: string } }).commandResult;
  const text = result?.stderr?.trim() ? result.stderr : ((err as Error)?.message ?? String(err));
  return new OperationError(`pulumi: ${pulumiErrorLine(text)}`);
}
