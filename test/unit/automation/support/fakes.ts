/**
 * Fakes for the automation layer's unit tests. FAKE: the Pulumi workspace
 * (no Pulumi CLI, no engine, no state), the ZenML server and the storage
 * verifier. REAL: everything else — config parsing, flag handling, stack
 * config and ZenML YAML files written to a temporary project directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Deps, Io } from "../../../../src/automation/context";
import { OperationError } from "../../../../src/automation/errors";
import type {
  ChangeSummary,
  ConfigValue,
  EngineEvent,
  OperationOptions,
  OutputMap,
  PulumiStack,
  PulumiWorkspace,
  WorkspaceRequest,
} from "../../../../src/automation/workspace";
import type {
  BaselineAuditor,
  Deviation,
  Expectation,
  StoreAudit,
} from "../../../../src/verify/baseline";
import type { StorageVerifier, StoreUnderTest } from "../../../../src/verify/types";
import type {
  RegisteredStore,
  ZenmlRegistrar,
  ZenmlServerSettings,
} from "../../../../src/automation/zenmlRegistrar";
import { usesSecret, type AnyStoreDocuments } from "../../../../src/zenml/documents";
import { PROJECT_NAME } from "../../../../src/config/keys";
import { fakeCiphertext, setStackConfigText } from "../../../support/langhost/stackFileEdit";
import type { StoreFacts } from "../../../../src/zenml/model";

export const REPO = path.resolve(__dirname, "..", "..", "..", "..");

/** A throwaway project directory: the real Pulumi.yaml and example stack configs. */
export function tempProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-project-"));
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  for (const f of fs.readdirSync(path.join(REPO, "stacks"))) {
    if (/^Pulumi\..+\.yaml$/.test(f)) {
      fs.copyFileSync(path.join(REPO, "stacks", f), path.join(dir, "stacks", f));
    }
  }
  return dir;
}

/** Every file under `dir` with its content, for "nothing was written" checks. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

export const AWS_STORE_OUTPUTS: StoreFacts = {
  backend: "aws",
  stackName: "s3-store",
  flavor: "s3" as const,
  path: "s3://zenml-s3-store-abc",
  artifactStoreConfiguration: { path: "s3://zenml-s3-store-abc" },
  auth: {
    kind: "connector",
    type: "aws",
    method: "secret-key",
    resourceType: "s3-bucket",
    resourceId: "s3://zenml-s3-store-abc",
    configuration: { region: "eu-west-1" },
  },
};
export const AWS_CREDENTIALS = {
  aws_access_key_id: "AKIAFAKEFAKEFAKE0001",
  aws_secret_access_key: "fake-secret-value-never-printed",
};

/** Outputs a successful `up` of one aws store returns. */
export function awsOutputs(): OutputMap {
  return {
    stores: { value: { "s3-store": AWS_STORE_OUTPUTS }, secret: false },
    credentials: { value: { "s3-store": AWS_CREDENTIALS }, secret: true },
  };
}

function event(op: string, type: string, name: string, kind: "pre" | "out"): EngineEvent {
  const metadata = { op, type, urn: `urn:pulumi:s::p::${type}::${name}`, provider: "" };
  return kind === "pre"
    ? ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata } } as unknown as EngineEvent)
    : ({ sequence: 0, timestamp: 0, resOutputsEvent: { metadata } } as unknown as EngineEvent);
}

/**
 * FAKE Pulumi workspace and stack: records every call; `up` emits engine
 * events for `resources` and returns `outputs`; secret config values are kept
 * in memory (the real one encrypts them into the stack config file).
 */
export class FakeWorkspace implements PulumiWorkspace {
  readonly calls: string[] = [];
  readonly requests: WorkspaceRequest[] = [];
  readonly secrets = new Map<string, string>();
  readonly plainSets = new Map<string, string>();
  exists = false;
  outputs: OutputMap = awsOutputs();
  resources: [string, string][] = [
    ["zenml-remote-storage:aws:S3ArtifactStore", "s3-store"],
    ["aws:s3/bucket:Bucket", "s3-store-bucket"],
    ["aws:iam/user:User", "s3-store-user"],
  ];
  upOp = "create";
  failOn?: string;
  /** Replaces the fake `up` (tier tests: emulator-backed provisioning). */
  upHook?: () => Promise<OutputMap>;
  /** Replaces the fake `destroy`. */
  destroyHook?: () => Promise<void>;

