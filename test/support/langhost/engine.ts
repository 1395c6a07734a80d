/**
 * The harness's public face: one `LanghostEngine` is one stack with its state,
 * across runs. `preview()` and `up()` run the project's program for real
 * through `@pulumi/pulumi/cmd/run` (runner.ts) against an in-process resource
 * monitor (monitor.ts) whose step generation emulates the engine
 * (deployment.ts); dynamic resources go through the SDK's real
 * dynamic-provider host; other resource types through pluggable handlers.
 *
 *   const engine = new LanghostEngine({ projectRoot: REPO_ROOT, stack: "aws-dev" });
 *   engine.handle("aws:*", motoResourceHandler(moto)).invoke(token, fn);
 *   const run = await engine.preview({ plaintexts: { "zenml-remote-storage:zenmlApiKey": key } });
 *   expect(run.ok, run.errors.join("\n")).toBe(true);
 *   run.registrations.find((r) => r.type === "aws:s3/bucket:Bucket");
 */
import { performance } from "node:perf_hooks";
import {
  Deployment,
  outputValue,
  StackState,
  type HandlerEntry,
  type RecordedRegistration,
  type StateEntry,
  type Step,
  type StepOp,
} from "./deployment";
import { providerResourceHandler, type InvokeHandler, type ResourceHandler } from "./handlers";
import { startMonitor, type Diagnostic } from "./monitor";
import { loadProject, type PulumiProject } from "./project";
import { cliEnvironment, runProgram, type ProgramRunResult } from "./runner";
import { loadStackRunConfig, type SecurePlaintexts, type StackRunConfig } from "./stackConfig";
import type { Invocation } from "./monitor";
import type { WireMap } from "./wire";

export interface RunOptions {
  /** Plaintexts of the stack config's `secure:` values (see stackConfig.ts). */
  readonly plaintexts?: SecurePlaintexts;
  /** Environment variables to leave out of the program's and the plugins' environment. */
  readonly dropEnv?: readonly string[];
  /** Extra environment for the program and the plugins. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface OperationResult {
  readonly kind: "preview" | "update" | "refresh" | "destroy";
  /** No error diagnostic, no step error, and (for preview/update) the program exited 0. */
  readonly ok: boolean;
  readonly steps: readonly Step[];
  /** Count per op, like the engine's summary (`same` included; default providers left out). */
  readonly summary: Readonly<Partial<Record<StepOp, number>>>;
  readonly diagnostics: readonly Diagnostic[];
  /** What the CLI would print after `error:`, in order. */
  readonly errors: readonly string[];
  /** The dynamic-provider hosts' own output. */
  readonly pluginOutput: string;
  readonly durationMs: number;
}

export interface RunResult extends OperationResult {
  readonly kind: "preview" | "update";
  readonly program: ProgramRunResult;
  readonly config: StackRunConfig;
  readonly registrations: readonly RecordedRegistration[];
  readonly invocations: readonly Invocation[];
  /** The root stack's outputs in wire form (secrets wrapped). */
  readonly stackOutputs: WireMap;
  /** The stack outputs as the Automation API gives them. */
  readonly outputs: Readonly<Record<string, { value: unknown; secret: boolean }>>;
}

export interface EngineOptions {
  readonly projectRoot: string;
  readonly stack: string;
}

function summarize(steps: readonly Step[]): Partial<Record<StepOp, number>> {
  const out: Partial<Record<StepOp, number>> = {};
  for (const s of steps) out[s.op] = (out[s.op] ?? 0) + 1;
  return out;
}

function errorsOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
}

export class LanghostEngine {
  readonly project: PulumiProject;
  readonly stack: string;
  readonly state = new StackState();
  private readonly handlers: HandlerEntry[] = [
    { pattern: "pulumi:providers:*", handler: providerResourceHandler },
  ];
  private readonly invokes = new Map<string, InvokeHandler>();
  /** Every operation's result, in order. */
  readonly history: OperationResult[] = [];

  constructor(opts: EngineOptions) {
    this.project = loadProject(opts.projectRoot);
    this.stack = opts.stack;
  }

  /** Resource types matching `pattern` (`aws:*`, or an exact type) go to `handler`; the latest wins. */
  handle(pattern: string, handler: ResourceHandler): this {
    this.handlers.unshift({ pattern, handler });
    return this;
  }

  /** An invoke token's stand-in. */
  invoke(token: string, handler: InvokeHandler): this {
    this.invokes.set(token, handler);
    return this;
  }

