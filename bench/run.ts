/**
 * The benchmark suite (`npm run bench`; not part of `npm test`). See bench/README.md.
 *
 *   npm run bench -- [--quick] [--startup] [--skip-tier] [--source-all] [--wait-load L]
 *                    [--out FILE.md] [--json FILE.json]
 *
 * Every measurement runs in a child process of its own, one at a time (the
 * machine has 2 cores). Nothing in the work tree is written: configs, the build
 * and reports go to temporary directories (or where --out / --json say).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO, buildProject, removeBuild, type BuiltProject } from "./lib/build";
import {
  BACKENDS,
  VARIANTS,
  runtimeConfig,
  sizedStores,
  stackConfig,
  stackConfigYaml,
  variantLabel,
  type Backend,
  type Mix,
  type Variant,
} from "./lib/configs";
import type { Depth } from "./lib/graph";
import {
  RSS_SOURCE,
  importChain,
  loadedPackages,
  removeScratch,
  runNode,
  type RunResult,
} from "./lib/proc";
import { selfTest } from "./lib/selftest";
import { fmtMB, fmtSeconds, growth, kibToMB, summarize, table, type Summary } from "./lib/stats";
import { runTier, type TierRun } from "./lib/tier";

// ---------------------------------------------------------------- arguments

interface Args {
  readonly quick: boolean;
  readonly startup: boolean;
  readonly skipTier: boolean;
  readonly sourceAll: boolean;
  readonly waitLoad?: number;
  readonly out?: string;
  readonly json?: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--startup] [--skip-tier] [--source-all] [--wait-load L] [--out FILE.md] [--json FILE.json]
  --quick        fewer runs (2 of each fast measurement, 1 of each slow one) instead of 5 and 3
  --startup      only what a newcomer waits for: --help and plan --offline of one store on
                 the built CLI, and the floor they are compared with (about a minute)
  --skip-tier    do not run the acceptance tests (vitest project "tier", several minutes)
  --source-all   also measure plan --offline and the mock-runtime evaluation from source
                 (ts-node) for every backend, not only the mixed series
  --wait-load L  first wait (up to 15 minutes) until the 1-minute load average is <= L
  --out FILE     also write the markdown report to FILE
  --json FILE    also write every sample as JSON to FILE`;

function parseArgs(argv: readonly string[]): Args {
  const a: { -readonly [K in keyof Args]: Args[K] } = {
    quick: false,
    startup: false,
    skipTier: false,
    sourceAll: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === "--quick") a.quick = true;
    else if (arg === "--startup") a.startup = true;
    else if (arg === "--skip-tier") a.skipTier = true;
    else if (arg === "--source-all") a.sourceAll = true;
    else if (arg === "--wait-load") a.waitLoad = Number(value());
    else if (arg === "--out") a.out = path.resolve(value());
    else if (arg === "--json") a.json = path.resolve(value());
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return a;
}

// ---------------------------------------------------------------- helpers

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

function loadavg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
}

async function waitForLoad(limit: number): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while (os.loadavg()[0] > limit && Date.now() < deadline) {
    log(`waiting for the 1-minute load (${os.loadavg()[0].toFixed(2)}) to reach ${limit}`);
    await new Promise((r) => setTimeout(r, 20_000));
  }
  log(`load ${loadavg()} (1/5/15 min); starting`);
}

/** The child's environment: no ZRS_* flags from the caller, no forced source mode. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("ZRS_") || k === "ZENML_REMOTE_STORAGE_FROM_SOURCE") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function firstLine(r: RunResult): string {
  const text = `${r.stderr}\n${r.stdout}`.trim();
  return (text.split("\n").find((l) => /error/i.test(l)) ?? text.split("\n")[0] ?? "").slice(
    0,
    300,
  );
}

type Mode = "built" | "source";

/** The floor every start-up figure is compared with, measured in the same run. */
const FLOOR_ARGS = ["-e", "require('@pulumi/pulumi')"];
const FLOOR_LABEL = `node -e "require('@pulumi/pulumi')"`;
/** Issue 15: the compiled CLI (what the quick start runs) answers within these; source: issue 13's. */
const HELP_TARGET_MS: Record<Mode, number> = { built: 200, source: 500 };
const PLAN_ONE_TARGET_MS: Record<Mode, number> = { built: 1000, source: 2000 };

