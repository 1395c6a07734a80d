/**
 * One deployment (a preview, an update, a refresh or a destroy) of one stack:
 * the engine's step generation and execution, emulated. The Go engine cannot
 * run here; this reproduces the parts of its behaviour the project relies on,
 * each rule naming the pulumi/pulumi file it comes from. Providers are real
 * where they can be (the Node.js dynamic-provider host, dynamicHost.ts) and
 * stand-ins otherwise (handlers.ts).
 */
import * as grpc from "@grpc/grpc-js";
import * as os from "node:os";
import { DynamicProviderHost, ProviderCallError, type ProviderProtocol } from "./dynamicHost";
import { matchesType, type InvokeHandler, type PlainMap, type ResourceHandler } from "./handlers";
import {
  MonitorError,
  type Diagnostic,
  type Invocation,
  type MonitorBackend,
  type ReadRequest,
  type Registration,
  type RegisterResult,
} from "./monitor";
import type { PulumiProject } from "./project";
import type { StackRunConfig } from "./stackConfig";
import {
  annotateSecrets,
  changedKeys,
  isSecret,
  markSecretOutputs,
  UNKNOWN,
  unwrapSecrets,
  wireEquals,
  type Wire,
  type WireMap,
} from "./wire";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_PREFIX = "pulumi:providers:";
const DYNAMIC_PACKAGE = "pulumi-nodejs";

/** A resource as the stack's state holds it. */
export interface StateEntry {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  /** Provider reference `urn::id`; "" for components and provider resources. */
  readonly provider: string;
  readonly id: string;
  readonly inputs: WireMap;
  readonly outputs: WireMap;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Creation order; deletes run newest first. */
  readonly seq: number;
  /** A default provider: the engine's own, never shown as a step. */
  readonly internal: boolean;
}

/** The engine's step kinds as the summary counts them. */
export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "refresh";

export interface Step {
  readonly op: StepOp;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Which inputs changed (update/replace), and which forced the replacement. */
  readonly changed?: readonly string[];
  readonly replaceKeys?: readonly string[];
}

/** One stack's state, kept across deployments. */
export class StackState {
  readonly entries = new Map<string, StateEntry>();
  /** Replaced resources whose delete has not run (the engine's pending deletes). */
  pendingDeletes: StateEntry[] = [];
  private seq = 0;
  nextSeq(): number {
    return this.seq++;
  }
}

export interface HandlerEntry {
  readonly pattern: string;
  readonly handler: ResourceHandler;
}

export interface DeploymentContext {
  readonly project: PulumiProject;
  readonly stack: string;
  readonly dryRun: boolean;
  readonly config: StackRunConfig;
  readonly state: StackState;
  /** Latest registration first wins. */
  readonly handlers: readonly HandlerEntry[];
  readonly invokes: ReadonlyMap<string, InvokeHandler>;
  /** The CLI's environment, passed on to provider plugins. */
  readonly env: Readonly<Record<string, string>>;
}

/** Everything the SDK sent in one RegisterResource, with the URN the engine gave it. */
export type RecordedRegistration = Registration & { readonly urn: string };

/** Thrown by a step; the message is what the engine prints after `error:`. */
class StepError extends Error {}

function errorMessage(err: unknown): string {
  if (err instanceof ProviderCallError) return err.details;
  return err instanceof Error ? err.message : String(err);
}

function plainMap(map: WireMap): PlainMap {
  return unwrapSecrets(map) as PlainMap;
}

/**
 * The engine's URN for a resource. pulumi/pulumi pkg/resource/deploy/deployment.go
 * generateURN: the parent's qualified type prefixes the type (`parent$type`),
 * except for the root stack.
 */
