/**
 * A built copy of the project for the "built" measurements, outside the work
 * tree (nothing under the repo is written): `tsc -p tsconfig.build.json` (what
 * `npm run build` runs) into TMP/dist, the real bin script and Pulumi.yaml
 * copied beside it, node_modules and stacks linked. The bin prefers dist/ when
 * it exists, exactly as in a checkout after `npm run build`.
 *
 * The bench's own mock-runtime child is transpiled to plain JS there too, so a
 * built measurement runs without ts-node.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

export const REPO = path.resolve(__dirname, "..", "..");

export interface BuiltProject {
  readonly root: string;
  readonly bin: string;
  /** bench/child/evaluate.js, plain JS. */
  readonly evaluate: string;
  readonly buildMs: number;
  /** tsc's exit code (it emits even with type errors; 0 when there were none). */
  readonly tscStatus: number | null;
  readonly tscOutput: string;
}

const BENCH_CHILD_FILES = ["bench/child/evaluate.ts", "bench/lib/graph.ts"];

export function buildProject(): BuiltProject {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-bench-build-"));
  const started = process.hrtime.bigint();
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(REPO, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      path.join(REPO, "tsconfig.build.json"),
      "--outDir",
      path.join(root, "dist"),
    ],
    { cwd: REPO, encoding: "utf8" },
  );
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!fs.existsSync(path.join(root, "dist", "cli", "index.js"))) {
    throw new Error(`tsc produced no dist/cli/index.js:\n${tsc.stdout}${tsc.stderr}`);
  }
  fs.mkdirSync(path.join(root, "bin"));
  const bin = path.join(root, "bin", "zenml-remote-storage");
  fs.copyFileSync(path.join(REPO, "bin", "zenml-remote-storage"), bin);
  for (const f of ["package.json", "Pulumi.yaml"]) {
    fs.copyFileSync(path.join(REPO, f), path.join(root, f));
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"), "dir");
  fs.symlinkSync(path.join(REPO, "stacks"), path.join(root, "stacks"), "dir");

  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
  };
  for (const rel of BENCH_CHILD_FILES) {
    const out = path.join(root, rel.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const source = fs.readFileSync(path.join(REPO, rel), "utf8");
    fs.writeFileSync(out, ts.transpileModule(source, { compilerOptions: options }).outputText);
  }
  return {
    root,
    bin,
    evaluate: path.join(root, "bench", "child", "evaluate.js"),
    buildMs,
    tscStatus: tsc.status,
    tscOutput: `${tsc.stdout}${tsc.stderr}`.trim(),
  };
}

export function removeBuild(built: BuiltProject): void {
  fs.rmSync(built.root, { recursive: true, force: true });
}
