/**
 * Runs a Pulumi Node.js program the way `pulumi-language-nodejs` runs it: the
 * SDK's own `@pulumi/pulumi/cmd/run` (resolved from the program directory),
 * spawned with the arguments and environment the language host derives from
 * the engine's RunRequest. What is real: cmd/run, ts-node (where Pulumi.yaml asks for it), the program and the
 * SDK. What is not: the language host binary itself (this file stands in for
 * its Run/execRuntime) and the engine it would talk to (see monitor.ts).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as os from "node:os";
import type { PulumiProject } from "./project";
import type { StackRunConfig } from "./stackConfig";

/**
 * pulumi/pulumi sdk/nodejs/cmd/run/index.ts nodeJSProcessExitedAfterLoggingUserActionableMessage:
 * the program already logged an actionable error; the host bails without adding one.
 */
export const EXIT_ERROR_ALREADY_LOGGED = 32;

export interface ProgramRunRequest {
  readonly project: PulumiProject;
  readonly stack: string;
  readonly config: StackRunConfig;
  readonly dryRun: boolean;
  readonly monitorAddress: string;
  readonly engineAddress: string;
  /** Extra environment variable names to leave out of the program's environment. */
  readonly dropEnv?: readonly string[];
  /** Extra environment for the program (after the engine's own variables). */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the language host reports back (pulumirpc.RunResponse) plus the captured output. */
export interface ProgramRunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The host's RunResponse.error: "" on success and on bail. */
  readonly error: string;
  /** RunResponse.bail: exit code 32, the program logged its error itself. */
  readonly bail: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line, for failure messages (no secrets: config travels in the environment). */
  readonly argv: readonly string[];
}

export interface ProgramRun {
  readonly result: Promise<ProgramRunResult>;
  /** What the host does when its Run is cancelled: SIGINT, then SIGKILL after 5 s (execRuntime cmd.Cancel/WaitDelay). */
  cancel(): void;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Children of this harness die with the test process. */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of children) {
        try {
          if (c.pid !== undefined) process.kill(-c.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/**
 * pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go locateModule:
 * `node -e "console.log(require.resolve('<mod>'))"` run in the program directory.
 */
export function locateModule(mod: string, programDir: string): string {
  const script = `try { console.log(require.resolve('${mod}')); } catch (error) { console.error(error.message); process.exit(1); }`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: programDir, encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`cannot locate ${mod} from ${programDir}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * The program's arguments. pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * constructArguments: runPath, then each non-empty of --monitor, --engine, --sync,
 * --organization, --project, --root-directory, --stack, --pwd, then --dry-run,
 * --parallel, --tracing, then the entry point. (--sync, the legacy synchronous-invoke
 * pipes, and --tracing are not used here.)
 */
export function constructArguments(req: ProgramRunRequest, runPath: string): string[] {
  const args = [runPath];
  const add = (k: string, v: string): void => {
    if (v !== "") args.push(`--${k}`, v);
  };
  add("monitor", req.monitorAddress);
  add("engine", req.engineAddress);
  add("organization", "organization");
  add("project", req.project.name);
  add("root-directory", req.project.root);
  add("stack", req.stack);
  add("pwd", req.project.programDir);
  if (req.dryRun) args.push("--dry-run");
  // pulumi/pulumi pkg/cmd/pulumi/operations/up.go defaultParallel: GOMAXPROCS * 4.
  add("parallel", String(os.availableParallelism() * 4));
  args.push(req.project.entryPoint);
  return args;
}

/**
 * PULUMI_CONFIG's keys. pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * constructConfig: `<ns>:<name>` becomes `<ns>:config:<name>` for older SDKs.
 */
export function constructConfig(config: Readonly<Record<string, string>>): string {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const i = key.indexOf(":");
    out[`${key.slice(0, i)}:config:${key.slice(i + 1)}`] = value;
  }
  return JSON.stringify(out);
}

/**
 * The environment the Pulumi CLI would have, and pass on to the language host
 * and plugins: this process's, minus the test runner's own variables
 * (VITEST*, NODE_OPTIONS, which would load vitest hooks into the child) and
 * whatever the test asks to leave out.
 */
export function cliEnvironment(dropEnv: readonly string[] = []): Record<string, string> {
  const drop = new Set(dropEnv);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || drop.has(k) || k === "NODE_OPTIONS" || k.startsWith("VITEST")) continue;
    env[k] = v;
  }
  return env;
}

/**
 * The program's environment: this process's, minus the test runner's own
 * variables (VITEST*, NODE_OPTIONS) and `dropEnv`, plus what execRuntime adds
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go execRuntime):
 * PULUMI_CONFIG, PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT,
 * PULUMI_NODEJS_TSCONFIG_PATH.
 */
export function programEnvironment(req: ProgramRunRequest): Record<string, string> {
  const env = cliEnvironment(req.dropEnv);
  env.PULUMI_CONFIG = constructConfig(req.config.config);
  env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(req.config.secretKeys);
  if (req.project.runtime.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (req.project.runtime.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = req.project.runtime.tsconfig;
  return { ...env, ...req.env };
}

/**
 * The host's verdict on the program's exit. pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go execRuntime: 0 → success; 32
 * → bail (already logged); other codes → "Program exited with non-zero exit
 * code: N"; no code (a signal) → the process could not finish.
 */
export function runResponseOf(
  code: number | null,
  signal: NodeJS.Signals | null,
): { error: string; bail: boolean } {
  if (code === 0) return { error: "", bail: false };
  if (code === EXIT_ERROR_ALREADY_LOGGED) return { error: "", bail: true };
  if (code !== null)
    return { error: `Program exited with non-zero exit code: ${code}`, bail: false };
  return { error: `Program exited with signal ${signal}`, bail: false };
}

/** Spawns the program: `node <nodeargs> <cmd/run> <args…>` with cwd = the project root. */
export function runProgram(req: ProgramRunRequest): ProgramRun {
  const runPath = locateModule("@pulumi/pulumi/cmd/run", req.project.programDir);
  const argv = [...req.project.runtime.nodeargs, ...constructArguments(req, runPath)];
  // The language host inherits the CLI's working directory; the CLI runs in the project root.
  const child = spawn(process.execPath, argv, {
    cwd: req.project.root,
    env: programEnvironment(req),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackChild(child);
  let stdout = "";
  let stderr = "";
  const echo = process.env.LANGHOST_DEBUG === "1";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (echo) process.stderr.write(`[program stdout] ${d}`);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    if (echo) process.stderr.write(`[program stderr] ${d}`);
  });
  const result = new Promise<ProgramRunResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode, signal) => {
      resolve({ exitCode, signal, ...runResponseOf(exitCode, signal), stdout, stderr, argv });
    });
  });
  let cancelled = false;
  return {
    result,
    cancel() {
      if (cancelled || child.exitCode !== null) return;
      cancelled = true;
      child.kill("SIGINT");
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, 5_000);
      child.once("exit", () => clearTimeout(timer));
    },
  };
}