  /** The resources in the state. */
  resources(): StateEntry[] {
    return [...this.state.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  preview(opts: RunOptions = {}): Promise<RunResult> {
    return this.run(true, opts);
  }

  up(opts: RunOptions = {}): Promise<RunResult> {
    return this.run(false, opts);
  }

  private newDeployment(dryRun: boolean, config: StackRunConfig, opts: RunOptions): Deployment {
    return new Deployment({
      project: this.project,
      stack: this.stack,
      dryRun,
      config,
      state: this.state,
      handlers: this.handlers,
      invokes: this.invokes,
      env: { ...cliEnvironment(opts.dropEnv), ...opts.env },
    });
  }

  /**
   * One preview or update: the program runs against a fresh monitor; after it
   * exits successfully (and only then) the unregistered resources are deleted
   * (pulumi/pulumi pkg/resource/deploy/deployment_executor.go: deletes follow
   * the program; a failed program or step ends the deployment without them).
   */
  private async run(dryRun: boolean, opts: RunOptions): Promise<RunResult> {
    const started = performance.now();
    const config = loadStackRunConfig(this.project, this.stack, opts.plaintexts);
    const deployment = this.newDeployment(dryRun, config, opts);
    const monitor = await startMonitor(deployment);
    deployment.engineAddress = monitor.address;
    let program: ProgramRunResult;
    try {
      const run = runProgram({
        project: this.project,
        stack: this.stack,
        config,
        dryRun,
        monitorAddress: monitor.address,
        engineAddress: monitor.address,
        dropEnv: opts.dropEnv,
        env: opts.env,
      });
      deployment.onCancel = () => run.cancel();
      program = await run.result;
      if (program.error === "" && !program.bail && !deployment.failure) {
        await deployment.deleteUnregistered();
      }
    } finally {
      await deployment.close();
      await monitor.close();
    }
    // pulumi/pulumi pkg/engine: the language host's RunResponse.error is reported as an
    // error unless the host bailed (already logged) or the engine cancelled the run itself.
    const diagnostics = [...deployment.diagnostics];
    if (program.error !== "" && !deployment.failure) {
      diagnostics.push({ severity: "error", message: program.error, urn: "" });
    }
    const errors = errorsOf(diagnostics);
    const result: RunResult = {
      kind: dryRun ? "preview" : "update",
      ok: errors.length === 0 && program.exitCode === 0 && !deployment.failure,
      steps: deployment.steps,
      summary: summarize(deployment.steps),
      diagnostics,
      errors,
      pluginOutput: await deployment.hostOutput(),
      durationMs: performance.now() - started,
      program,
      config,
      registrations: deployment.registrations,
      invocations: deployment.invocations,
      stackOutputs: deployment.stackOutputs,
      outputs: Object.fromEntries(
        Object.entries(deployment.stackOutputs).map(([k, v]) => [k, outputValue(v)]),
      ),
    };
    this.history.push(result);
    return result;
  }

  /** `pulumi refresh`: Read every resource whose provider supports it (the program does not run). */
  refresh(opts: RunOptions = {}): Promise<OperationResult> {
    return this.operate("refresh", opts, (d) => d.refreshAll());
  }

  /** `pulumi destroy`: delete everything in the state, newest first (the program does not run). */
  destroy(opts: RunOptions = {}): Promise<OperationResult> {
    return this.operate("destroy", opts, (d) => d.destroyAll());
  }

  private async operate(
    kind: "refresh" | "destroy",
    opts: RunOptions,
    body: (d: Deployment) => Promise<void>,
  ): Promise<OperationResult> {
    const started = performance.now();
    const config = loadStackRunConfig(this.project, this.stack, opts.plaintexts);
    const deployment = this.newDeployment(false, config, opts);
    const monitor = await startMonitor(deployment);
    deployment.engineAddress = monitor.address;
    try {
      await body(deployment);
    } finally {
      await deployment.close();
      await monitor.close();
    }
    const errors = errorsOf(deployment.diagnostics);
    const result: OperationResult = {
      kind,
      ok: errors.length === 0,
      steps: deployment.steps,
      summary: summarize(deployment.steps),
      diagnostics: deployment.diagnostics,
      errors,
      pluginOutput: await deployment.hostOutput(),
      durationMs: performance.now() - started,
    };
    this.history.push(result);
    return result;
  }
}
