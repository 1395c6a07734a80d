/**
 * A small stand-in for the Pulumi engine, for tier tests that run the real
 * program more than once (idempotence, key rotation). No Pulumi CLI, engine or
 * provider plugin can run here, and Pulumi's mock runtime keeps no state, so
 * this keeps the state itself and applies the engine's rules on every run:
 *
 * - a resource (type + logical name) not in the state is created — AWS
 *   resources in moto (test/support/awsEmulator.ts createInMoto, moto's admin
 *   key), the program's ZenML resources by calling their real dynamic
 *   providers (src/zenml/resources.ts) against the real ZenML server;
 * - a resource already in the state with the same inputs is unchanged: no
 *   cloud call is made, except a read that proves the object still exists in
 *   moto (like `pulumi refresh`), and its recorded outputs are returned;
 *   a ZenML resource is asked its provider's `diff`, and updated in place
 *   when it reports changes;
 * - an AWS resource whose inputs changed is an error (the program never
 *   changes one in these tests; the emulator has no update calls);
 * - resources in the state that the program no longer declares are deleted
 *   after every create and update, in reverse order of creation — as the
 *   engine deletes them at the end of an update.
 * Component resources have no provider: they are recorded, never "updated".
 * `preview` decides the same steps without performing any.
 *
 * EngineWorkspace puts this behind the script's PulumiWorkspace interface, so
 * the real `provision`/`rotate` handlers drive it; secret config values are
 * kept in memory (a fake ciphertext goes into the stack config file).
 */
import {
  DeleteAccessKeyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
} from "@aws-sdk/client-iam";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_NAME } from "../../src/config/keys";
import { StackConfigFile, isSecureValue } from "../../src/automation/stackConfigFile";
import type {
  ChangeSummary,
  ConfigValue,
  EngineEvent,
  OperationOptions,
  OutputMap,
  PulumiStack,
  PulumiWorkspace,
  WorkspaceRequest,
} from "../../src/automation/workspace";
import {
  artifactStoreProvider,
  connectorProvider,
  secretProvider,
  stackProvider,
} from "../../src/zenml/resources";
import { createInMoto, iamClient, s3Client } from "./awsEmulator";
import { fakeCiphertext, setStackConfigText } from "./langhost/stackFileEdit";
import type { MotoServer } from "./services";
import { setProgramConfig } from "./programConfig";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

export type StepOp = "create" | "same" | "update" | "delete";

export interface EngineStep {
  readonly op: StepOp;
  readonly type: string;
  readonly name: string;
}

interface StateEntry {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly id: string;
  readonly inputs: Inputs;
  readonly outputs: Inputs;
  readonly seq: number;
}

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const PROJECT = "zenml-remote-storage";

/** The SDK's wire form of secrets (`{sig, value}`) replaced by the values. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Inputs;
    if (SECRET_SIG in obj) return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Inputs).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

// The dynamic provider interface, loosely: each one's props type differs.
interface AnyProvider {
  create(inputs: Inputs): Promise<{ id: string; outs?: Inputs }>;
  diff?(id: string, olds: Inputs, news: Inputs): Promise<pulumi.dynamic.DiffResult>;
  update?(id: string, olds: Inputs, news: Inputs): Promise<{ outs?: Inputs }>;
  delete?(id: string, props: Inputs): Promise<void>;
}

/** The program's ZenML resources by logical name (src/zenml/zenmlRegistration.ts). */
function zenmlProvider(name: string): AnyProvider {
  const provider = name.endsWith("-zenml-connector")
    ? connectorProvider
    : name.endsWith("-zenml-secret")
      ? secretProvider
      : name.endsWith("-zenml-artifact-store")
        ? artifactStoreProvider
        : name.endsWith("-zenml-stack")
          ? stackProvider
          : undefined;
  if (provider === undefined) throw new Error(`emulated engine: no provider for ${name}`);
  return provider as unknown as AnyProvider;
}

function dynamicProps(inputs: Inputs): Inputs {
  const { __provider: _serialised, ...rest } = unwrapSecrets(inputs) as Inputs;
  void _serialised;
  return rest;
}

