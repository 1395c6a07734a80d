// Which code the REAL bin runs: the build when it is current, the sources when
// there is no build, when a source is newer than the build, or when asked to.
// A stand-in project around the real bin script: dist/ and src/ print which ran.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "zenml-remote-storage");

let root: string;

function write(rel: string, text: string, mtime: Date): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.utimesSync(file, mtime, mtime);
}

function ran(env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [path.join(root, "bin", "zenml-remote-storage")], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

const OLD = new Date("2026-01-01T00:00:00Z");
const NEW = new Date("2026-02-01T00:00:00Z");

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-bin-"));
  fs.mkdirSync(path.join(root, "bin"));
  fs.copyFileSync(BIN, path.join(root, "bin", "zenml-remote-storage"));
  // The stand-in loader lets require() take the stand-in .ts file as JavaScript.
  write(
    "src/sourceLoader.js",
    `exports.registerTypeScript = () => { require.extensions[".ts"] = require.extensions[".js"]; };`,
    OLD,
  );
  write("src/cli/index.ts", `exports.run = () => process.stdout.write("source");`, OLD);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("npm ci", () => {
  it("compiles the CLI: package.json's prepare script runs the build into dist/", () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8"),
    ) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe("npm run build");
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
  });
});

describe("bin/zenml-remote-storage", () => {
  it("runs the sources when there is no build (a fresh clone before npm ci)", () => {
    expect(ran()).toBe("source");
  });

  it("runs the build when no source is newer than it", () => {
    write("dist/cli/index.js", `exports.run = () => process.stdout.write("built");`, NEW);
    expect(ran()).toBe("built");
  });

  it("runs the sources when a source file was edited after the build", () => {
    write("dist/cli/index.js", `exports.run = () => process.stdout.write("built");`, NEW);
    write("src/config/edited.ts", "", new Date("2026-03-01T00:00:00Z"));
    expect(ran()).toBe("source");
  });

  it("runs the sources when ZENML_REMOTE_STORAGE_FROM_SOURCE=1", () => {
    write("dist/cli/index.js", `exports.run = () => process.stdout.write("built");`, NEW);
    expect(ran({ ZENML_REMOTE_STORAGE_FROM_SOURCE: "1" })).toBe("source");
  });

  it("runs the build when only dist/ is installed (no src/)", () => {
    write("dist/cli/index.js", `exports.run = () => process.stdout.write("built");`, NEW);
    fs.rmSync(path.join(root, "src"), { recursive: true });
    expect(ran()).toBe("built");
  });
});
