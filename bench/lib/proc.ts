/**
 * Runs one measured child process: wall time (parent's clock, spawn to exit),
 * peak RSS (GNU time's %M when /usr/bin/time exists, else the child's own
 * process.resourceUsage().maxRSS via the preload hook), and optionally which
 * modules it loaded and who loaded them (bench/hooks/record-modules.cjs).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const GNU_TIME = "/usr/bin/time";
export const HOOK = path.resolve(__dirname, "..", "hooks", "record-modules.cjs");

export function hasGnuTime(): boolean {
  if (!fs.existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ["-f", "%M", "-o", "/dev/null", "true"]);
  return r.status === 0;
}

export interface RunResult {
  readonly status: number | null;
  readonly wallMs: number;
  /** Peak RSS in KiB, or NaN when neither source reported it. */
  readonly maxRssKiB: number;
  readonly stdout: string;
  readonly stderr: string;
  /** With `modules: true`: every loaded module file -> the file that first required it. */
  readonly modules?: Readonly<Record<string, string | null>>;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Preload the module recorder (costs a few ms at exit; use in probe runs). */
  readonly modules?: boolean;
  readonly timeoutMs?: number;
}

let tmpDir: string | undefined;
function scratch(): string {
  tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "zrs-bench-proc-"));
  return tmpDir;
}
let seq = 0;

/** Removes the scratch directory of the runs' output files. */
export function removeScratch(): void {
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

/** `node [--require hook] ...args`, measured. */
export function runNode(args: readonly string[], opts: RunOptions = {}): RunResult {
  const id = `${process.pid}-${seq++}`;
  const modulesOut = path.join(scratch(), `modules-${id}.json`);
  const rssOut = path.join(scratch(), `rss-${id}.txt`);
  const nodeArgs = [...(opts.modules || !gnuTime ? ["--require", HOOK] : []), ...args];
  const env = {
    ...(opts.env ?? process.env),
    ...(opts.modules || !gnuTime ? { BENCH_MODULES_OUT: modulesOut } : {}),
  };
  const [cmd, argv] = gnuTime
    ? [GNU_TIME, ["-f", "%M", "-o", rssOut, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    cwd: opts.cwd,
    env,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 300_000,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let maxRssKiB = NaN;
  let modules: Record<string, string | null> | undefined;
  if (fs.existsSync(modulesOut)) {
    const recorded = JSON.parse(fs.readFileSync(modulesOut, "utf8")) as {
      maxRssKiB: number;
      modules: Record<string, string | null>;
    };
    modules = recorded.modules;
    maxRssKiB = recorded.maxRssKiB;
    fs.rmSync(modulesOut);
  }
  if (gnuTime && fs.existsSync(rssOut)) {
    // GNU time prints "Command exited with non-zero status N" before %M on failure.
    const lines = fs.readFileSync(rssOut, "utf8").trim().split("\n");
    const kib = Number(lines[lines.length - 1]);
    if (Number.isFinite(kib)) maxRssKiB = kib;
    fs.rmSync(rssOut);
  }
  return {
    status: r.status,
    wallMs,
    maxRssKiB,
    stdout: r.stdout ?? "",
    stderr: (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : ""),
    modules: opts.modules ? modules : undefined,
  };
}

const gnuTime = hasGnuTime();
export const RSS_SOURCE = gnuTime
  ? "GNU time %M (/usr/bin/time)"
  : "process.resourceUsage().maxRSS in the child";

/** Package names (`@pulumi/aws`, `yargs`) of loaded modules, sorted. */
export function loadedPackages(modules: Readonly<Record<string, unknown>>): string[] {
  const names = new Set<string>();
  for (const file of Object.keys(modules)) {
    const name = packageOf(file);
    if (name) names.add(name);
  }
  return [...names].sort();
}

/** The package a file belongs to (innermost node_modules), or undefined for project files. */
export function packageOf(file: string): string | undefined {
  const m = /.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  return m ? m[1].replace(/\\/g, "/") : undefined;
}

/**
 * How a package came to be loaded: from the first of its files that something
 * outside it required, up the chain of first requirers to the entry point.
 * Project files are shown relative to `root`; runs of one package's files are
 * collapsed to the package name.
 */
export function importChain(
  modules: Readonly<Record<string, string | null>>,
  pkg: string,
  root: string,
): string[] {
  const entry = Object.entries(modules).find(
    ([file, parent]) => packageOf(file) === pkg && (parent === null || packageOf(parent) !== pkg),
  );
  if (!entry) return [];
  const chain: string[] = [];
  let cur: string | null = entry[0];
  const seen = new Set<string>();
  while (cur !== null && !seen.has(cur)) {
    seen.add(cur);
    const label = packageOf(cur) ?? path.relative(root, cur);
    if (chain[0] !== label) chain.unshift(label);
    cur = modules[cur] ?? null;
  }
  return chain;
}