export class EmulatedEngine {
  private readonly state = new Map<string, StateEntry>();
  private seq = 0;
  /** Every step of every run, in order, with the run's label. */
  readonly history: (EngineStep & { run: number })[] = [];
  runs = 0;

  constructor(
    private readonly moto: MotoServer,
    readonly stack: string,
  ) {}

  /** The resources the engine holds, by `type::name`. */
  resources(): { type: string; name: string; id: string }[] {
    return [...this.state.values()].map(({ type, name, id }) => ({ type, name, id }));
  }

  /** Runs the program with `config` (full keys, decrypted); `preview` performs nothing. */
  async run(
    config: Record<string, unknown>,
    preview: boolean,
  ): Promise<{ outputs?: Record<string, unknown>; steps: EngineStep[] }> {
    const steps: EngineStep[] = [];
    const seen = new Set<string>();
    const planned = new Map<string, StateEntry>();
    setProgramConfig(config);
    await pulumi.runtime.setMocks(
      {
        newResource: async (args) => {
          const key = `${args.type}::${args.name}`;
          seen.add(key);
          const custom = args.custom !== false;
          const prev = this.state.get(key);
          const { op, id, outputs } = await this.step(
            args.type,
            args.name,
            custom,
            args.inputs,
            prev,
            preview,
          );
          steps.push({ op, type: args.type, name: args.name });
          const entry: StateEntry = {
            type: args.type,
            name: args.name,
            custom,
            id,
            inputs: args.inputs,
            outputs,
            seq: prev?.seq ?? this.seq++,
          };
          if (!preview) this.state.set(key, entry);
          else planned.set(key, entry);
          return { id: preview && op === "create" ? "" : id, state: outputs };
        },
        call: (args) => {
          if (args.token === "aws:index/getPartition:getPartition") {
            return { partition: "aws", id: "aws" };
          }
          if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
            return {
              accountId: this.moto.admin.accountId,
              arn: this.moto.admin.arn,
              userId: "admin",
              id: this.moto.admin.accountId,
            };
          }
          throw new Error(`emulated engine: unexpected invoke ${args.token}`);
        },
      },
      PROJECT,
      this.stack,
      preview,
    );
    const program = (await import("../../src/index")).default;
    const result = await program();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as {
      waitForRPCs(): Promise<void>;
    };
    const outputs = preview
      ? undefined
      : await new Promise<Record<string, unknown>>((done) =>
          pulumi.output(result).apply((v) => done(v as Record<string, unknown>)),
        );
    await settings.waitForRPCs();
    // Deletes come last, newest first.
    const gone = [...this.state.entries()]
      .filter(([key]) => !seen.has(key))
      .sort(([, a], [, b]) => b.seq - a.seq);
    for (const [key, entry] of gone) {
      if (!preview) {
        await this.remove(entry);
        this.state.delete(key);
      }
      steps.push({ op: "delete", type: entry.type, name: entry.name });
    }
    this.runs += 1;
    if (!preview) for (const s of steps) this.history.push({ ...s, run: this.runs });
    return { outputs, steps };
  }

  private async step(
    type: string,
    name: string,
    custom: boolean,
    inputs: Inputs,
    prev: StateEntry | undefined,
    preview: boolean,
  ): Promise<{ op: StepOp; id: string; outputs: Inputs }> {
    if (!custom) {
      return { op: prev ? "same" : "create", id: `${name}-component`, outputs: inputs };
    }
    if (type === DYNAMIC) {
      const provider = zenmlProvider(name);
      const props = dynamicProps(inputs);
      if (prev === undefined) {
        if (preview) return { op: "create", id: "", outputs: inputs };
        const created = await provider.create(props);
        return { op: "create", id: created.id, outputs: { ...inputs, ...(created.outs ?? props) } };
      }
      const olds = dynamicProps(prev.outputs);
      const diff = (await provider.diff?.(prev.id, olds, props)) ?? { changes: true };
      if (!diff.changes) return { op: "same", id: prev.id, outputs: prev.outputs };
      if (preview) return { op: "update", id: prev.id, outputs: inputs };
      if ((diff.replaces ?? []).length > 0) {
        throw new Error(
          `emulated engine: ${name} would be replaced (${diff.replaces!.join(", ")})`,
        );
      }
      const updated = await provider.update!(prev.id, olds, props);
      return { op: "update", id: prev.id, outputs: { ...inputs, ...(updated.outs ?? props) } };
    }
    if (prev === undefined) {
      if (preview) return { op: "create", id: "", outputs: inputs };
      const created = await createInMoto(this.moto, type, name, inputs);
      return { op: "create", id: created.id, outputs: { ...inputs, ...created.outputs } };
    }
    if (canonical(unwrapSecrets(prev.inputs)) !== canonical(unwrapSecrets(inputs))) {
      const changed = Object.keys({ ...prev.inputs, ...inputs }).filter(
        (k) => canonical(unwrapSecrets(prev.inputs[k])) !== canonical(unwrapSecrets(inputs[k])),
      );
      throw new Error(
        `emulated engine: ${type} ${name} changed (${changed.join(", ")}); updates of AWS resources are not emulated`,
      );
    }
    if (!preview) await this.refresh(prev);
    return { op: "same", id: prev.id, outputs: prev.outputs };
  }

  /** Reads an unchanged AWS object back from moto: it must still be there. */
  private async refresh(entry: StateEntry): Promise<void> {
    const iam = iamClient(this.moto, this.moto.admin);
    const s3 = s3Client(this.moto, this.moto.admin);
    const i = entry.inputs;
    switch (entry.type) {
      case "aws:s3/bucket:Bucket":
        await s3.send(new HeadBucketCommand({ Bucket: entry.id }));
        return;
      case "aws:iam/user:User":
        await iam.send(new GetUserCommand({ UserName: entry.id }));
        return;
      case "aws:iam/accessKey:AccessKey": {
        const keys = await iam.send(new ListAccessKeysCommand({ UserName: i.user as string }));
        if (!(keys.AccessKeyMetadata ?? []).some((k) => k.AccessKeyId === entry.id)) {
          throw new Error(`emulated engine: access key ${entry.name} is gone from moto`);
        }
        return;
      }
      case "aws:iam/userPolicy:UserPolicy":
        await iam.send(new GetUserPolicyCommand({ UserName: i.user, PolicyName: entry.name }));
        return;
      case "aws:iam/role:Role":
        await iam.send(new GetRoleCommand({ RoleName: entry.id }));
        return;
      case "aws:iam/rolePolicy:RolePolicy":
        await iam.send(new GetRolePolicyCommand({ RoleName: i.role, PolicyName: entry.name }));
        return;
      default:
        // Bucket settings: their bucket must still exist.
        if (typeof i.bucket === "string")
          await s3.send(new HeadBucketCommand({ Bucket: i.bucket }));
    }
  }

  private async remove(entry: StateEntry): Promise<void> {
    if (!entry.custom) return;
    if (entry.type === DYNAMIC) {
      await zenmlProvider(entry.name).delete?.(entry.id, dynamicProps(entry.outputs));
      return;
    }
    if (entry.type === "aws:iam/accessKey:AccessKey") {
      await iamClient(this.moto, this.moto.admin).send(
        new DeleteAccessKeyCommand({
          UserName: entry.inputs.user as string,
          AccessKeyId: entry.id,
        }),
      );
      return;
    }
    throw new Error(`emulated engine: deleting ${entry.type} is not emulated`);
  }
}

