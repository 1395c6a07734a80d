/**
 * Fault injection: a writer killed mid-write. REAL: separate node processes
 * running the project's own writers (StackConfigFile.save for the stack
 * config, writeZenmlYaml for stacks/<stack>.zenml.yaml; through ts-node, see
 * test/support/faultsWriterChild.ts) rewriting a real file with 16 MiB payloads
 * in a loop, and SIGKILL at a random moment. After every kill the file must be
 * byte-for-byte the old content or one complete new content (and parse as
 * YAML); a kill that landed between creating the temporary file and renaming it
 * shows as a leftover temporary file, which the next write (the "re-run")
 * removes. A non-atomic writer (fs.writeFileSync) is killed the same way as a
 * control, to show the check catches a torn file.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/automation/atomicWrite";
import { StackConfigFile } from "../../src/automation/stackConfigFile";

const REPO = path.resolve(__dirname, "..", "..");
const CHILD = path.join(REPO, "test", "support", "faultsWriterChild.ts");
const PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Kills of one writer until this many landed mid-write (a temporary file was left)... */
const MID_WRITE_KILLS = 3;
/** ...or this many kills in all. */
const MAX_KILLS = 40;

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

type Mode = "stack-config" | "zenml-yaml" | "naive";

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-faults-"));
  roots.push(root);
  fs.mkdirSync(path.join(root, "stacks"));
  return root;
}

function target(mode: Mode, root: string): string {
  return mode === "zenml-yaml"
    ? path.join(root, "stacks", "faults.zenml.yaml")
    : path.join(root, "stacks", "Pulumi.faults.yaml");
}

function sha(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function tempFiles(root: string): string[] {
  return fs.readdirSync(path.join(root, "stacks")).filter((n) => n.endsWith(".tmp"));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the writer, waits until it is writing, kills it after `delayMs`; returns the payload hashes. */
async function killWriter(mode: Mode, root: string, delayMs: number): Promise<string[]> {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", CHILD, mode, root, String(PAYLOAD_BYTES)],
    {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  const ready = await new Promise<{ sha256: string[] }>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { sha256: string[] });
    });
    void exited.then(() => reject(new Error(`writer exited before it was ready: ${stderr}`)));
  });
  await sleep(delayMs);
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  return ready.sha256;
}

interface Tally {
  kills: number;
  midWrite: number;
  complete: { old: number; new: number };
  torn: number;
}

/**
 * Kills the writer at random moments until MID_WRITE_KILLS kills landed
 * mid-write; checks the file after each kill and the re-run after it.
 */
async function killRepeatedly(mode: Mode, initial: (root: string) => void): Promise<Tally> {
  const tally: Tally = { kills: 0, midWrite: 0, complete: { old: 0, new: 0 }, torn: 0 };
  const root = project();
  initial(root);
  const file = target(mode, root);
  while (tally.midWrite < MID_WRITE_KILLS && tally.kills < MAX_KILLS) {
    const old = sha(file);
    const payloads = await killWriter(mode, root, Math.floor(Math.random() * 1500));
    tally.kills += 1;
    const now = sha(file);
    if (now === old) tally.complete.old += 1;
    else if (payloads.includes(now)) tally.complete.new += 1;
    else {
      tally.torn += 1;
      continue;
    }
    expect(() => parse(fs.readFileSync(file, "utf8"))).not.toThrow();
    const left = tempFiles(root);
    if (left.length > 0) {
      tally.midWrite += 1;
      // The leftover is the partial new content, never the target.
      expect(left).toHaveLength(1);
    }
    // The re-run: the project's writer works, and removes what the killed one left.
    const reread = StackConfigFile.read(file);
    writeFileAtomic(file, reread.toString());
    expect(tempFiles(root)).toEqual([]);
  }
  return tally;
}

describe("killing the project's writers mid-write (SIGKILL, 16 MiB payloads)", () => {
  const tallies: Record<string, Tally> = {};

  it("stack config (StackConfigFile.save): always the old or a complete new file; leftovers cleaned by the next write", async () => {
    const tally = await killRepeatedly("stack-config", (root) => {
      fs.writeFileSync(
        target("stack-config", root),
        "# a comment the writer keeps\nconfig:\n  aws:region: eu-west-1\n",
      );
    });
    tallies["stack-config"] = tally;
    expect(tally.torn).toBe(0);
    expect(tally.midWrite).toBe(MID_WRITE_KILLS);
    expect(fs.readFileSync(target("stack-config", roots[roots.length - 1]), "utf8")).toContain(
      "# a comment the writer keeps",
    );
  }, 240_000);

  it("ZenML stack document (writeZenmlYaml): always the old or a complete new file; leftovers cleaned", async () => {
    const tally = await killRepeatedly("zenml-yaml", (root) => {
      fs.writeFileSync(target("zenml-yaml", root), "version: 1\npulumi_stack: faults\n");
    });
    tallies["zenml-yaml"] = tally;
    expect(tally.torn).toBe(0);
    expect(tally.midWrite).toBe(MID_WRITE_KILLS);
  }, 240_000);

  it("control: the same kill tears a file written in place with fs.writeFileSync", async () => {
    const root = project();
    const file = target("naive", root);
    fs.writeFileSync(file, "config: {}\n");
    let torn = 0;
    let kills = 0;
    while (torn === 0 && kills < 20) {
      const old = sha(file);
      const payloads = await killWriter("naive", root, 50 + Math.floor(Math.random() * 400));
      kills += 1;
      const now = sha(file);
      if (now !== old && !payloads.includes(now)) torn += 1;
    }
    tallies.naive = { kills, midWrite: torn, complete: { old: 0, new: 0 }, torn };
    expect(torn).toBe(1);
  }, 240_000);

  afterAll(() => {
    // One line for the report: how many faults were injected and where they landed.
    process.stdout.write(`faults.atomicWrite tallies: ${JSON.stringify(tallies)}\n`);
  });
});