  constructor(readonly configValues: Record<string, string> = {}) {}

  open = async (request: WorkspaceRequest): Promise<PulumiWorkspace> => {
    this.requests.push(request);
    this.calls.push("open");
    return this;
  };

  async createOrSelectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`createOrSelect ${name}`);
    this.exists = true;
    return this.stack(name);
  }

  async selectStack(name: string): Promise<PulumiStack> {
    this.calls.push(`select ${name}`);
    if (!this.exists) throw new Error(`stack ${name} not found`);
    return this.stack(name);
  }

  private emit(opts: OperationOptions | undefined, op: string): void {
    for (const [type, name] of this.resources) {
      opts?.onEvent?.(event(op, type, name, "pre"));
      opts?.onEvent?.(event(op, type, name, "out"));
    }
  }

  private summary(op: string): ChangeSummary {
    return { [op]: this.resources.length };
  }

  private stack(name: string): PulumiStack {
    return {
      name,
      getConfig: async (key, opts) => {
        this.calls.push(`getConfig ${key}${opts?.path ? " (path)" : ""}`);
        const v = this.secrets.get(key) ?? this.configValues[key];
        return v === undefined
          ? undefined
          : ({ value: v, secret: this.secrets.has(key) } as ConfigValue);
      },
      setConfig: async (key, value, opts) => {
        this.calls.push(
          `setConfig ${key}${value.secret ? " (secret)" : ""}${opts?.path ? " (path)" : ""}`,
        );
        if (value.secret) this.secrets.set(key, value.value);
        else this.plainSets.set(key, value.value);
        // Like `pulumi config set --secret --path`: ciphertext into the stack config
        // file, which the CLI saves again by its own rules.
        const root = this.requests[this.requests.length - 1]?.projectRoot;
        if (value.secret && opts?.path && root) {
          const file = path.join(root, "stacks", `Pulumi.${name}.yaml`);
          const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
          const stored = { secure: fakeCiphertext(value.value) };
          fs.writeFileSync(file, setStackConfigText(text, PROJECT_NAME, key, stored, opts));
        }
      },
      preview: async (opts) => {
        this.calls.push("preview");
        if (this.failOn === "preview") throw new Error("preview failed");
        this.emit(opts, this.upOp);
        return { changeSummary: this.summary(this.upOp) };
      },
      up: async (opts) => {
        this.calls.push("up");
        if (this.failOn === "up") throw new Error("up failed");
        this.emit(opts, this.upOp);
        if (this.upHook) this.outputs = await this.upHook();
        return { outputs: this.outputs, changeSummary: this.summary(this.upOp) };
      },
      destroy: async (opts) => {
        this.calls.push("destroy");
        if (this.destroyHook) await this.destroyHook();
        this.emit(opts, "delete");
        return { changeSummary: this.summary("delete") };
      },
      outputs: async () => {
        this.calls.push("outputs");
        return this.outputs;
      },
    };
  }
}

/** FAKE ZenML server: remembers what was applied, by server URL. */
export class FakeZenml {
  readonly calls: string[] = [];
  readonly settings: ZenmlServerSettings[] = [];
  readonly registered = new Map<string, Map<string, AnyStoreDocuments>>();
  verifyError?: string;

  connect = async (server: ZenmlServerSettings): Promise<ZenmlRegistrar> => {
    this.settings.push(server);
    this.calls.push(`connect ${server.url}`);
    const objects = this.registered.get(server.url) ?? new Map<string, AnyStoreDocuments>();
    this.registered.set(server.url, objects);
    return {
      apply: async (docs): Promise<RegisteredStore[]> => {
        this.calls.push(`apply ${docs.map((d) => d.artifactStore.name).join(",")}`);
        return docs.map((d) => {
          objects.set(d.artifactStore.name, d);
          return {
            store: d.artifactStore.name,
            credentialsId: `c-${d.artifactStore.name}`,
            artifactStoreId: `a-${d.artifactStore.name}`,
            stackId: `s-${d.artifactStore.name}`,
          };
        });
      },
      remove: async (docs) => {
        this.calls.push(`remove ${docs.map((d) => d.artifactStore.name).join(",")}`);
        for (const d of docs) objects.delete(d.artifactStore.name);
      },
      verifyConnector: async (name) => {
        this.calls.push(`verifyConnector ${name}`);
        const found = [...objects.values()].some(
          (d) => !usesSecret(d) && d.connector.name === name,
        );
        return found
          ? this.verifyError
            ? { found, error: this.verifyError }
            : { found }
          : { found: false };
      },
    };
  };
}

