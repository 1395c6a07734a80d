/**
 * One measurement in its own process: runs the project's Pulumi program
 * (src/index.ts's exported function) under Pulumi's mock runtime with a given
 * runtime config, records every registration as the engine would receive it
 * (by wrapping the mock monitor's registerResource), and writes timings, the
 * dependency graph's depth and the process's peak RSS as JSON.
 *
 * Usage (from bench/run.ts), PROGRAM_DIR being the project's src/ (through
 * ts-node) or a build of it (dist/, plain Node):
 *   node [--require ts-node/register/transpile-only] evaluate.{ts,js} IN.json OUT.json PROGRAM_DIR
 * IN.json: { config: Record<string,string>, secretKeys: string[] }
 *
 * No engine, CLI, provider plugin, network or credentials: resources are
 * answered with the placeholder outputs `plan --offline` uses
 * (src/plan/placeholders.ts, imported read-only).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { depth, type Registration } from "../lib/graph";

type Json = Record<string, unknown>;

interface ProtoList {
  getUrnsList(): string[];
}
interface ProtoMap {
  forEach(cb: (value: ProtoList, key: string) => void): void;
}
/** The parts of RegisterResourceRequest read here (generated protobuf accessors). */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): ProtoMap;
}
interface RegisterResourceResponse {
  getUrn(): string;
}
type Callback = (err: unknown, resp?: RegisterResourceResponse) => void;
interface Monitor {
  registerResource(req: RegisterResourceRequest, cb: Callback): unknown;
}

interface OutputInternals {
  promise(): Promise<unknown>;
  isKnown: Promise<boolean>;
}

async function main(): Promise<void> {
  const [inFile, outFile, programDir] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inFile, "utf8")) as {
    config: Record<string, string>;
    secretKeys: string[];
  };
  const t0 = performance.now();
  const pulumi = await import("@pulumi/pulumi");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): Monitor;
    waitForRPCs(): Promise<void>;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { placeholderResource, INVOKES } = require(
    path.join(programDir, "plan", "placeholders"),
  ) as typeof import("../../src/plan/placeholders");
  const tSdk = performance.now();

  const ctx = { config: input.config };
  let invokes = 0;
  pulumi.runtime.setAllConfig({ ...input.config }, input.secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Json;
        if (args.custom === false) return { id: undefined, state: inputs };
        const { id, state } = placeholderResource(args.type, args.name, inputs, ctx);
        return { id, state };
      },
      call(args) {
        invokes++;
        const fn = INVOKES[args.token];
        if (fn === undefined) throw new Error(`no placeholder for invoke ${args.token}`);
        return fn((args.inputs ?? {}) as Json, ctx);
      },
    },
    "zenml-remote-storage",
    "bench",
    false,
  );

  // Every registration as the engine would receive it: type, parent, dependencies.
  const registrations: Registration[] = [];
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, prop) => {
          propertyDependencies[prop] = deps.getUrnsList();
        });
        registrations.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          provider: req.getProvider(),
        });
      }
      cb(err, resp);
    });

  const stray: unknown[] = [];
  process.on("unhandledRejection", (reason) => stray.push(reason));

  const tMocks = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(path.join(programDir, "index")) as () => Promise<unknown>;
  const tImport = performance.now();
  const outputs = (await program()) as Json;
  const stores = pulumi.output(outputs.stores) as unknown as OutputInternals;
  const resolved = (await stores.isKnown) ? ((await stores.promise()) as Json) : {};
  await settings.waitForRPCs();
  const tDone = performance.now();
  if (stray.length > 0) throw stray[0];
  // What stays reachable once garbage is collected (needs --expose-gc), vs the peak RSS.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapUsedAfterGc = gc ? process.memoryUsage().heapUsed : NaN;

  const graph = depth(registrations);
  const result = {
    stores: Object.keys(resolved ?? {}).length,
    invokes,
    ms: {
      /** @pulumi/pulumi and the placeholders, before the program. */
      sdk: tSdk - t0,
      /** Importing src/index.ts (config + store dispatch; backends load lazily). */
      programImport: tImport - tMocks,
      /** Running the program until every registration reached the (mock) monitor. */
      run: tDone - tImport,
      /** programImport + run: the program's evaluation. */
      evaluation: tDone - tMocks,
      /** Since the process started (Node, ts-node, everything). */
      sinceStart: tDone,
    },
    graph,
    maxRssKiB: process.resourceUsage().maxRSS,
    heapUsedAfterGcKiB: heapUsedAfterGc / 1024,
  };
  fs.writeFileSync(outFile, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