interface Sample {
  readonly wallMs: number;
  readonly rssKiB: number;
  /** Mock-runtime child only. */
  readonly evalMs?: number;
  readonly heapAfterGcKiB?: number;
  readonly resources?: number;
}

interface Cell {
  readonly kind: "plan" | "eval";
  readonly mode: Mode;
  readonly mix: Mix;
  readonly n: number;
  readonly samples: Sample[];
  readonly failures: string[];
}

interface EvalResult {
  stores: number;
  ms: { evaluation: number; sinceStart: number };
  graph: Depth;
  maxRssKiB: number;
  heapUsedAfterGcKiB: number;
}

// ---------------------------------------------------------------- the bench

const SIZES = [1, 10, 100] as const;
const MIXES: readonly Mix[] = [...BACKENDS, "mixed"];
/** Backend SDK packages, and the backend whose stores may load them. */
const SDK_OWNER: Readonly<Record<string, Backend>> = {
  "@pulumi/aws": "aws",
  "@pulumi/gcp": "gcp",
  "@pulumi/azure-native": "azure",
  "@pulumi/azuread": "azure",
  "@pulumi/minio": "s3-compatible",
};

/** Depth targets of the issue, without ZenML registration; +3 with it. */
function depthTarget(v: Variant): { max: number; note: string } {
  switch (v.backend) {
    case "aws":
      return v.credentials === "iam-role"
        ? { max: 3, note: "floor 3: user -> role (trust names the user) -> role policy" }
        : { max: 2, note: "≤ 2" };
    case "gcp":
      return { max: 2, note: "≤ 2" };
    case "s3-compatible":
      return { max: 3, note: "≤ 3" };
    case "azure":
      return v.existingResourceGroup
        ? { max: 3, note: "≤ 3 (existing RG)" }
        : { max: 4, note: "≤ 4 (new RG)" };
  }
}

class Bench {
  readonly fast: number;
  readonly slow: number;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-bench-configs-"));
  built?: BuiltProject;
  readonly cells: Cell[] = [];
  readonly sections: string[] = [];
  readonly problems: string[] = [];
  readonly loads: { phase: string; load: string }[] = [];
  readonly raw: Record<string, unknown> = {};

  constructor(readonly args: Args) {
    this.fast = args.quick ? 2 : 5;
    this.slow = args.quick ? 1 : 3;
  }

  runs(n: number): number {
    return n >= 100 ? this.slow : this.fast;
  }

  phase(name: string): void {
    this.loads.push({ phase: name, load: loadavg() });
    log(`${name} (load ${loadavg()})`);
  }

  /** Writes a stack config file and its runtime config; returns their paths. */
  writeConfig(key: string, config: Record<string, unknown>): { yaml: string; runtime: string } {
    const yaml = path.join(this.dir, `Pulumi.${key}.yaml`);
    const runtime = path.join(this.dir, `${key}.runtime.json`);
    fs.writeFileSync(yaml, stackConfigYaml(config));
    fs.writeFileSync(runtime, JSON.stringify(runtimeConfig(config)));
    return { yaml, runtime };
  }

  sized(mix: Mix, n: number): { yaml: string; runtime: string } {
    return this.writeConfig(`${mix}-${n}`, stackConfig(sizedStores(mix, n)));
  }

  planCommand(mode: Mode, yaml: string): { args: string[]; env: NodeJS.ProcessEnv } {
    const bin = mode === "built" ? this.built!.bin : path.join(REPO, "bin", "zenml-remote-storage");
    return {
      args: [bin, "plan", "--offline", "--config", yaml, "--json"],
      env: childEnv(mode === "source" ? { ZENML_REMOTE_STORAGE_FROM_SOURCE: "1" } : {}),
    };
  }

  evalCommand(mode: Mode, runtime: string, out: string): string[] {
    return mode === "built"
      ? ["--expose-gc", this.built!.evaluate, runtime, out, path.join(this.built!.root, "dist")]
      : [
          "--expose-gc",
          "--require",
          "ts-node/register/transpile-only",
          path.join(REPO, "bench", "child", "evaluate.ts"),
          runtime,
          out,
          path.join(REPO, "src"),
        ];
  }

