/**
 * The engine's two gRPC services as the program sees them — ResourceMonitor
 * and Engine — served in the test process with the SDK's own stubs, as
 * pulumi/pulumi sdk/nodejs/tests/runtime/langhost/run.spec.ts
 * createMockEngineAsync does. This file only translates requests and
 * responses; what a registration does is decided by a `MonitorBackend`
 * (deployment.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type { Wire, WireMap } from "./wire";

/** Everything the SDK sent in one RegisterResource, decoded. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly remote: boolean;
  readonly parent: string;
  /** Inputs in wire form: secrets, unknowns and resource references kept as the SDK sent them. */
  readonly inputs: WireMap;
  readonly dependencies: readonly string[];
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** Provider reference (`urn::id`), "" for the default provider. */
  readonly provider: string;
  readonly providers: Readonly<Record<string, string>>;
  readonly version: string;
  readonly protect?: boolean;
  readonly ignoreChanges: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  readonly replaceOnChanges: readonly string[];
  /** undefined when the program did not set it. */
  readonly deleteBeforeReplace?: boolean;
  readonly retainOnDelete?: boolean;
  readonly deletedWith: string;
  readonly aliases: readonly unknown[];
  readonly aliasUrns: readonly string[];
  readonly importId: string;
  readonly customTimeouts?: { create: string; update: string; delete: string };
  readonly acceptSecrets: boolean;
  readonly acceptResources: boolean;
  readonly supportsPartialValues: boolean;
}

export interface RegisterResult {
  readonly urn: string;
  readonly id: string;
  readonly outputs: WireMap;
}

export interface Invocation {
  readonly token: string;
  readonly args: WireMap;
  readonly provider: string;
}

export interface ReadRequest {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly parent: string;
  readonly properties: WireMap;
  readonly provider: string;
}

export type Severity = "debug" | "info" | "warning" | "error";

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly urn: string;
}

/** A refusal that reaches the program as a gRPC status. */
export class MonitorError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** What the monitor needs from the deployment behind it. */
export interface MonitorBackend {
  readonly project: string;
  readonly stack: string;
  readonly dryRun: boolean;
  readonly parallel: number;
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  registerResource(reg: Registration): Promise<RegisterResult>;
  registerResourceOutputs(urn: string, outputs: WireMap): void;
  invoke(inv: Invocation): Promise<WireMap>;
  readResource(req: ReadRequest): Promise<{ urn: string; properties: WireMap }>;
  log(d: Diagnostic): void;
}

/**
 * pulumi/pulumi pkg/resource/deploy/source_eval.go supportsFeatureID: the
 * legacy feature ids the current engine answers true for.
 */
export const SUPPORTED_FEATURE_IDS = new Set([
  "secrets",
  "resourceReferences",
  "outputValues",
  "aliasSpecs",
  "replacementTrigger",
  "deletedWith",
  "replaceWith",
  "transforms",
  "invokeTransforms",
  "parameterization",
  "resourceHooks",
  "errorHooks",
  "sendsOptionsToHooks",
]);

/** pulumi/pulumi pkg/resource/deploy/source_eval.go supportedMonitorFeatures (GetDeploymentInfo). */
const F = resproto.ResourceMonitorFeature;
export const SUPPORTED_MONITOR_FEATURES: readonly resproto.ResourceMonitorFeature[] = [
  F.RESOURCE_MONITOR_FEATURE_SECRETS,
  F.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
  F.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
  F.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
  F.RESOURCE_MONITOR_FEATURE_REPLACEMENT_TRIGGER,
  F.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
  F.RESOURCE_MONITOR_FEATURE_REPLACE_WITH,
  F.RESOURCE_MONITOR_FEATURE_TRANSFORMS,
  F.RESOURCE_MONITOR_FEATURE_INVOKE_TRANSFORMS,
  F.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
  F.RESOURCE_MONITOR_FEATURE_RESOURCE_HOOKS,
  F.RESOURCE_MONITOR_FEATURE_ERROR_HOOKS,
  F.RESOURCE_MONITOR_FEATURE_SENDS_OPTIONS_TO_HOOKS,
  F.RESOURCE_MONITOR_FEATURE_BYTE_STRING,
  F.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON,
  F.RESOURCE_MONITOR_FEATURE_INVOKE_PARENT,
];

const SEVERITY: Record<number, Severity> = {
  [engineproto.LogSeverity.DEBUG]: "debug",
  [engineproto.LogSeverity.INFO]: "info",
  [engineproto.LogSeverity.WARNING]: "warning",
  [engineproto.LogSeverity.ERROR]: "error",
};

/** A Struct of a property map (undefined values, which a Struct cannot hold, left out). */
function toStruct(map: WireMap): Struct {
  const clean = JSON.parse(JSON.stringify(map)) as Parameters<typeof Struct.fromJavaScript>[0];
  return Struct.fromJavaScript(clean);
}

function fromStruct(s: Struct | undefined): WireMap {
  return (s?.toJavaScript() ?? {}) as WireMap;
}

function decodeRegistration(req: resproto.RegisterResourceRequest): Registration {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of req.getPropertydependenciesMap().entries()) {
    propertyDependencies[k] = v.getUrnsList();
  }
  const timeouts = req.getCustomtimeouts();
  return {
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    remote: req.getRemote(),
    parent: req.getParent(),
    inputs: fromStruct(req.getObject()),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    provider: req.getProvider(),
    providers: Object.fromEntries(req.getProvidersMap().entries()),
    version: req.getVersion(),
    protect: req.hasProtect() ? req.getProtect() : undefined,
    ignoreChanges: req.getIgnorechangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    deleteBeforeReplace:
      req.getDeletebeforereplacedefined() || req.getDeletebeforereplace()
        ? req.getDeletebeforereplace()
        : undefined,
    retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
    deletedWith: req.getDeletedwith(),
    aliases: req.getAliasesList().map((a) => a.toObject()),
    aliasUrns: req.getAliasurnsList(),
    importId: req.getImportid(),
    customTimeouts: timeouts
      ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
      : undefined,
    acceptSecrets: req.getAcceptsecrets(),
    acceptResources: req.getAcceptresources(),
    supportsPartialValues: req.getSupportspartialvalues(),
  };
}

