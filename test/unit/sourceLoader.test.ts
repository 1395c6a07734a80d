/**
 * src/sourceLoader.js, the program's and the CLI's way to run the TypeScript
 * sources without a build: each run is a fresh `node` process (as `pulumi up`
 * and the bin are) on a small two-file program; what is checked is its output
 * and whether that process had to load the TypeScript compiler.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LOADER = path.resolve(__dirname, "..", "..", "src", "sourceLoader.js");
let dir: string;
let cache: string;

/** Runs main.ts in a new process; returns what it printed and whether TypeScript was loaded. */
function run(cacheDir = cache): { out: string; compiled: boolean; status: number | null } {
  const script = `
    require(${JSON.stringify(LOADER)}).registerTypeScript();
    const { greeting } = require(${JSON.stringify(path.join(dir, "main.ts"))});
    const compiled = Object.keys(require.cache).some((k) => /[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/.test(k));
    process.stdout.write(JSON.stringify({ out: greeting(), compiled }));`;
  const r = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, ZENML_REMOTE_STORAGE_TS_CACHE: cacheDir },
  });
  expect(r.stderr).toBe("");
  return { ...(JSON.parse(r.stdout) as { out: string; compiled: boolean }), status: r.status };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-loader-"));
  cache = path.join(dir, "cache");
  fs.writeFileSync(
    path.join(dir, "main.ts"),
    'import { name } from "./name";\nexport function greeting(): string {\n  return `hello ${name}`;\n}\n',
  );
  fs.writeFileSync(path.join(dir, "name.ts"), 'export const name: string = "one";\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("registerTypeScript", () => {
  it("transpiles on the first run and caches the JavaScript", () => {
    expect(run()).toEqual({ out: "hello one", compiled: true, status: 0 });
    expect(fs.readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(2);
  });

  it("a second run with unchanged sources never loads TypeScript", () => {
    expect(run()).toEqual({ out: "hello one", compiled: false, status: 0 });
  });

  it("a changed source is transpiled again, and only that one is added", () => {
    fs.writeFileSync(path.join(dir, "name.ts"), 'export const name: string = "two";\n');
    expect(run()).toEqual({ out: "hello two", compiled: true, status: 0 });
    expect(fs.readdirSync(cache).filter((f) => f.endsWith(".js"))).toHaveLength(3);
    expect(fs.readdirSync(cache).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("runs where the cache cannot be written (a file where its directory would be)", () => {
    const blocked = path.join(dir, "not-a-dir");
    fs.writeFileSync(blocked, "x");
    expect(run(path.join(blocked, "cache"))).toEqual({
      out: "hello two",
      compiled: true,
      status: 0,
    });
    expect(run(path.join(blocked, "cache")).compiled).toBe(true);
  });
});