  /** One plan --offline run; checks it planned n stores. */
  planOnce(mode: Mode, yaml: string, n: number, modules = false): RunResult & { error?: string } {
    const { args, env } = this.planCommand(mode, yaml);
    const r = runNode(args, { cwd: os.tmpdir(), env, modules });
    if (r.status !== 0) return { ...r, error: `exit ${r.status}: ${firstLine(r)}` };
    try {
      const doc = JSON.parse(r.stdout) as { result?: { stores?: unknown[] } };
      const got = doc.result?.stores?.length;
      if (got !== n) return { ...r, error: `planned ${got} stores, expected ${n}` };
    } catch (err) {
      return { ...r, error: `output is not JSON: ${(err as Error).message}` };
    }
    return r;
  }

  /** One mock-runtime evaluation in a child. */
  evalOnce(
    mode: Mode,
    runtime: string,
    modules = false,
  ): { run: RunResult; result?: EvalResult; error?: string } {
    const out = path.join(this.dir, `eval-${process.hrtime.bigint()}.json`);
    const run = runNode(this.evalCommand(mode, runtime, out), {
      cwd: REPO,
      env: childEnv(),
      modules,
    });
    if (run.status !== 0 || !fs.existsSync(out)) {
      return { run, error: `exit ${run.status}: ${firstLine(run)}` };
    }
    const result = JSON.parse(fs.readFileSync(out, "utf8")) as EvalResult;
    fs.rmSync(out);
    return { run, result };
  }

  /**
   * Measures a series of cells, interleaved (run 1 of every cell, then run 2, ...)
   * so that a change in the machine's load spreads over all of them.
   */
  measure(kind: "plan" | "eval", mode: Mode, mixes: readonly Mix[], n: number): void {
    const cells = mixes.map((mix): Cell => {
      const cell: Cell = { kind, mode, mix, n, samples: [], failures: [] };
      this.cells.push(cell);
      return cell;
    });
    const files = new Map(mixes.map((mix) => [mix, this.sized(mix, n)]));
    const runs = this.runs(n);
    for (let i = 0; i < runs; i++) {
      for (const cell of cells) {
        if (cell.failures.length > 0) continue;
        const f = files.get(cell.mix)!;
        if (kind === "plan") {
          const r = this.planOnce(mode, f.yaml, n);
          if (r.error) cell.failures.push(r.error);
          else cell.samples.push({ wallMs: r.wallMs, rssKiB: r.maxRssKiB });
        } else {
          const { run, result, error } = this.evalOnce(mode, f.runtime);
          if (error || !result) cell.failures.push(error ?? "no result");
          else if (result.stores !== n)
            cell.failures.push(`evaluated ${result.stores} stores, expected ${n}`);
          else
            cell.samples.push({
              wallMs: run.wallMs,
              rssKiB: run.maxRssKiB,
              evalMs: result.ms.evaluation,
              heapAfterGcKiB: result.heapUsedAfterGcKiB,
              resources: result.graph.customResources,
            });
        }
      }
      log(`  ${kind} ${mode} ${n} store(s): run ${i + 1}/${runs}`);
    }
    for (const cell of cells) {
      if (cell.failures.length > 0) {
        this.problems.push(`${kind} ${mode} ${cell.mix}×${n}: ${cell.failures[0]}`);
      }
    }
  }

  cell(kind: "plan" | "eval", mode: Mode, mix: Mix, n: number): Cell | undefined {
    // Mixed with one store is one AWS store: the aws cell stands for it.
    const m = mix === "mixed" && n === 1 ? "aws" : mix;
    return this.cells.find((c) => c.kind === kind && c.mode === mode && c.mix === m && c.n === n);
  }

  stat(cell: Cell | undefined, pick: (s: Sample) => number | undefined): Summary {
    const values = (cell?.samples ?? [])
      .map(pick)
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    return summarize(values);
  }

  // ------------------------------------------------------------ sections

