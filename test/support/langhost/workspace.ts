/**
 * The provisioning script's PulumiWorkspace (src/automation/workspace.ts) over
 * the language-host harness: `preview`/`up` run the project's program through
 * `@pulumi/pulumi/cmd/run` against the harness's engine, `destroy` deletes
 * through the same providers, and the progress arrives as the engine events
 * src/automation/progress.ts reads. Stack config: plain values are written to
 * `Pulumi.<stack>.yaml` the way `pulumi config set` rewrites it
 * (stackFileEdit.ts); secrets stay in memory and the file gets a fake
 * ciphertext `v1:FAKE:<hash>`, since no secrets provider runs here.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import { OperationError, UsageError } from "../../../src/automation/errors";
import type {
  ChangeSummary,
  ConfigValue,
  EngineEvent,
  OperationOptions,
  OutputMap,
  PulumiStack,
  PulumiWorkspace,
  WorkspaceRequest,
} from "../../../src/automation/workspace";
import type { Step } from "./deployment";
import { LanghostEngine, type OperationResult, type RunOptions } from "./engine";
import { fullConfigKey, stackConfigFile } from "./project";
import { fakeCiphertext, parsePropertyPath, setStackConfigText } from "./stackFileEdit";

function event(body: Record<string, unknown>): EngineEvent {
  return {
    sequence: 0,
    timestamp: Math.floor(Date.now() / 1000),
    ...body,
  } as unknown as EngineEvent;
}

/**
 * The engine events an operation produced, in the shape the Automation API
 * delivers them: per step a resourcePreEvent and a resOutputsEvent (or
 * resOpFailedEvent for the failed one), each diagnostic, then the summary.
 */
export function engineEvents(result: OperationResult): EngineEvent[] {
  const out: EngineEvent[] = [];
  const metadata = (s: Step) => ({ op: s.op, urn: s.urn, type: s.type, provider: "" });
  for (const s of result.steps) {
    out.push(
      event({ resourcePreEvent: { metadata: metadata(s), planning: result.kind === "preview" } }),
    );
    out.push(
      event({ resOutputsEvent: { metadata: metadata(s), planning: result.kind === "preview" } }),
    );
  }
  for (const d of result.diagnostics) {
    if (d.severity === "error" && d.urn !== "") {
      const failed = result.steps.find((s) => s.urn === d.urn);
      if (failed)
        out.push(event({ resOpFailedEvent: { metadata: metadata(failed), status: 0, steps: 0 } }));
    }
    out.push(
      event({
        diagnosticEvent: { severity: d.severity, message: d.message, urn: d.urn, color: "never" },
      }),
    );
  }
  out.push(
    event({
      summaryEvent: {
        resourceChanges: result.summary,
        durationSeconds: Math.round(result.durationMs / 1000),
        maybeCorrupt: false,
        policyPacks: {},
      },
    }),
  );
  return out;
}

/** A failed operation as the script sees it from the real workspace (localWorkspace.ts toOperationError). */
function failure(result: OperationResult): OperationError {
  const first = result.errors[0] ?? "unknown error";
  return new OperationError(`pulumi: error: ${first.split("\n")[0]}`);
}

export interface LanghostWorkspaceOptions {
  /** Sets up each stack's engine (resource handlers, invokes) when it is first used. */
  readonly configure?: (engine: LanghostEngine) => void;
  /** Options for every run (environment to drop or add). */
  readonly run?: Omit<RunOptions, "plaintexts">;
}

export class LanghostWorkspace implements PulumiWorkspace {
  /** Plaintexts of secret config, by full key (plus `.path` for nested ones). */
  readonly secrets = new Map<string, string>();
  readonly stacks = new Map<string, LanghostStack>();
  /** The script's calls, in order (for assertions on what it asked). */
  readonly calls: string[] = [];
  root = "";

  constructor(private readonly opts: LanghostWorkspaceOptions = {}) {}

  open = async (request: WorkspaceRequest): Promise<PulumiWorkspace> => {
    this.root = request.projectRoot;
    this.calls.push("open");
    return this;
  };