export function generateUrn(
  stack: string,
  project: string,
  parent: string,
  type: string,
  name: string,
): string {
  const parentType = parent === "" ? "" : qualifiedTypeOf(parent);
  const qualified =
    parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** `a$b$c` of `urn:pulumi:s::p::a$b$c::name` (a name may itself contain `::`). */
export function qualifiedTypeOf(urn: string): string {
  return urn.split("::")[2];
}

/**
 * pulumi/pulumi pkg/resource/deploy/providers/provider.go ProviderRequest.DefaultName:
 * `default`, plus `_<major>_<minor>_<patch>` when the registration names a version.
 */
export function defaultProviderName(version: string): string {
  if (version === "") return "default";
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
  if (!m) return "default";
  const extra = [...(m[4]?.split(".") ?? []), ...(m[5]?.split(".") ?? [])].map((p) => `_${p}`);
  return `default_${m[1]}_${m[2]}_${m[3]}${extra.join("")}`;
}

export class Deployment implements MonitorBackend {
  readonly project: string;
  readonly stack: string;
  readonly dryRun: boolean;
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  readonly parallel = os.availableParallelism() * 4;

  readonly steps: Step[] = [];
  readonly registrations: RecordedRegistration[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly invocations: Invocation[] = [];
  /** RegisterResourceOutputs of the root stack: the stack's outputs. */
  stackOutputs: WireMap = {};
  /** The first step error; set, the deployment is over (the engine cancels). */
  failure?: { readonly urn: string; readonly message: string };
  /** Called once on the first step error: the engine cancels the program. */
  onCancel: () => void = () => {};
  /** The engine address handed to provider plugins. */
  engineAddress = "";

  private readonly seen = new Set<string>();
  private readonly hosts = new Map<string, Promise<DynamicProviderHost>>();
  private readonly defaultProviders = new Map<string, Promise<string>>();
  /** Provider inputs by provider URN, for configuring their plugins. */
  private readonly providerInputs = new Map<string, WireMap>();
  private readonly replacedInThisRun: StateEntry[] = [];

  constructor(private readonly ctx: DeploymentContext) {
    this.project = ctx.project.name;
    this.stack = ctx.stack;
    this.dryRun = ctx.dryRun;
    this.config = ctx.config.config;
    this.secretKeys = ctx.config.secretKeys;
  }

  // ------------------------------------------------------------------ monitor

  async registerResource(reg: Registration): Promise<RegisterResult> {
    const urn = generateUrn(this.stack, this.project, reg.parent, reg.type, reg.name);
    this.registrations.push({ ...reg, urn });
    // pulumi/pulumi pkg/resource/deploy/source_eval.go RegisterResource: once the
    // deployment is cancelled the monitor refuses further work with UNAVAILABLE.
    if (this.failure) {
      throw new MonitorError(
        grpc.status.UNAVAILABLE,
        "resource monitor shut down while sending resource registration",
      );
    }
    this.seen.add(urn);
    try {
      return await this.registerStep(reg, urn);
    } catch (err) {
      this.fail(urn, errorMessage(err));
      throw new MonitorError(
        grpc.status.UNAVAILABLE,
        "resource monitor shut down while waiting on step's done channel",
      );
    }
  }

  registerResourceOutputs(urn: string, outputs: WireMap): void {
    if (qualifiedTypeOf(urn) === ROOT_STACK_TYPE) this.stackOutputs = outputs;
    const entry = this.ctx.state.entries.get(urn);
    if (entry && !entry.custom && !this.dryRun) {
      this.ctx.state.entries.set(urn, { ...entry, outputs });
    }
  }

  async invoke(inv: Invocation): Promise<WireMap> {
    this.invocations.push(inv);
    const handler = this.ctx.invokes.get(inv.token);
    if (!handler) {
      throw new MonitorError(
        grpc.status.UNKNOWN,
        `harness: no invoke handler for ${inv.token} (provider plugins are emulated)`,
      );
    }
    return (await handler(plainMap(inv.args))) as WireMap;
  }

  async readResource(req: ReadRequest): Promise<{ urn: string; properties: WireMap }> {
    throw new MonitorError(
      grpc.status.UNKNOWN,
      `harness: reading ${req.type} ${req.name} (id ${req.id}) is not emulated`,
    );
  }

  log(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  private fail(urn: string, message: string): void {
    // pulumi/pulumi pkg/engine/update.go OnResourceStepPost: a failed step is an error
    // diagnostic on its resource, the message verbatim (diag.GetResourceOperationFailedError "%v").
    this.diagnostics.push({ severity: "error", message, urn });
    if (this.failure) return;
    this.failure = { urn, message };
    // pulumi/pulumi pkg/resource/deploy/step_executor.go cancelDueToError: the
    // deployment stops; the language host's Run is cancelled.
    this.onCancel();
  }

  // ------------------------------------------------------------------ steps

  private registerStep(reg: Registration, urn: string): Promise<RegisterResult> {
    if (!reg.custom) return Promise.resolve(this.componentStep(reg, urn));
    if (reg.type.startsWith(PROVIDER_PREFIX)) return this.handlerStep(reg, urn, "", false);
    return this.customStep(reg, urn);
  }

  private async customStep(reg: Registration, urn: string): Promise<RegisterResult> {
    const provider = reg.provider !== "" ? reg.provider : await this.defaultProvider(reg);
    if (reg.type.startsWith(`${DYNAMIC_PACKAGE}:`)) return this.dynamicStep(reg, urn, provider);
    return this.handlerStep(reg, urn, provider, false);
  }

  private record(step: Step, internal: boolean): void {
    if (!internal) this.steps.push(step);
  }

  private commit(entry: StateEntry): void {
    if (entry.type.startsWith(PROVIDER_PREFIX)) this.providerInputs.set(entry.urn, entry.inputs);
    if (!this.dryRun) this.ctx.state.entries.set(entry.urn, entry);
  }

  private newEntry(
    reg: Registration,
    urn: string,
    provider: string,
    fields: { id: string; inputs: WireMap; outputs: WireMap },
    old: StateEntry | undefined,
    internal: boolean,
  ): StateEntry {
    return {
      urn,
      type: reg.type,
      name: reg.name,
      custom: reg.custom,
      parent: reg.parent,
      provider,
      id: fields.id,
      inputs: fields.inputs,
      // pulumi/pulumi pkg/resource/deploy/step.go: additionalSecretOutputs are made secret.
      outputs: markSecretOutputs(fields.outputs, reg.additionalSecretOutputs),
      dependencies: reg.dependencies,
      protect: reg.protect === true,
      retainOnDelete: reg.retainOnDelete === true,
      seq: old?.seq ?? this.ctx.state.nextSeq(),
      internal,
    };
  }

  /**
   * A component: no provider. pulumi/pulumi pkg/resource/deploy/step_generator.go
   * diff: without a provider, equal inputs are `same`, others an update; and
   * source_eval.go RegisterResource returns a local component no outputs.
   */
  private componentStep(reg: Registration, urn: string): RegisterResult {
    const old = this.ctx.state.entries.get(urn);
    const op: StepOp = !old ? "create" : wireEquals(old.inputs, reg.inputs) ? "same" : "update";
    const entry = this.newEntry(
      reg,
      urn,
      "",
      { id: "", inputs: reg.inputs, outputs: old?.outputs ?? {} },
      old,
      false,
    );
    this.commit(entry);
    this.record({ op, urn, type: reg.type, name: reg.name }, false);
    return { urn, id: "", outputs: {} };
  }

  /**
   * The default provider for a registration without one. pulumi/pulumi
   * pkg/resource/deploy/default_providers.go: one `pulumi:providers:<pkg>`
   * resource per package and version, named by DefaultName, whose inputs are
   * the stack config of that package (plus `version`); never shown as a step
   * (pkg/engine/update.go isInternalStep).
   */
  private defaultProvider(reg: Registration): Promise<string> {
    const pkg = reg.type.split(":")[0];
    const type = `${PROVIDER_PREFIX}${pkg}`;
    const name = defaultProviderName(reg.version);
    const urn = generateUrn(this.stack, this.project, "", type, name);
    let ref = this.defaultProviders.get(urn);
    if (!ref) {
      const inputs: WireMap = {};
      for (const [key, value] of Object.entries(this.config)) {
        if (key.startsWith(`${pkg}:`)) inputs[key.slice(pkg.length + 1)] = value;
      }
      if (reg.version !== "") inputs.version = reg.version;
      const providerReg: Registration = {
        ...reg,
        type,
        name,
        custom: true,
        parent: "",
        inputs,
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        additionalSecretOutputs: [],
        replaceOnChanges: [],
        protect: undefined,
        retainOnDelete: undefined,
        deleteBeforeReplace: undefined,
      };
      this.seen.add(urn);
      ref = this.handlerStep(providerReg, urn, "", true).then((r) => `${urn}::${r.id}`);
      this.defaultProviders.set(urn, ref);
    }
    return ref;
  }

  private handlerFor(type: string): ResourceHandler | undefined {
    return this.ctx.handlers.find((h) => matchesType(h.pattern, type))?.handler;
  }

  private requireHandler(type: string, what: string): ResourceHandler {
    const handler = this.handlerFor(type);
    if (!handler) {
      throw new StepError(
        `harness: no resource handler for ${type} (${what}); provider plugins are emulated, register one`,
      );
    }
    return handler;
  }

  /**
   * A custom resource of an emulated provider. The diff is the engine's own
   * fallback for a provider that cannot say (pulumi/pulumi
   * pkg/resource/deploy/step_generator.go diffResource, DiffUnknown: compare old
   * and new inputs); a handler may name inputs that force a replacement.
   */
  private async handlerStep(
    reg: Registration,
    urn: string,
    provider: string,
    internal: boolean,
  ): Promise<RegisterResult> {
    const old = this.ctx.state.entries.get(urn);
    const isProvider = reg.type.startsWith(PROVIDER_PREFIX);
    const inputs = reg.inputs;
    const base = { urn, type: reg.type, name: reg.name };
    let fields: { id: string; inputs: WireMap; outputs: WireMap };
    let step: Step;
    if (!old) {
      step = { ...base, op: "create" };
      fields = this.dryRun
        ? // pulumi/pulumi pkg/resource/deploy/providers/registry.go Create: a provider
          // planned in a preview has the unknown id; other creates have none yet.
          { id: isProvider ? UNKNOWN : "", inputs, outputs: inputs }
        : await this.handlerCreate(reg, urn, inputs);
    } else {
      const changed = changedKeys(old.inputs, inputs);
      const handler = this.handlerFor(reg.type);
      const replaceKeys =
        changed.length === 0 ? [] : this.replaceKeysFor(reg, old, inputs, changed, handler);
      step = {
        ...base,
        op: changed.length === 0 ? "same" : replaceKeys.length > 0 ? "replace" : "update",
        changed,
        replaceKeys,
      };
      fields = await this.handlerChange(reg, urn, old, inputs, step);
    }
    const entry = this.newEntry(reg, urn, provider, fields, old, internal);
    this.commit(entry);
    this.record(step, internal);
    return { urn, id: fields.id, outputs: entry.outputs };
  }

  private replaceKeysFor(
    reg: Registration,
    old: StateEntry,
    inputs: WireMap,
    changed: readonly string[],
    handler: ResourceHandler | undefined,
  ): string[] {
    const fromProvider =
      handler?.replaceKeys?.(this.handlerResource(old), plainMap(inputs), changed) ?? [];
    // pulumi/pulumi pkg/resource/deploy/step_generator.go applyReplaceOnChanges.
    const fromOption = changed.filter(
      (k) => reg.replaceOnChanges.includes(k) || reg.replaceOnChanges.includes("*"),
    );
    return [...new Set([...fromProvider, ...fromOption])];
  }

  private handlerResource(entry: StateEntry) {
    return {
      urn: entry.urn,
      type: entry.type,
      name: entry.name,
      id: entry.id,
      inputs: plainMap(entry.inputs),
      outputs: plainMap(entry.outputs),
    };
  }

  private async handlerCreate(
    reg: Registration,
    urn: string,
    inputs: WireMap,
  ): Promise<{ id: string; inputs: WireMap; outputs: WireMap }> {
    const handler = this.requireHandler(reg.type, "create");
    const created = await handler.create({
      urn,
      type: reg.type,
      name: reg.name,
      inputs: plainMap(inputs),
    });
    const outputs = annotateSecrets({ ...inputs, ...((created.outputs ?? {}) as WireMap) }, inputs);
    return { id: created.id, inputs, outputs };
  }

  private async handlerChange(
    reg: Registration,
    urn: string,
    old: StateEntry,
    inputs: WireMap,
    step: Step,
  ): Promise<{ id: string; inputs: WireMap; outputs: WireMap }> {
    if (step.op === "same") return { id: old.id, inputs, outputs: old.outputs };
    if (this.dryRun) {
      return step.op === "update"
        ? { id: old.id, inputs, outputs: { ...old.outputs, ...inputs } }
        : { id: "", inputs, outputs: inputs };
    }
    if (step.op === "update") {
      const handler = this.requireHandler(reg.type, "update");
      if (!handler.update) {
        throw new StepError(
          `harness: updating ${reg.type} is not emulated (changed: ${step.changed?.join(", ")})`,
        );
      }
      const updated = await handler.update(this.handlerResource(old), plainMap(inputs));
      const outputs = annotateSecrets(
        { ...old.outputs, ...inputs, ...((updated.outputs ?? {}) as WireMap) },
        inputs,
      );
      return { id: old.id, inputs, outputs };
    }
    return this.replace(reg, old, () => this.handlerCreate(reg, urn, inputs));
  }

  /**
   * A replacement: create-before-delete unless deleteBeforeReplace, the old
   * resource's delete running with the run's other deletes
   * (pulumi/pulumi pkg/resource/deploy/step_generator.go, ReplaceStep /
   * CreateReplacement / DeleteReplaced).
   */
  private async replace<T extends { id: string }>(
    reg: Registration,
    old: StateEntry,
    create: () => Promise<T>,
    providerAskedDeleteFirst = false,
  ): Promise<T> {
    const deleteFirst = reg.deleteBeforeReplace ?? providerAskedDeleteFirst;
    if (deleteFirst) {
      await this.deleteResource(old);
      return create();
    }
    const created = await create();
    this.replacedInThisRun.push(old);
    this.ctx.state.pendingDeletes.push(old);
    return created;
  }

  // ------------------------------------------------------------------ dynamic provider

  /**
   * The plugin for a `pulumi-nodejs` provider reference: started once per
   * deployment, GetPluginInfo, then Configure with the provider resource's
   * inputs (pulumi/pulumi pkg/resource/deploy/providers/registry.go Create/Same →
   * Configure).
   */
  private hostFor(providerRef: string): Promise<DynamicProviderHost> {
    let host = this.hosts.get(providerRef);
    if (!host) {
      host = this.startHost(providerRef);
      this.hosts.set(providerRef, host);
    }
    return host;
  }

  private async startHost(providerRef: string): Promise<DynamicProviderHost> {
    const parts = providerRef.split("::");
    const id = parts.pop()!;
    const urn = parts.join("::");
    const inputs = this.providerInputs.get(urn) ?? this.ctx.state.entries.get(urn)?.inputs ?? {};
    const host = await DynamicProviderHost.start(
      this.ctx.project,
      this.engineAddress,
      this.ctx.project.runtimeOptions,
      this.ctx.env,
    );
    await host.getPluginInfo();
    await host.configure(urn, qualifiedTypeOf(urn), id, inputs);
    return host;
  }

  /**
   * A dynamic resource through the real host. pulumi/pulumi
   * pkg/resource/deploy/step_generator.go generateResourceSteps: Check(olds = old
   * inputs, news), then Create, or Diff → Same / Update / Replace; and
   * sdk/go/common/resource/plugin/provider_plugin.go: a provider that does not
   * report supportsPreview is not asked to Create/Update in a preview (the
   * checked inputs stand for its outputs); for a provider that cannot take
   * secrets the engine strips them and re-marks outputs (annotateSecrets).
   */
  private async dynamicStep(
    reg: Registration,
    urn: string,
    provider: string,
  ): Promise<RegisterResult> {
    const host = await this.hostFor(provider);
    const protocol = host.configured;
    const old = this.ctx.state.entries.get(urn);
    const checked = await host.check(urn, old?.inputs ?? {}, reg.inputs, this.dryRun);
    if (checked.failures.length > 0) {
      throw new StepError(
        checked.failures
          .map(
            (f) =>
              `${reg.type} resource '${reg.name}': property ${f.property} value has a problem: ${f.reason}`,
          )
          .join("\n"),
      );
    }
    const inputs = protocol.acceptSecrets
      ? checked.inputs
      : annotateSecrets(checked.inputs, reg.inputs);
    const base = { urn, type: reg.type, name: reg.name };
    let fields: { id: string; inputs: WireMap; outputs: WireMap };
    let step: Step;
    if (!old) {
      step = { ...base, op: "create" };
      fields = await this.dynamicCreate(host, protocol, urn, inputs);
    } else {
      const diff = await host.diff(urn, old.id, old.inputs, old.outputs, inputs, this.dryRun);
      const changed = changedKeys(old.inputs, inputs);
      // pulumi/pulumi step_generator.go diffResource: DIFF_UNKNOWN → the engine compares inputs.
      const some = diff.changes === "some" || (diff.changes === "unknown" && changed.length > 0);
      const fromOption = changed.filter((k) => reg.replaceOnChanges.includes(k));
      const replaceKeys = some ? [...new Set([...diff.replaces, ...fromOption])] : [];
      step = {
        ...base,
        op: !some ? "same" : replaceKeys.length > 0 ? "replace" : "update",
        changed,
        replaceKeys,
      };
      fields = await this.dynamicChange(
        host,
        protocol,
        reg,
        urn,
        old,
        inputs,
        step,
        diff.deleteBeforeReplace,
      );
    }
    const entry = this.newEntry(reg, urn, provider, fields, old, false);
    this.commit(entry);
    this.record(step, false);
    return { urn, id: fields.id, outputs: entry.outputs };
  }

  private async dynamicCreate(
    host: DynamicProviderHost,
    protocol: ProviderProtocol,
    urn: string,
    inputs: WireMap,
  ): Promise<{ id: string; inputs: WireMap; outputs: WireMap }> {
    if (this.dryRun && !protocol.supportsPreview) return { id: "", inputs, outputs: inputs };
    const created = await host.create(urn, inputs);
    const outputs = protocol.acceptSecrets
      ? created.outputs
      : annotateSecrets(created.outputs, inputs);
    return { id: created.id, inputs, outputs };
  }

  private async dynamicChange(
    host: DynamicProviderHost,
    protocol: ProviderProtocol,
    reg: Registration,
    urn: string,
    old: StateEntry,
    inputs: WireMap,
    step: Step,
    providerAskedDeleteFirst: boolean,
  ): Promise<{ id: string; inputs: WireMap; outputs: WireMap }> {
    if (step.op === "same") return { id: old.id, inputs, outputs: old.outputs };
    if (this.dryRun && !protocol.supportsPreview) {
      return { id: step.op === "update" ? old.id : "", inputs, outputs: inputs };
    }
    if (step.op === "update") {
      const updated = await host.update(urn, old.id, old.inputs, old.outputs, inputs);
      const outputs = protocol.acceptSecrets ? updated : annotateSecrets(updated, inputs);
      return { id: old.id, inputs, outputs };
    }
    return this.replace(
      reg,
      old,
      () => this.dynamicCreate(host, protocol, urn, inputs),
      providerAskedDeleteFirst,
    );
  }

  // ------------------------------------------------------------------ deletes, refresh

  /** Deletes one resource through its provider (nothing for components and retained resources). */
  private async deleteResource(entry: StateEntry): Promise<void> {
    if (entry.protect) {
      throw new StepError(
        `resource "${entry.urn}" cannot be deleted because it is protected. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``,
      );
    }
    if (!entry.custom || entry.retainOnDelete) return;
    if (entry.type.startsWith(`${DYNAMIC_PACKAGE}:`)) {
      const host = await this.hostFor(entry.provider);
      await host.delete(entry.urn, entry.id, entry.inputs, entry.outputs);
      return;
    }
    const handler = this.requireHandler(entry.type, "delete");
    if (!handler.delete) throw new StepError(`harness: deleting ${entry.type} is not emulated`);
    await handler.delete(this.handlerResource(entry));
  }

  /**
   * After the program exited successfully: what it did not register is
   * deleted, with the pending deletes of replaced resources, newest first
   * (pulumi/pulumi pkg/resource/deploy/step_generator.go GenerateDeletes,
   * ScheduleDeletes: dependents before their dependencies).
   */
  async deleteUnregistered(): Promise<void> {
    const gone = [...this.ctx.state.entries.values()].filter((e) => !this.seen.has(e.urn));
    const pending = this.ctx.state.pendingDeletes;
    const all = [
      ...gone.map((e) => ({ e, replaced: false })),
      ...pending.map((e) => ({ e, replaced: true })),
    ];
    all.sort((a, b) => b.e.seq - a.e.seq);
    for (const { e, replaced } of all) {
      if (this.failure) return;
      if (!replaced)
        this.record({ op: "delete", urn: e.urn, type: e.type, name: e.name }, e.internal);
      if (this.dryRun) continue;
      try {
        await this.deleteResource(e);
      } catch (err) {
        this.fail(e.urn, errorMessage(err));
        return;
      }
      if (replaced) {
        this.ctx.state.pendingDeletes = this.ctx.state.pendingDeletes.filter((p) => p !== e);
      } else {
        this.ctx.state.entries.delete(e.urn);
      }
    }
  }

  /** Deletes every resource in the state, newest first (`pulumi destroy`). */
  async destroyAll(): Promise<void> {
    const all = [...this.ctx.state.entries.values(), ...this.ctx.state.pendingDeletes];
    all.sort((a, b) => b.seq - a.seq);
    for (const e of all) {
      try {
        await this.deleteResource(e);
      } catch (err) {
        this.fail(e.urn, errorMessage(err));
        return;
      }
      this.record({ op: "delete", urn: e.urn, type: e.type, name: e.name }, e.internal);
      if (this.ctx.state.entries.get(e.urn) === e) this.ctx.state.entries.delete(e.urn);
      this.ctx.state.pendingDeletes = this.ctx.state.pendingDeletes.filter((p) => p !== e);
    }
  }

  /**
   * `pulumi refresh`: Read every custom resource whose provider can; a read
   * that returns no id means the resource is gone and leaves the state
   * (pulumi/pulumi pkg/resource/deploy/step.go RefreshStep: "deleted"); changed
   * outputs are an update of the state, unchanged ones `same`.
   */
  async refreshAll(): Promise<void> {
    for (const e of [...this.ctx.state.entries.values()].sort((a, b) => a.seq - b.seq)) {
      if (!e.custom || e.type.startsWith(PROVIDER_PREFIX)) continue;
      let read: { id: string; outputs: WireMap; inputs?: WireMap } | undefined;
      try {
        read = await this.readResource_(e);
      } catch (err) {
        this.fail(e.urn, errorMessage(err));
        return;
      }
      if (read === undefined) continue;
      const base = { urn: e.urn, type: e.type, name: e.name };
      if (read.id === "") {
        this.ctx.state.entries.delete(e.urn);
        this.record({ ...base, op: "delete" }, false);
        continue;
      }
      const outputs = annotateSecrets(read.outputs, e.outputs);
      const same = wireEquals(unwrapSecrets(outputs), unwrapSecrets(e.outputs));
      this.ctx.state.entries.set(e.urn, {
        ...e,
        id: read.id,
        outputs,
        inputs: read.inputs ?? e.inputs,
      });
      this.record({ ...base, op: same ? "same" : "update" }, false);
    }
  }

  private async readResource_(
    e: StateEntry,
  ): Promise<{ id: string; outputs: WireMap; inputs?: WireMap } | undefined> {
    if (e.type.startsWith(`${DYNAMIC_PACKAGE}:`)) {
      const host = await this.hostFor(e.provider);
      const read = await host.read(e.urn, e.id, e.inputs, e.outputs);
      const protocol = host.configured;
      return protocol.acceptSecrets
        ? read
        : { ...read, outputs: annotateSecrets(read.outputs, e.outputs) };
    }
    const handler = this.handlerFor(e.type);
    if (!handler?.read) return undefined;
    const read = await handler.read(this.handlerResource(e));
    if (read === undefined) return { id: "", outputs: {} };
    return {
      id: e.id,
      outputs: annotateSecrets({ ...e.outputs, ...(read.outputs as WireMap) }, e.outputs),
    };
  }

  /** Stops the provider plugins started for this deployment. */
  async close(): Promise<void> {
    for (const host of this.hosts.values()) {
      try {
        (await host).close();
      } catch {
        // a host that never started has nothing to stop
      }
    }
  }

  /** The dynamic-provider hosts' own output (stdout after the port, stderr). */
  async hostOutput(): Promise<string> {
    const out: string[] = [];
    for (const host of this.hosts.values()) {
      try {
        out.push((await host).output);
      } catch (err) {
        out.push(`(host did not start: ${errorMessage(err)})`);
      }
    }
    return out.join("\n");
  }
}

/** A stack output as the Automation API reports it: value and secret flag. */
export function outputValue(v: Wire): { value: unknown; secret: boolean } {
  return { value: unwrapSecrets(v), secret: isSecret(v) };
}