/** FAKE storage: counts probes; fails the first `failures` probes; reports `objects`. */
export class FakeStorage implements StorageVerifier {
  probes: {
    store: string;
    key: string;
    endpointUrl?: string;
    credentials: Record<string, string>;
  }[] = [];
  failures = 0;
  failWith = "AccessDenied: not yet";
  objects = 0;
  counted: string[] = [];

  async probe(store: StoreUnderTest, key: string, opts: { endpointUrl?: string }): Promise<void> {
    this.probes.push({
      store: store.storeName,
      key,
      endpointUrl: opts.endpointUrl,
      credentials: { ...store.credentials },
    });
    if (this.probes.length <= this.failures) throw new Error(`write: ${this.failWith}`);
  }

  async countObjects(store: StoreUnderTest, limit: number): Promise<number> {
    this.counted.push(store.storeName);
    return Math.min(this.objects, limit);
  }
}

/** FAKE baseline audit: records what it was asked; reports `deviations` for every store. */
export class FakeBaseline implements BaselineAuditor {
  audited: { store: string; expected: Expectation; endpointUrl?: string }[] = [];
  deviations: Omit<Deviation, "store">[] = [];

  async audit(
    store: StoreUnderTest,
    expected: Expectation,
    opts: { endpointUrl?: string },
  ): Promise<StoreAudit> {
    this.audited.push({ store: store.storeName, expected, endpointUrl: opts.endpointUrl });
    return {
      store: store.storeName,
      backend: store.backend,
      compliant: ["versioning"],
      deviations: this.deviations.map((d) => ({ ...d, store: store.storeName })),
      unreadable: [],
      notShown: [],
    };
  }
}

export class FakeIo implements Io {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  answers: boolean[] = [];
  questions: string[] = [];
  constructor(readonly interactive = false) {}
  out = (text: string): void => {
    this.stdout.push(text);
  };
  err = (line: string): void => {
    this.stderr.push(line);
  };
  confirm = async (question: string): Promise<boolean> => {
    this.questions.push(question);
    return this.answers.shift() ?? false;
  };
}

export interface Fakes {
  readonly root: string;
  readonly workspace: FakeWorkspace;
  readonly zenml: FakeZenml;
  readonly storage: FakeStorage;
  readonly baseline: FakeBaseline;
  readonly io: FakeIo;
  readonly deps: Deps;
  /** Simulated time; `sleep` advances it. */
  clock: number;
  /** `findPulumiCli` fails, as when no Pulumi CLI can be found or installed. */
  pulumiCliMissing: boolean;
}

export function fakes(
  options: { env?: Record<string, string | undefined>; interactive?: boolean; root?: string } = {},
): Fakes {
  const root = options.root ?? tempProject();
  const workspace = new FakeWorkspace();
  const zenml = new FakeZenml();
  const storage = new FakeStorage();
  const baseline = new FakeBaseline();
  const io = new FakeIo(options.interactive ?? false);
  const f: Fakes = {
    root,
    workspace,
    zenml,
    storage,
    baseline,
    io,
    clock: 1_000_000,
    pulumiCliMissing: false,
    deps: undefined as unknown as Deps,
  };
  (f as { deps: Deps }).deps = {
    projectRoot: root,
    env: options.env ?? { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" },
    io,
    now: () => f.clock,
    sleep: async (ms) => {
      f.clock += ms;
    },
    findPulumiCli: async () => {
      if (f.pulumiCliMissing) {
        throw new OperationError(
          "the Pulumi CLI was not found on PATH and Pulumi 3.270.0 could not be installed (fake)",
        );
      }
    },
    openWorkspace: workspace.open,
    connectZenml: zenml.connect,
    verifierFor: async (backend) =>
      backend === "aws" || backend === "s3-compatible" ? storage : undefined,
    baselineAuditorFor: async () => baseline,
  };
  return f;
}
