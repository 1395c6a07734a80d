/**
 * The atomic writer's housekeeping, in-process (the kill tests are in
 * test/tier/faults.atomicWrite.test.ts): temporary files of dead writers are
 * removed, a live writer's are not, and a failed rename leaves nothing behind.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeStaleTempFiles, writeFileAtomic } from "../../src/automation/atomicWrite";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-atomic-"));
  dirs.push(d);
  return d;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("writeFileAtomic and removeStaleTempFiles", () => {
  it("removes what dead writers of the same file left, keeps a live writer's and other files'", () => {
    const d = dir();
    const dead = deadPid();
    const stale = `.Pulumi.x.yaml.${dead}.0123abcd.tmp`;
    const live = `.Pulumi.x.yaml.${process.pid}.0123abcd.tmp`;
    const other = `.Pulumi.y.yaml.${dead}.0123abcd.tmp`;
    for (const n of [stale, live, other]) fs.writeFileSync(path.join(d, n), "half");
    expect(removeStaleTempFiles(path.join(d, "Pulumi.x.yaml"))).toEqual([stale]);
    expect(fs.readdirSync(d).sort()).toEqual([live, other].sort());
  });

  it("a write after a killed writer succeeds and leaves only the target", () => {
    const d = dir();
    const file = path.join(d, "Pulumi.x.yaml");
    fs.writeFileSync(file, "config: {}\n");
    fs.writeFileSync(path.join(d, `.Pulumi.x.yaml.${deadPid()}.89abcdef.tmp`), "config:\n  half");
    writeFileAtomic(file, "config:\n  k: v\n");
    expect(fs.readdirSync(d)).toEqual(["Pulumi.x.yaml"]);
    expect(fs.readFileSync(file, "utf8")).toBe("config:\n  k: v\n");
  });

  it("a rename that fails leaves the old target and no temporary file", () => {
    const d = dir();
    const target = path.join(d, "target");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "inside"), "x");
    expect(() => writeFileAtomic(target, "text")).toThrow();
    expect(fs.readdirSync(d)).toEqual(["target"]);
    expect(fs.readdirSync(target)).toEqual(["inside"]);
  });
});