  async createOrSelectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`createOrSelect ${name}`);
    return this.stackOf(name);
  }

  async selectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`select ${name}`);
    const s = this.stacks.get(name);
    if (!s) throw new UsageError("--stack", `stack "${name}" does not exist; run provision first`);
    return s;
  }

  /** The engine behind a stack (state, history, registrations). */
  engine(stack: string): LanghostEngine {
    return this.stackOf(stack).engine;
  }

  private stackOf(name: string): LanghostStack {
    let s = this.stacks.get(name);
    if (!s) {
      if (this.root === "") throw new Error("LanghostWorkspace used before open()");
      const engine = new LanghostEngine({ projectRoot: this.root, stack: name });
      this.opts.configure?.(engine);
      s = new LanghostStack(name, engine, this, this.opts.run ?? {});
      this.stacks.set(name, s);
    }
    return s;
  }
}

function readPath(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );
}

export class LanghostStack implements PulumiStack {
  private last: OutputMap = {};

  constructor(
    readonly name: string,
    readonly engine: LanghostEngine,
    private readonly ws: LanghostWorkspace,
    private readonly runOptions: Omit<RunOptions, "plaintexts">,
  ) {}

  private get file(): string {
    return stackConfigFile(this.engine.project, this.name);
  }

  private readFile(): string {
    return fs.existsSync(this.file) ? fs.readFileSync(this.file, "utf8") : "";
  }

  /** `ns:key` or `ns:key.path…` as the secrets map and stackConfig.ts name it. */
  private secretKey(key: string, path: boolean | undefined): string {
    if (!path) return fullConfigKey(this.engine.project.name, key);
    const [first, ...rest] = parsePropertyPath(key);
    let out = fullConfigKey(this.engine.project.name, String(first));
    for (const seg of rest) out += typeof seg === "number" ? `[${seg}]` : `.${seg}`;
    return out;
  }

  async getConfig(key: string, opts?: { path?: boolean }): Promise<ConfigValue | undefined> {
    this.ws.calls.push(`getConfig ${key}`);
    const secret = this.ws.secrets.get(this.secretKey(key, opts?.path));
    if (secret !== undefined) return { value: secret, secret: true };
    const doc = (parse(this.readFile()) ?? {}) as { config?: Record<string, unknown> };
    const config = Object.fromEntries(
      Object.entries(doc.config ?? {}).map(([k, v]) => [
        fullConfigKey(this.engine.project.name, k),
        v,
      ]),
    );
    const [first, ...rest] = opts?.path ? parsePropertyPath(key) : [key];
    const value = readPath(config[fullConfigKey(this.engine.project.name, String(first))], rest);
    if (value === undefined) return undefined;
    return { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
  }

  async setConfig(key: string, value: ConfigValue, opts?: { path?: boolean }): Promise<void> {
    this.ws.calls.push(`setConfig ${key}${value.secret ? " (secret)" : ""}`);
    let stored: unknown = value.value;
    if (value.secret) {
      this.ws.secrets.set(this.secretKey(key, opts?.path), value.value);
      stored = { secure: fakeCiphertext(value.value) };
    }
    const text = setStackConfigText(this.readFile(), this.engine.project.name, key, stored, opts);
    fs.writeFileSync(this.file, text);
  }

  private options(): RunOptions {
    return { ...this.runOptions, plaintexts: Object.fromEntries(this.ws.secrets) };
  }

  private emit(result: OperationResult, opts?: OperationOptions): void {
    for (const e of engineEvents(result)) opts?.onEvent?.(e);
  }

  async preview(opts?: OperationOptions): Promise<{ changeSummary: ChangeSummary }> {
    this.ws.calls.push("preview");
    const run = await this.engine.preview(this.options());
    this.emit(run, opts);
    if (!run.ok) throw failure(run);
    return { changeSummary: run.summary };
  }

  async up(opts?: OperationOptions): Promise<{ outputs: OutputMap; changeSummary: ChangeSummary }> {
    this.ws.calls.push("up");
    const run = await this.engine.up(this.options());
    this.emit(run, opts);
    if (!run.ok) throw failure(run);
    this.last = run.outputs;
    return { outputs: this.last, changeSummary: run.summary };
  }

  async destroy(opts?: OperationOptions): Promise<{ changeSummary: ChangeSummary }> {
    this.ws.calls.push("destroy");
    const result = await this.engine.destroy(this.options());
    this.emit(result, opts);
    if (!result.ok) throw failure(result);
    this.last = {};
    return { changeSummary: result.summary };
  }

  async outputs(): Promise<OutputMap> {
    this.ws.calls.push("outputs");
    return this.last;
  }
}