  async run(): Promise<void> {
    if (this.args.waitLoad !== undefined) await waitForLoad(this.args.waitLoad);
    const started = Date.now();
    this.phase("self-test");
    selfTest();

    this.phase("build (tsc -p tsconfig.build.json, into a temporary directory)");
    this.built = buildProject();

    this.phase(`floor: ${FLOOR_LABEL}`);
    this.floor();
    this.phase("--help");
    this.help();
    if (this.args.startup) {
      this.phase("plan --offline, built, 1 store");
      this.measure("plan", "built", BACKENDS, 1);
      this.phase(`floor again: ${FLOOR_LABEL}`);
      this.floor();
      this.finish(started, undefined);
      return;
    }

    for (const n of SIZES) {
      this.phase(`plan --offline, built, ${n} store(s)`);
      this.measure("plan", "built", n === 1 ? BACKENDS : MIXES, n);
    }
    for (const n of SIZES) {
      this.phase(`plan --offline, from source, ${n} store(s)`);
      const mixes: readonly Mix[] = this.args.sourceAll
        ? n === 1
          ? BACKENDS
          : MIXES
        : n === 1
          ? ["aws"]
          : ["mixed"];
      this.measure("plan", "source", mixes, n);
    }
    for (const n of SIZES) {
      this.phase(`mock-runtime evaluation, built, ${n} store(s)`);
      this.measure("eval", "built", n === 1 ? BACKENDS : MIXES, n);
      if (this.args.sourceAll) this.measure("eval", "source", n === 1 ? BACKENDS : MIXES, n);
    }
    this.sections.push(this.scaleSection());

    this.phase(`floor again: ${FLOOR_LABEL}`);
    this.floor();

    this.phase("dependency depth and lazy loading (one probe per variant)");
    this.sections.push(this.depthSection());
    this.sections.push(this.planLazySection());

    let tier: TierRun | undefined;
    if (!this.args.skipTier) {
      this.phase("acceptance tests (vitest project tier)");
      tier = runTier(log);
      this.sections.push(this.tierSection(tier));
    }
    this.finish(started, tier);
  }