function summaryOf(steps: readonly EngineStep[]): ChangeSummary {
  const out: Record<string, number> = {};
  for (const s of steps) out[s.op] = (out[s.op] ?? 0) + 1;
  return out;
}

function emit(
  opts: OperationOptions | undefined,
  steps: readonly EngineStep[],
  stack: string,
): void {
  for (const s of steps) {
    const metadata = {
      op: s.op,
      type: s.type,
      urn: `urn:pulumi:${stack}::${PROJECT}::${s.type}::${s.name}`,
      provider: "",
    };
    opts?.onEvent?.({
      sequence: 0,
      timestamp: 0,
      resourcePreEvent: { metadata },
    } as unknown as EngineEvent);
    opts?.onEvent?.({
      sequence: 0,
      timestamp: 0,
      resOutputsEvent: { metadata },
    } as unknown as EngineEvent);
  }
}

/**
 * The script's PulumiWorkspace over the emulated engine, for one project
 * directory. Secret config values live in memory; the stack config file gets
 * a fake ciphertext (`v1:FAKE:<hash>`) where Pulumi would write its own.
 */
export class EngineWorkspace implements PulumiWorkspace {
  readonly secrets = new Map<string, string>();
  readonly engines = new Map<string, EngineStack>();
  readonly calls: string[] = [];
  private root = "";

