/**
 * The program's evaluation as `pulumi preview` / `pulumi up` run it
 * (`npm run bench:engine`; not part of `npm test`): `@pulumi/pulumi/cmd/run`
 * spawned by the language-host harness (test/support/langhost) from the
 * shipped Pulumi.yaml, against the harness's resource monitor, for 1 AWS store
 * and for 100 stores of all four backends. Beside each, in the same run and
 * interleaved with it, two floors: a bare `node` that only loads the SDKs those
 * stores need, and cmd/run itself running a program that only loads them (what
 * any Pulumi program with these stores pays). The report gives each figure as a
 * ratio to both floors. Run 1 of each case transpiles the sources (cold
 * transpile cache, as after an edit); the medians are the runs after it.
 *
 *   npm run bench:engine -- [--runs N] [--out FILE.md]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LanghostEngine } from "../test/support/langhost/engine";
import { PLACEHOLDER_INVOKES } from "../test/support/langhost/placeholders";
import { copyProject } from "../test/support/langhost/projectCopy";
import { REPO } from "./lib/build";
import {
  FAKE_IMPERSONATOR_KEY,
  sizedStores,
  stackConfig,
  stackConfigYaml,
  type Mix,
} from "./lib/configs";
import { runNode } from "./lib/proc";
import { fmtSeconds, summarize, table } from "./lib/stats";

/** The SDKs each case's stores load: what no program with these stores can avoid. */
const FLOOR_SDKS: Readonly<Record<string, readonly string[]>> = {
  "1 aws store": ["@pulumi/pulumi", "@pulumi/aws"],
  "100 mixed stores": [
    "@pulumi/pulumi",
    "@pulumi/aws",
    "@pulumi/gcp",
    "@pulumi/azure-native",
    "@pulumi/azuread",
    "@pulumi/minio",
  ],
};
const CASES: readonly { label: string; mix: Mix; n: number; target?: number }[] = [
  { label: "1 aws store", mix: "aws", n: 1, target: 1.5 },
  { label: "100 mixed stores", mix: "mixed", n: 100 },
];

/** `secure:` leaves of a config, by the `--path` key the harness takes plaintexts under. */
function securePaths(value: unknown, where: string, out: Record<string, string>): void {
  if (typeof value !== "object" || value === null) return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && entries[0][0] === "secure") {
    out[where] = where.endsWith(".impersonatorKey") ? FAKE_IMPERSONATOR_KEY : "placeholder-secret";
    return;
  }
  for (const [k, v] of entries) {
    securePaths(v, Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`, out);
  }
}

/** A project whose program only loads `sdks`, run through cmd/run like ours (same node_modules). */
function writeFloorProject(root: string, label: string, sdks: readonly string[]): string {
  const dir = path.join(root, `floor-${label.replace(/\W+/g, "-")}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  );
  fs.writeFileSync(path.join(dir, "package.json"), '{ "name": "floor", "main": "index.js" }\n');
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `${sdks.map((m) => `require(${JSON.stringify(m)});`).join("\n")}\nmodule.exports = () => ({});\n`,
  );
  fs.writeFileSync(path.join(dir, "Pulumi.floor.yaml"), "config: {}\n");
  return dir;
}

