/**
 * The Node.js dynamic-provider host, run for real: the SDK's own
 * `@pulumi/pulumi/cmd/dynamic-provider`, started the way the engine starts the
 * `pulumi-resource-pulumi-nodejs` plugin and driven over gRPC with the requests
 * the engine sends. What is real: the host, the provider code it deserialises
 * from `__provider`, and everything that code calls. What is emulated: the
 * engine's side of the calls (this file).
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { spawn, type ChildProcess } from "node:child_process";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PulumiProject } from "./project";
import { locateModule, trackChild } from "./runner";
import { configString } from "./stackConfig";
import { marshalMap, type WireMap } from "./wire";

/** What Configure told the engine about the provider (pulumi/pulumi provider_plugin.go pluginProtocol). */
export interface ProviderProtocol {
  readonly acceptSecrets: boolean;
  readonly acceptResources: boolean;
  readonly supportsPreview: boolean;
}

export interface DiffOutcome {
  /** DIFF_UNKNOWN, DIFF_NONE or DIFF_SOME. */
  readonly changes: "unknown" | "none" | "some";
  readonly replaces: readonly string[];
  readonly deleteBeforeReplace: boolean;
}

/** A provider call that failed: the gRPC status message is what the user sees after `error:`. */
export class ProviderCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
    this.name = "ProviderCallError";
  }
}

/** A Struct of a property map (undefined values, which a Struct cannot hold, left out). */
function struct(map: WireMap): Struct {
  const clean = JSON.parse(JSON.stringify(map)) as Parameters<typeof Struct.fromJavaScript>[0];
  return Struct.fromJavaScript(clean);
}

function plain(s: Struct | undefined): WireMap {
  return (s?.toJavaScript() ?? {}) as WireMap;
}

type Reply<Res> = (err: grpc.ServiceError | null, res: Res) => void;

/**
 * One running dynamic-provider host. The engine starts one per package per
 * deployment and closes it at the end; so does the harness (`close()`).
 */