function describe(req: unknown): string {
  const r = req as { getType?: () => string; getName?: () => string; getTok?: () => string };
  return [r.getType?.(), r.getName?.(), r.getTok?.()].filter(Boolean).join(" ");
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

/** LANGHOST_DEBUG=1 traces every call the program makes (to stderr). */
const DEBUG = process.env.LANGHOST_DEBUG === "1";

/** Runs an async handler and maps a thrown error to a gRPC status the SDK sees. */
function unary<Req, Res>(
  name: string,
  handler: (req: Req) => Promise<Res>,
): (call: { request: Req }, callback: Callback<Res>) => void {
  return (call, callback) => {
    if (DEBUG) process.stderr.write(`[langhost] ${name} ${describe(call.request)}\n`);
    handler(call.request).then(
      (res) => {
        if (DEBUG) process.stderr.write(`[langhost] ${name} done\n`);
        callback(null, res);
      },
      (err: unknown) => {
        if (DEBUG) process.stderr.write(`[langhost] ${name} failed: ${String(err)}\n`);
        const code = err instanceof MonitorError ? err.code : grpc.status.UNKNOWN;
        const message = err instanceof Error ? err.message : String(err);
        callback({ code, details: message, message, name: "Error", metadata: new grpc.Metadata() });
      },
    );
  };
}

export interface MonitorServer {
  /** `127.0.0.1:<port>`, for both --monitor and --engine. */
  readonly address: string;
  close(): Promise<void>;
}

function registerResponse(result: RegisterResult): resproto.RegisterResourceResponse {
  const res = new resproto.RegisterResourceResponse();
  res.setUrn(result.urn);
  res.setId(result.id);
  res.setObject(toStruct(result.outputs));
  res.setResult(resproto.Result.SUCCESS);
  return res;
}

function deploymentInfo(backend: MonitorBackend): resproto.DeploymentInfo {
  const info = new resproto.DeploymentInfo();
  info.setProject(backend.project);
  info.setStack(backend.stack);
  info.setOrganization("organization");
  for (const [k, v] of Object.entries(backend.config)) info.getConfigMap().set(k, v);
  info.setConfigsecretkeysList([...backend.secretKeys]);
  info.setDryrun(backend.dryRun);
  info.setParallel(backend.parallel);
  info.setSupportedfeaturesList([...SUPPORTED_MONITOR_FEATURES]);
  return info;
}

/** Starts ResourceMonitor + Engine on one loopback port. */
export async function startMonitor(backend: MonitorBackend): Promise<MonitorServer> {
  const server = new grpc.Server();
  let root = "";
  server.addService(resrpc.ResourceMonitorService, {
    supportsFeature: unary("supportsFeature", async (req: resproto.SupportsFeatureRequest) =>
      new resproto.SupportsFeatureResponse().setHassupport(SUPPORTED_FEATURE_IDS.has(req.getId())),
    ),
    getDeploymentInfo: unary("getDeploymentInfo", async () => deploymentInfo(backend)),
    registerResource: unary("registerResource", async (req: resproto.RegisterResourceRequest) =>
      registerResponse(await backend.registerResource(decodeRegistration(req))),
    ),
    registerResourceOutputs: unary(
      "registerResourceOutputs",
      async (req: resproto.RegisterResourceOutputsRequest) => {
        backend.registerResourceOutputs(req.getUrn(), fromStruct(req.getOutputs()));
        return new Empty();
      },
    ),
    invoke: unary("invoke", async (req: resproto.ResourceInvokeRequest) => {
      const ret = await backend.invoke({
        token: req.getTok(),
        args: fromStruct(req.getArgs()),
        provider: req.getProvider(),
      });
      return new resproto.ResourceInvokeResponse().setReturn(toStruct(ret));
    }),
    readResource: unary("readResource", async (req: resproto.ReadResourceRequest) => {
      const read = await backend.readResource({
        type: req.getType(),
        name: req.getName(),
        id: req.getId(),
        parent: req.getParent(),
        properties: fromStruct(req.getProperties()),
        provider: req.getProvider(),
      });
      return new resproto.ReadResourceResponse()
        .setUrn(read.urn)
        .setProperties(toStruct(read.properties));
    }),
    // The engine answers once every step, deletes included, is done; the harness runs
    // its deletes after the program exits (deployment.ts), so there is nothing to wait for.
    signalAndWaitForShutdown: unary("signalAndWaitForShutdown", async () => new Empty()),
  });
  server.addService(enginerpc.EngineService, {
    log: unary("log", async (req: engineproto.LogRequest) => {
      backend.log({
        severity: SEVERITY[req.getSeverity()] ?? "info",
        message: req.getMessage(),
        urn: req.getUrn(),
      });
      return new Empty();
    }),
    getRootResource: unary("getRootResource", async () =>
      new engineproto.GetRootResourceResponse().setUrn(root),
    ),
    setRootResource: unary("setRootResource", async (req: engineproto.SetRootResourceRequest) => {
      root = req.getUrn();
      return new engineproto.SetRootResourceResponse();
    }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000).unref();
      }),
  };
}

export type { Wire };
