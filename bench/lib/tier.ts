/**
 * The acceptance tests' wall time per backend: one run of vitest's `tier`
 * project (real ZenML server, moto, GCS emulator, Azurite, started by the
 * tests themselves), read from vitest's JSON report. The JSON report's span
 * per file runs from its first test's start to its last test's end, so it
 * leaves out beforeAll/afterAll (service start-up); the default reporter's
 * per-file duration, printed alongside, includes them and is parsed too.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./build";

export interface TierFile {
  readonly file: string;
  /** aws, gcp, azure, s3-compatible, "cli" (the script's tests), or "shared" (harness, ZenML client). */
  readonly backend: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** First test start to last test end (JSON report), ms. */
  readonly testsSpanMs: number;
  /** Sum of the tests' own durations (JSON report), ms. */
  readonly testsSumMs: number;
  /** The file's duration including hooks (default reporter), ms, if printed. */
  readonly fileMs?: number;
}

export interface TierRun {
  readonly ran: boolean;
  /** Why it did not run, or how it ended. */
  readonly note: string;
  readonly wallMs: number;
  readonly setupMs: number;
  readonly files: readonly TierFile[];
}

const BACKEND_OF: Readonly<Record<string, string>> = {
  "aws.test.ts": "aws",
  "gcp.test.ts": "gcp",
  "azure.test.ts": "azure",
  "s3compatible.test.ts": "s3-compatible",
};

interface JsonReport {
  testResults: {
    name: string;
    startTime: number;
    endTime: number;
    assertionResults: { status: string; duration?: number | null }[];
  }[];
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** `✓ test/tier/azure.test.ts (8 tests) 51733ms` -> { file: duration }. */
export function parseFileDurations(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.replace(ANSI, "").split("\n")) {
    const m = /(test\/tier\/\S+\.test\.ts)\s+\(\d+ tests?[^)]*\)\s+(\d+(?:\.\d+)?)\s*(ms|s)\b/.exec(
      line,
    );
    if (m) out[m[1]] = Number(m[2]) * (m[3] === "s" ? 1000 : 1);
  }
  return out;
}

export function runTier(log: (line: string) => void): TierRun {
  const started = Date.now();
  log("tier: scripts/setup-test-env.sh (installs the Python test tools only if missing)");
  const setup = spawnSync("bash", [path.join(REPO, "scripts", "setup-test-env.sh")], {
    cwd: REPO,
    encoding: "utf8",
  });
  const setupMs = Date.now() - started;
  if (setup.status !== 0) {
    return {
      ran: false,
      note: `not run: scripts/setup-test-env.sh failed (${(setup.stderr || "").trim().split("\n").pop()})`,
      wallMs: 0,
      setupMs,
      files: [],
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-bench-tier-"));
  const report = path.join(dir, "tier.json");
  log("tier: npx vitest run --project tier (several minutes)");
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      path.join(REPO, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--project",
      "tier",
      "--reporter=json",
      `--outputFile.json=${report}`,
      "--reporter=default",
    ],
    {
      cwd: REPO,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 30 * 60_000,
    },
  );
  const wallMs = Date.now() - t0;
  if (!fs.existsSync(report)) {
    return {
      ran: false,
      note: `vitest wrote no JSON report (exit ${r.status}): ${(r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" / ")}`,
      wallMs,
      setupMs,
      files: [],
    };
  }
  const json = JSON.parse(fs.readFileSync(report, "utf8")) as JsonReport;
  const durations = parseFileDurations(`${r.stdout}\n${r.stderr}`);
  const files = json.testResults.map((f): TierFile => {
    const rel = path.relative(REPO, f.name);
    const count = (s: string): number => f.assertionResults.filter((a) => a.status === s).length;
    return {
      file: rel,
      backend:
        BACKEND_OF[path.basename(rel)] ??
        (path.basename(rel).startsWith("cli-") ? "cli" : "shared"),
      passed: count("passed"),
      failed: count("failed"),
      skipped: f.assertionResults.length - count("passed") - count("failed"),
      testsSpanMs: f.endTime - f.startTime,
      testsSumMs: f.assertionResults.reduce((s, a) => s + (a.duration ?? 0), 0),
      fileMs: durations[rel],
    };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    ran: true,
    note: r.status === 0 ? "all passed" : `vitest exited ${r.status} (failures below)`,
    wallMs,
    setupMs,
    files,
  };
}