  finish(started: number, tier: TierRun | undefined): void {
    this.phase("done");
    this.sections.unshift(this.header(Date.now() - started));
    this.sections.splice(1, 0, this.targetsSection());
    if (this.problems.length > 0) {
      this.sections.push(["### Problems", "", ...this.problems.map((p) => `- ${p}`)].join("\n"));
    }
    const report = `${this.sections.join("\n\n")}\n`;
    process.stdout.write(report);
    if (this.args.out) fs.writeFileSync(this.args.out, report);
    if (this.args.json) {
      fs.writeFileSync(
        this.args.json,
        JSON.stringify({ cells: this.cells, loads: this.loads, ...this.raw, tier }, null, 2),
      );
    }
    if (this.built) removeBuild(this.built);
    removeScratch();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The floor's samples, ms: measured before and after the start-up measurements, pooled. */
  readonly floorMs: number[] = [];

  /** Loading the Pulumi SDK and nothing else: what any Pulumi-based CLI pays at least. */
  floor(): void {
    runNode(FLOOR_ARGS, { cwd: REPO, env: childEnv() });
    for (let i = 0; i < this.fast; i++) {
      const r = runNode(FLOOR_ARGS, { cwd: REPO, env: childEnv() });
      if (r.status !== 0) {
        this.problems.push(`floor exited ${r.status}: ${firstLine(r)}`);
        return;
      }
      this.floorMs.push(r.wallMs);
    }
  }

  /** "0.25× the floor (1.02 s)": a median as a ratio to the floor's median. */
  toFloor(medianMs: number): string {
    if (this.floorMs.length === 0) return "no floor measured";
    const floor = summarize(this.floorMs).median;
    return `${(medianMs / floor).toFixed(2)}× the floor (${(floor / 1000).toFixed(2)} s)`;
  }

  helpResults: Record<Mode, { time: Summary; pulumi: string[]; modules: number; ok: boolean }> =
    {} as never;

  help(): void {
    for (const mode of ["source", "built"] as const) {
      const bin =
        mode === "built" ? this.built!.bin : path.join(REPO, "bin", "zenml-remote-storage");
      const env = childEnv(mode === "source" ? { ZENML_REMOTE_STORAGE_FROM_SOURCE: "1" } : {});
      const times: number[] = [];
      let ok = true;
      // One unmeasured warm-up (file cache), then the measured runs.
      runNode([bin, "--help"], { cwd: os.tmpdir(), env });
      for (let i = 0; i < this.fast; i++) {
        const r = runNode([bin, "--help"], { cwd: os.tmpdir(), env });
        if (r.status !== 0 || !r.stdout.includes("Commands:")) {
          ok = false;
          this.problems.push(`--help (${mode}) exited ${r.status}: ${firstLine(r)}`);
          break;
        }
        times.push(r.wallMs);
      }
      const probe = runNode([bin, "--help"], { cwd: os.tmpdir(), env, modules: true });
      const modules = probe.modules ?? {};
      const pulumi = loadedPackages(modules).filter(
        (p) => p.startsWith("@pulumi/") || p.startsWith("@aws-sdk/"),
      );
      for (const p of pulumi) {
        this.problems.push(
          `--help (${mode}) loads ${p}: ${importChain(modules, p, REPO).join(" -> ")}`,
        );
      }
      this.helpResults[mode] = {
        time: summarize(times),
        pulumi,
        modules: Object.keys(modules).length,
        ok,
      };
    }
  }

  header(totalMs: number): string {
    const cpus = os.cpus();
    return [
      "## zenml-remote-storage benchmarks",
      "",
      `Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${os.platform()} ${os.release()}.`,
      `Load average (1 / 5 / 15 min) per phase: ${this.loads.map((l) => `${l.phase}: ${l.load}`).join("; ")}.`,
      `Runs: ${this.fast} per fast measurement, ${this.slow} per slow one (100 stores)${this.args.quick ? " (--quick)" : ""}; figures are median (min–max, n). Peak RSS: ${RSS_SOURCE}. Sizes in MB = 10^6 bytes.`,
      `Build step: \`npm run build\` (tsc -p tsconfig.build.json) took ${(this.built!.buildMs / 1000).toFixed(1)} s here${this.built!.tscStatus === 0 ? "" : ` and reported type errors (exit ${this.built!.tscStatus}; it still emitted)`}. "built" = bin/zenml-remote-storage with dist/ present (after the build); "source" = the same bin run with ZENML_REMOTE_STORAGE_FROM_SOURCE=1: it runs src/ through the transpile cache (src/sourceLoader.js).`,
      `Whole bench: ${(totalMs / 60_000).toFixed(1)} min (after any --wait-load wait).`,
    ].join("\n");
  }

  targetsSection(): string {
    const rows: string[][] = [];
    const verdict = (ok: boolean | undefined): string =>
      ok === undefined ? "n/a" : ok ? "met" : "**missed**";
    if (this.floorMs.length > 0) {
      rows.push([`floor: \`${FLOOR_LABEL}\``, fmtSeconds(summarize(this.floorMs)), "n/a"]);
    }
    for (const mode of ["source", "built"] as const) {
      const h = this.helpResults[mode];
      if (!h) continue;
      const limit = HELP_TARGET_MS[mode];
      rows.push([
        `\`--help\` ≤ ${limit / 1000} s (${mode})`,
        `${fmtSeconds(h.time)}; ${this.toFloor(h.time.median)}`,
        verdict(h.ok && h.time.median <= limit),
      ]);
      rows.push([
        `\`--help\` loads no Pulumi SDK (${mode})`,
        h.pulumi.length === 0 ? `none of ${h.modules} modules` : h.pulumi.join(", "),
        verdict(h.pulumi.length === 0),
      ]);
    }
    for (const mode of ["built", "source"] as const) {
      const ones = BACKENDS.map((b) => ({
        b,
        s: this.stat(this.cell("plan", mode, b, 1), (x) => x.wallMs),
      })).filter((x) => x.s.n > 0);
      if (ones.length > 0) {
        const worst = ones.reduce((a, b) => (b.s.median > a.s.median ? b : a));
        const limit = PLAN_ONE_TARGET_MS[mode];
        rows.push([
          `plan --offline, 1 store ≤ ${limit / 1000} s (${mode}; slowest backend)`,
          `${worst.b}: ${fmtSeconds(worst.s)}; ${this.toFloor(worst.s.median)}`,
          verdict(ones.every((x) => x.s.median <= limit)),
        ]);
      }
      const m100 = this.stat(this.cell("plan", mode, "mixed", 100), (x) => x.wallMs);
      if (m100.n > 0) {
        rows.push([
          `plan --offline, 100 mixed ≤ 12 s (${mode})`,
          fmtSeconds(m100),
          verdict(m100.median <= 12_000),
        ]);
        const g = this.growthOf("plan", mode, "mixed", (x) => x.wallMs);
        if (g) {
          rows.push([
            `plan --offline grows linearly (${mode}, mixed)`,
            `per extra store: ${g.perStoreLow.toFixed(0)} ms (1→10), ${g.perStoreHigh.toFixed(0)} ms (10→100)`,
            verdict(g.linear),
          ]);
        }
        const mem = this.perStoreMB("plan", mode, "mixed");
        if (mem !== undefined) {
          rows.push([
            `memory per additional store ≤ 2 MB (plan, ${mode}, mixed)`,
            `${mem.toFixed(2)} MB (peak RSS, 1→100)`,
            verdict(mem <= 2),
          ]);
        }
      }
    }
    const memEval = this.perStoreMB("eval", "built", "mixed");
    if (memEval !== undefined) {
      const heap = this.perStoreHeapMB("built", "mixed");
      rows.push([
        "memory per additional store ≤ 2 MB (mock-runtime evaluation, built, mixed)",
        `${memEval.toFixed(2)} MB peak RSS; ${heap?.toFixed(2) ?? "?"} MB heap still reachable after GC`,
        verdict(memEval <= 2),
      ]);
    }
    for (const d of this.depthRows) {
      const label = `depth ${variantLabel(d.variant)}${d.zenml ? " + ZenML" : ""}`;
      if (d.zenml) {
        rows.push([
          `${label}: ZenML adds ≤ 3 (total ≤ ${d.target})`,
          `${d.depth} (+${d.added ?? "?"})`,
          verdict((d.added ?? Infinity) <= 3 && d.depth <= d.target),
        ]);
      } else {
        rows.push([`${label} ${d.targetNote}`, String(d.depth), verdict(d.depth <= d.target)]);
      }
    }
    if (!this.args.startup) {
      rows.push([
        "each backend's SDK loads only with a store of that backend",
        this.lazyViolations.length === 0 ? "no violation" : this.lazyViolations.join("; "),
        verdict(this.lazyViolations.length === 0),
      ]);
    }
    return ["### Targets", "", table(["target", "measured", ""], rows)].join("\n");
  }

  growthOf(
    kind: "plan" | "eval",
    mode: Mode,
    mix: Mix,
    pick: (s: Sample) => number | undefined,
  ): (ReturnType<typeof growth> & { linear: boolean }) | undefined {
    const [a, b, c] = SIZES.map((n) => this.stat(this.cell(kind, mode, mix, n), pick));
    if (a.n === 0 || b.n === 0 || c.n === 0) return undefined;
    const g = growth(a.median, b.median, c.median);
    // Linear: a store costs no more on the 10->100 leg than 1.5x the 1->10 leg
    // (plus 5 ms, so that noise on a small first leg does not decide it).
    return { ...g, linear: g.perStoreHigh <= 1.5 * Math.max(g.perStoreLow, 0) + 5 };
  }

  perStoreMB(kind: "plan" | "eval", mode: Mode, mix: Mix): number | undefined {
    const a = this.stat(this.cell(kind, mode, mix, 1), (x) => x.rssKiB);
    const c = this.stat(this.cell(kind, mode, mix, 100), (x) => x.rssKiB);
    if (a.n === 0 || c.n === 0) return undefined;
    return kibToMB(c.median - a.median) / 99;
  }

  perStoreHeapMB(mode: Mode, mix: Mix): number | undefined {
    const a = this.stat(this.cell("eval", mode, mix, 1), (x) => x.heapAfterGcKiB);
    const c = this.stat(this.cell("eval", mode, mix, 100), (x) => x.heapAfterGcKiB);
    if (a.n === 0 || c.n === 0) return undefined;
    return kibToMB(c.median - a.median) / 99;
  }

  scaleSection(): string {
    const out: string[] = ["### Start-up", ""];
    out.push(
      table(
        ["command", "wall time", "@pulumi/* or @aws-sdk/* loaded", "modules loaded"],
        (["source", "built"] as const)
          .filter((m) => this.helpResults[m])
          .map((m) => {
            const h = this.helpResults[m];
            return [
              `\`zenml-remote-storage --help\` (${m})`,
              fmtSeconds(h.time),
              h.pulumi.length === 0 ? "none" : h.pulumi.join(", "),
              String(h.modules),
            ];
          }),
      ),
    );
    for (const mode of ["built", "source"] as const) {
      const rows: string[][] = [];
      for (const mix of MIXES) {
        for (const n of SIZES) {
          const cell = this.cell("plan", mode, mix, n);
          if (!cell || cell.samples.length === 0) continue;
          rows.push([
            mix === "mixed" && n === 1 ? "mixed (= aws)" : mix,
            String(n),
            fmtSeconds(this.stat(cell, (x) => x.wallMs)),
            fmtMB(this.stat(cell, (x) => x.rssKiB)),
          ]);
        }
      }
      if (rows.length === 0) continue;
      out.push(
        "",
        `### \`plan --offline\` (${mode})`,
        "",
        table(["stores", "N", "wall time", "peak RSS"], rows),
      );
      const growthRows: string[][] = [];
      for (const mix of MIXES) {
        const g = this.growthOf("plan", mode, mix, (x) => x.wallMs);
        const mem = this.perStoreMB("plan", mode, mix);
        if (!g || mem === undefined) continue;
        growthRows.push([
          mix,
          `${g.perStoreLow.toFixed(0)} ms`,
          `${g.perStoreHigh.toFixed(0)} ms`,
          g.linear ? "yes" : "**no**",
          `${mem.toFixed(2)} MB`,
        ]);
      }
      if (growthRows.length > 0) {
        out.push(
          "",
          table(
            [
              "stores",
              "one more store, 1→10",
              "one more store, 10→100",
              "linear",
              "peak RSS per extra store (1→100)",
            ],
            growthRows,
          ),
        );
      }
    }
    for (const mode of ["built", "source"] as const) {
      const rows: string[][] = [];
      for (const mix of MIXES) {
        for (const n of SIZES) {
          const cell = this.cell("eval", mode, mix, n);
          if (!cell || cell.samples.length === 0) continue;
          rows.push([
            mix === "mixed" && n === 1 ? "mixed (= aws)" : mix,
            String(n),
            String(cell.samples[0].resources ?? "?"),
            fmtSeconds(this.stat(cell, (x) => x.evalMs)),
            fmtSeconds(this.stat(cell, (x) => x.wallMs)),
            fmtMB(this.stat(cell, (x) => x.rssKiB)),
            fmtMB(this.stat(cell, (x) => x.heapAfterGcKiB)),
          ]);
        }
      }
      if (rows.length === 0) continue;
      out.push(
        "",
        `### Program evaluation under the mock runtime (${mode})`,
        "",
        table(
          [
            "stores",
            "N",
            "cloud resources",
            "evaluation",
            "child wall time",
            "peak RSS",
            "heap after GC",
          ],
          rows,
        ),
      );
    }
    return out.join("\n");
  }

  depthRows: {
    variant: Variant;
    zenml: boolean;
    depth: number;
    /** With ZenML: the depth it adds to the same variant without it. */
    added?: number;
    target: number;
    targetNote: string;
    graph: Depth;
  }[] = [];
  lazyViolations: string[] = [];

  depthSection(): string {
    const rows: string[][] = [];
    const lazyRows: string[][] = [];
    const chains: string[] = [];
    for (const variant of VARIANTS) {
      for (const zenml of [false, true]) {
        const key = `${variant.backend}-${variant.credentials}${variant.existingResourceGroup ? "-rg" : ""}${zenml ? "-zenml" : ""}`;
        const files = this.writeConfig(
          key,
          stackConfig([{ name: "probe-store", variant }], { zenml }),
        );
        const { run, result, error } = this.evalOnce("built", files.runtime, true);
        if (error || !result) {
          this.problems.push(`depth probe ${key}: ${error}`);
          continue;
        }
        const g = result.graph;
        const t = depthTarget(variant);
        // With ZenML: the same floor plus at most 3 (connector -> component -> stack).
        const target = t.max + (zenml ? 3 : 0);
        const base = zenml
          ? this.depthRows.find((d) => d.variant === variant && !d.zenml)?.depth
          : undefined;
        const added = base === undefined ? undefined : g.depth - base;
        this.depthRows.push({
          variant,
          zenml,
          depth: g.depth,
          added,
          target,
          targetNote: t.note,
          graph: g,
        });
        rows.push([
          variantLabel(variant),
          zenml ? "yes" : "no",
          `${g.depth}${g.depth > target ? ` **(> ${target})**` : ""}`,
          String(target),
          added === undefined ? "" : `+${added}${added > 3 ? " **(> 3)**" : ""}`,
          String(g.customResources),
          String(g.providerResources),
          String(g.explicitOnlyEdges),
        ]);
        chains.push(
          `- ${variantLabel(variant)}${zenml ? " + ZenML" : ""}: ${
            g.chain
              .map((c) => `${shortType(c.type, c.name)}${c.via ? ` [${c.via}]` : ""}`)
              .join(" → ") || "(nothing is created)"
          }`,
        );
        // Lazy loading: backend SDKs loaded vs the backends configured.
        if (!zenml) {
          const packages = loadedPackages(run.modules ?? {}).filter((p) => p in SDK_OWNER);
          const bad = packages.filter((p) => SDK_OWNER[p] !== variant.backend);
          for (const p of bad) {
            this.lazyViolations.push(
              `${variantLabel(variant)} loads ${p} (${importChain(run.modules ?? {}, p, REPO).join(" -> ")})`,
            );
          }
          lazyRows.push([
            variantLabel(variant),
            packages.join(", ") || "none",
            bad.length === 0 ? "ok" : `**${bad.join(", ")}**`,
          ]);
        }
      }
    }
    this.raw.depth = this.depthRows;
    return [
      "### Dependency depth (longest chain of cloud resources created one after another)",
      "",
      table(
        [
          "variant",
          "ZenML",
          "depth",
          "target",
          "added by ZenML",
          "custom resources",
          "provider resources (count 0)",
          "dependsOn-only edges",
        ],
        rows,
      ),
      "",
      "Longest chain per variant, first created first; `[x]` after a resource says how it waits for the one before it (the input properties that carry the dependency, `dependsOn`, or `provider`):",
      "",
      ...chains,
      "",
      "### Lazy loading: backend SDKs the program loads per configured backend (mock runtime, built)",
      "",
      table(["variant", "backend SDKs loaded", "check"], lazyRows),
    ].join("\n");
  }

  planLazySection(): string {
    const rows: string[][] = [];
    for (const backend of BACKENDS) {
      const f = this.sized(backend, 1);
      const r = this.planOnce("built", f.yaml, 1, true);
      if (r.error) {
        this.problems.push(`lazy-loading probe plan ${backend}: ${r.error}`);
        continue;
      }
      const packages = loadedPackages(r.modules ?? {});
      const sdks = packages.filter((p) => p in SDK_OWNER);
      const bad = sdks.filter((p) => SDK_OWNER[p] !== backend);
      for (const p of bad) {
        this.lazyViolations.push(
          `plan --offline (${backend}) loads ${p} (${importChain(r.modules ?? {}, p, REPO).join(" -> ")})`,
        );
      }
      const awsSdk = packages.filter((p) => p.startsWith("@aws-sdk/"));
      rows.push([
        backend,
        sdks.join(", ") || "none",
        awsSdk.length === 0 ? "none" : `${awsSdk.length} (${awsSdk.slice(0, 3).join(", ")}…)`,
        bad.length === 0 ? "ok" : `**${bad.join(", ")}**`,
      ]);
    }
    return [
      "### Lazy loading in `plan --offline` (built, one store)",
      "",
      table(["backend", "backend SDKs loaded", "@aws-sdk/* loaded", "check"], rows),
    ].join("\n");
  }

  tierSection(tier: TierRun): string {
    if (!tier.ran) return `### Acceptance tests\n\n${tier.note}`;
    const rows = tier.files.map((f) => [
      f.backend,
      `\`${f.file}\``,
      `${f.passed} passed${f.failed ? `, **${f.failed} failed**` : ""}${f.skipped ? `, ${f.skipped} skipped` : ""}`,
      f.fileMs !== undefined ? `${(f.fileMs / 1000).toFixed(1)} s` : "—",
      `${(f.testsSpanMs / 1000).toFixed(1)} s`,
      `${(f.testsSumMs / 1000).toFixed(1)} s`,
    ]);
    return [
      "### Acceptance tests (vitest project `tier`, one run)",
      "",
      `Whole run: ${(tier.wallMs / 1000).toFixed(0)} s (${tier.note}); test environment check ${(tier.setupMs / 1000).toFixed(0)} s.`,
      "",
      table(
        [
          "backend",
          "file",
          "tests",
          "file incl. hooks",
          "first test start → last test end",
          "sum of tests",
        ],
        rows,
      ),
    ].join("\n");
  }
}

function shortType(type: string, name: string): string {
  // aws:iam/user:User -> aws:User; ZenML's dynamic resources by their role.
  if (type === "pulumi-nodejs:dynamic:Resource") {
    return `zenml:${name.replace(/^.*-zenml-/, "")}`;
  }
  const parts = type.split(":");
  return `${parts[0]}:${parts[parts.length - 1]}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await new Bench(args).run();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