function parseArgs(argv: readonly string[]): { runs: number; out?: string } {
  let runs = 3;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") runs = Number(argv[++i]);
    else if (argv[i] === "--out") out = path.resolve(argv[++i]);
    else
      throw new Error(`unknown argument ${argv[i]}; usage: bench:engine [--runs N] [--out FILE]`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
  return { runs, out };
}

const log = (line: string): void => {
  process.stderr.write(`[bench:engine ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const copy = copyProject(REPO, { prefix: "zrs-bench-engine-" });
  const samples = new Map(
    CASES.map((c) => [
      c.label,
      { program: [] as number[], floor: [] as number[], cmdRunFloor: [] as number[] },
    ]),
  );
  const floorProjects = new Map(
    CASES.map((c) => [c.label, writeFloorProject(copy.root, c.label, FLOOR_SDKS[c.label])]),
  );
  try {
    const plaintexts: Record<string, Record<string, string>> = {};
    for (const c of CASES) {
      const config = stackConfig(sizedStores(c.mix, c.n));
      const stack = `bench-${c.mix}-${c.n}`;
      fs.writeFileSync(
        path.join(copy.root, "stacks", `Pulumi.${stack}.yaml`),
        stackConfigYaml(config),
      );
      plaintexts[c.label] = {};
      for (const [key, value] of Object.entries(config))
        securePaths(value, key, plaintexts[c.label]);
    }
    for (let run = 1; run <= args.runs; run++) {
      for (const c of CASES) {
        const engine = new LanghostEngine({
          projectRoot: copy.root,
          stack: `bench-${c.mix}-${c.n}`,
        });
        for (const [token, handler] of Object.entries(PLACEHOLDER_INVOKES))
          engine.invoke(token, handler);
        const preview = await engine.preview({ plaintexts: plaintexts[c.label] });
        if (!preview.ok)
          throw new Error(
            `${c.label}: preview failed: ${preview.errors[0] ?? preview.program.stderr.slice(-500)}`,
          );
        const floor = runNode(
          ["-e", FLOOR_SDKS[c.label].map((m) => `require(${JSON.stringify(m)});`).join(" ")],
          { cwd: REPO },
        );
        if (floor.status !== 0) throw new Error(`${c.label}: floor failed: ${floor.stderr}`);
        const cmdRunFloor = await new LanghostEngine({
          projectRoot: floorProjects.get(c.label)!,
          stack: "floor",
        }).preview();
        if (!cmdRunFloor.ok)
          throw new Error(`${c.label}: cmd/run floor failed: ${cmdRunFloor.errors[0]}`);
        const s = samples.get(c.label)!;
        s.program.push(preview.durationMs);
        s.floor.push(floor.wallMs);
        s.cmdRunFloor.push(cmdRunFloor.durationMs);
        log(
          `${c.label}: run ${run}/${args.runs}: preview ${(preview.durationMs / 1000).toFixed(2)} s, ` +
            `floor ${(floor.wallMs / 1000).toFixed(2)} s, cmd/run floor ${(cmdRunFloor.durationMs / 1000).toFixed(2)} s`,
        );
      }
    }
  } finally {
    copy.remove();
  }
  const rows = CASES.map((c) => {
    const s = samples.get(c.label)!;
    // Run 1 filled the transpile cache; the medians are the runs after it.
    const warm = (xs: number[]) => summarize(xs.length > 1 ? xs.slice(1) : xs);
    const program = warm(s.program);
    const floor = warm(s.floor);
    const cmdRunFloor = warm(s.cmdRunFloor);
    const ratio = program.median / floor.median;
    return [
      c.label,
      fmtSeconds(program),
      `${(s.program[0] / 1000).toFixed(2)} s`,
      fmtSeconds(floor),
      `${ratio.toFixed(2)}×`,
      fmtSeconds(cmdRunFloor),
      `${(program.median / cmdRunFloor.median).toFixed(2)}×`,
      c.target === undefined ? "—" : `≤ ${c.target}× ${ratio <= c.target ? "met" : "NOT met"}`,
    ];
  });
  const report = [
    `## Program evaluation through cmd/run (language-host harness), ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`,
    "",
    "Preview: cmd/run spawned as the language host spawns it, the program registering every resource with the",
    "harness's monitor. Floor: `node -e` loading only the SDKs those stores need. cmd/run floor: cmd/run running",
    "a program that only loads those SDKs. Medians of interleaved runs after the first (which fills the",
    "transpile cache); run 1 shown apart.",
    "",
    table(
      [
        "case",
        "preview through cmd/run",
        "run 1 (cold cache)",
        "floor (SDKs loaded)",
        "ratio",
        "cmd/run floor",
        "ratio",
        "target (vs floor)",
      ],
      rows,
    ),
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (args.out) fs.writeFileSync(args.out, `${report}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:engine: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