  constructor(private readonly moto: MotoServer) {}

  open = async (request: WorkspaceRequest): Promise<PulumiWorkspace> => {
    this.root = request.projectRoot;
    this.calls.push("open");
    return this;
  };

  engine(stack: string): EmulatedEngine {
    return this.stackOf(stack).engine;
  }

  async createOrSelectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`createOrSelect ${name}`);
    return this.stackOf(name);
  }

  async selectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`select ${name}`);
    const s = this.engines.get(name);
    if (!s) throw new Error(`stack ${name} not found`);
    return s;
  }

  private stackOf(name: string): EngineStack {
    let s = this.engines.get(name);
    if (!s) {
      s = new EngineStack(name, new EmulatedEngine(this.moto, name), this, () => this.root);
      this.engines.set(name, s);
    }
    return s;
  }
}

class EngineStack implements PulumiStack {
  last: OutputMap = {};

  constructor(
    readonly name: string,
    readonly engine: EmulatedEngine,
    private readonly ws: EngineWorkspace,
    private readonly root: () => string,
  ) {}

  private file(): StackConfigFile {
    return StackConfigFile.read(path.join(this.root(), "stacks", `Pulumi.${this.name}.yaml`));
  }

  /** The program's config: the file's values, secure ones decrypted (the recorded registration left out). */
  private programConfig(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.file().config)) {
      if (k === `${PROJECT}:registration`) continue;
      if (isSecureValue(v)) {
        const plain = this.ws.secrets.get(k);
        if (plain === undefined) throw new Error(`no value for secret config ${k}`);
        out[k] = plain;
      } else out[k] = v;
    }
    return out;
  }

  async getConfig(key: string): Promise<ConfigValue | undefined> {
    this.ws.calls.push(`getConfig ${key}`);
    const secret = this.ws.secrets.get(key);
    if (secret !== undefined) return { value: secret, secret: true };
    const plain = this.file().get(key);
    return plain === undefined ? undefined : { value: String(plain), secret: false };
  }

  async setConfig(key: string, value: ConfigValue, opts?: { path?: boolean }): Promise<void> {
    this.ws.calls.push(`setConfig ${key}${value.secret ? " (secret)" : ""}`);
    const file = path.join(this.root(), "stacks", `Pulumi.${this.name}.yaml`);
    const stored = value.secret ? { secure: fakeCiphertext(value.value) } : value.value;
    if (value.secret) this.ws.secrets.set(key, value.value);
    // The Pulumi CLI rewrites the whole file on `config set`, by its own rules.
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    fs.writeFileSync(file, setStackConfigText(text, PROJECT_NAME, key, stored, opts));
  }

  async preview(opts?: OperationOptions): Promise<{ changeSummary: ChangeSummary }> {
    this.ws.calls.push("preview");
    const { steps } = await this.engine.run(this.programConfig(), true);
    emit(opts, steps, this.name);
    return { changeSummary: summaryOf(steps) };
  }

  async up(opts?: OperationOptions): Promise<{ outputs: OutputMap; changeSummary: ChangeSummary }> {
    this.ws.calls.push("up");
    const { outputs, steps } = await this.engine.run(this.programConfig(), false);
    emit(opts, steps, this.name);
    this.last = Object.fromEntries(
      Object.entries(outputs ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, { value: v, secret: k === "credentials" }]),
    );
    return { outputs: this.last, changeSummary: summaryOf(steps) };
  }

  async destroy(): Promise<{ changeSummary: ChangeSummary }> {
    throw new Error("emulated engine: destroy is not emulated");
  }

  async outputs(): Promise<OutputMap> {
    this.ws.calls.push("outputs");
    return this.last;
  }
}