export class DynamicProviderHost {
  /** Everything the host printed on stdout after its port, and on stderr. */
  output = "";
  private protocol?: ProviderProtocol;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
  ) {}

  /**
   * Starts the host: `node <@pulumi/pulumi/cmd/dynamic-provider> <engine>` in
   * the program directory, as `pulumi-resource-pulumi-nodejs` does
   * (pulumi/pulumi sdk/nodejs/dist/pulumi-resource-pulumi-nodejs; the engine
   * runs plugins in the program directory, sdk/go/common/resource/plugin/plugin.go
   * ExecPlugin `cmd.Dir = pwd`). The environment is the CLI's plus what
   * sdk/go/common/resource/plugin/provider_plugin.go NewProvider adds:
   * PULUMI_RUNTIME_<OPTION> per runtime option, PULUMI_NODEJS_PROJECT,
   * PULUMI_PROJECT and PULUMI_CONFIG (the package's own config, pkg/host/host.go
   * Provider). The host prints its port on the first stdout line.
   */
  static async start(
    project: PulumiProject,
    engineAddress: string,
    runtimeOptions: Readonly<Record<string, unknown>>,
    env: Readonly<Record<string, string>>,
  ): Promise<DynamicProviderHost> {
    const script = locateModule("@pulumi/pulumi/cmd/dynamic-provider", project.programDir);
    const optionEnv = Object.fromEntries(
      Object.entries(runtimeOptions).map(([k, v]) => [
        `PULUMI_RUNTIME_${k.toUpperCase()}`,
        String(v),
      ]),
    );
    const child = spawn(process.execPath, [script, engineAddress], {
      cwd: project.programDir,
      env: {
        ...env,
        ...optionEnv,
        PULUMI_NODEJS_PROJECT: project.name,
        PULUMI_PROJECT: project.name,
        PULUMI_CONFIG: "{}",
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    trackChild(child);
    const port = await new Promise<number>((resolve, reject) => {
      let buffered = "";
      const onData = (d: string): void => {
        buffered += d;
        const nl = buffered.indexOf("\n");
        if (nl < 0) return;
        child.stdout!.off("data", onData);
        const port = Number(buffered.slice(0, nl).trim());
        if (!Number.isInteger(port)) reject(new Error(`dynamic provider host printed ${buffered}`));
        else resolve(port);
      };
      child.stdout!.setEncoding("utf8").on("data", onData);
      child.once("exit", (code) =>
        reject(new Error(`dynamic provider host exited (code ${code}) before printing its port`)),
      );
      child.once("error", reject);
    });
    const client = new provrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const host = new DynamicProviderHost(child, client);
    child.stdout!.on("data", (d: string) => (host.output += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (host.output += d));
    return host;
  }

  private call<Res>(method: string, send: (reply: Reply<Res>) => void): Promise<Res> {
    return new Promise((resolve, reject) => {
      send((err, res) => {
        if (err) reject(new ProviderCallError(method, err.code, err.details));
        else resolve(res);
      });
    });
  }

  async getPluginInfo(): Promise<string> {
    const info = await this.call<plugproto.PluginInfo>("GetPluginInfo", (r) =>
      this.client.getPluginInfo(new Empty(), r),
    );
    return info.getVersion();
  }

  /**
   * pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go Configure:
   * `variables` keyed `<pkg>:config:<key>` (non-strings JSON), `args` the
   * inputs, and the engine's capabilities; the answer fixes the protocol
   * (acceptSecrets, supportsPreview …) for every later call. (The engine first
   * tries Handshake; the dynamic host answers UNIMPLEMENTED, so Configure decides.)
   */
  async configure(
    urn: string,
    type: string,
    id: string,
    inputs: WireMap,
  ): Promise<ProviderProtocol> {
    const pkg = type.split(":")[2];
    const req = new provproto.ConfigureRequest();
    for (const [k, v] of Object.entries(inputs)) {
      if (k === "version") continue;
      req.getVariablesMap().set(`${pkg}:config:${k}`, configString(v));
    }
    req.setArgs(struct(inputs));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(type);
    req.setId(id);
    const res = await this.call<provproto.ConfigureResponse>("Configure", (r) =>
      this.client.configure(req, r),
    );
    this.protocol = {
      acceptSecrets: res.getAcceptsecrets(),
      acceptResources: res.getAcceptresources(),
      supportsPreview: res.getSupportspreview(),
    };
    return this.protocol;
  }

  /** The protocol Configure returned; calling anything else first is a harness bug. */
  get configured(): ProviderProtocol {
    if (!this.protocol) throw new Error("dynamic provider host used before Configure");
    return this.protocol;
  }

  private marshal(props: WireMap, keepUnknowns: boolean): Struct {
    const p = this.configured;
    return struct(
      marshalMap(props, {
        keepUnknowns,
        keepSecrets: p.acceptSecrets,
        keepResources: p.acceptResources,
      }),
    );
  }

  /** Check(olds = old inputs, news = new inputs); unknowns only in a preview (AllowUnknowns). */
  async check(
    urn: string,
    olds: WireMap,
    news: WireMap,
    preview: boolean,
  ): Promise<{
    inputs: WireMap;
    failures: { property: string; reason: string }[];
  }> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setOlds(this.marshal(olds, preview));
    req.setNews(this.marshal(news, preview));
    const res = await this.call<provproto.CheckResponse>("Check", (r) => this.client.check(req, r));
    return {
      inputs: plain(res.getInputs()),
      failures: res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff(id, olds = old outputs, news = checked new inputs, oldInputs). */
  async diff(
    urn: string,
    id: string,
    oldInputs: WireMap,
    oldOutputs: WireMap,
    newInputs: WireMap,
    preview: boolean,
  ): Promise<DiffOutcome> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setOldInputs(this.marshal(oldInputs, preview));
    req.setOlds(this.marshal(oldOutputs, preview));
    req.setNews(this.marshal(newInputs, preview));
    const res = await this.call<provproto.DiffResponse>("Diff", (r) => this.client.diff(req, r));
    const changes = res.getChanges();
    return {
      changes:
        changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
          ? "some"
          : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
            ? "none"
            : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(urn: string, inputs: WireMap): Promise<{ id: string; outputs: WireMap }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setProperties(this.marshal(inputs, false));
    const res = await this.call<provproto.CreateResponse>("Create", (r) =>
      this.client.create(req, r),
    );
    return { id: res.getId(), outputs: plain(res.getProperties()) };
  }

  async update(
    urn: string,
    id: string,
    oldInputs: WireMap,
    oldOutputs: WireMap,
    newInputs: WireMap,
  ): Promise<WireMap> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setOldInputs(this.marshal(oldInputs, false));
    req.setOlds(this.marshal(oldOutputs, false));
    req.setNews(this.marshal(newInputs, false));
    const res = await this.call<provproto.UpdateResponse>("Update", (r) =>
      this.client.update(req, r),
    );
    return plain(res.getProperties());
  }

  async delete(urn: string, id: string, oldInputs: WireMap, oldOutputs: WireMap): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setOldInputs(this.marshal(oldInputs, false));
    req.setProperties(this.marshal(oldOutputs, false));
    await this.call<Empty>("Delete", (r) => this.client.delete(req, r));
  }

  /** Read(id, inputs = old inputs, properties = old outputs), as a refresh sends it. */
  async read(
    urn: string,
    id: string,
    oldInputs: WireMap,
    oldOutputs: WireMap,
  ): Promise<{ id: string; outputs: WireMap; inputs?: WireMap }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setName(urn.split("::").pop()!);
    req.setType(typeOf(urn));
    req.setInputs(this.marshal(oldInputs, false));
    req.setProperties(this.marshal(oldOutputs, false));
    const res = await this.call<provproto.ReadResponse>("Read", (r) => this.client.read(req, r));
    return {
      id: res.getId(),
      outputs: plain(res.getProperties()),
      inputs: res.getInputs() ? plain(res.getInputs()) : undefined,
    };
  }

  /** Ends the host, as the engine does at the end of a deployment (the plugin's process is killed). */
  close(): void {
    this.client.close();
    if (this.child.exitCode === null && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/** The type part of a URN (`…::<parent$>type::name`). */
export function typeOf(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[parts.length - 2];
  return qualified.split("$").pop()!;
}
