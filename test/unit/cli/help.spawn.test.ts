// `--help` of the REAL bin, spawned, and that it loads no Pulumi SDK (command
// handlers and the SDK are imported lazily). Its speed is measured by `npm run bench`.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const REPO = path.resolve(__dirname, "..", "..", "..");
const BIN = path.join(REPO, "bin", "zenml-remote-storage");

describe("zenml-remote-storage --help (spawned)", () => {
  it("answers from source, through the transpile cache", () => {
    const r = spawnSync(process.execPath, [BIN, "--help"], {
      env: { ...process.env, ZENML_REMOTE_STORAGE_FROM_SOURCE: "1" },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Exit codes:");
  });

  it("loads no @pulumi module, for the root and every command's help", () => {
    const script = `
      require(${JSON.stringify(path.join(REPO, "src", "sourceLoader.js"))}).registerTypeScript();
      const { main } = require(${JSON.stringify(path.join(REPO, "src", "cli", "index.ts"))});
      const io = { out: () => {}, err: () => {}, interactive: false, confirm: async () => false };
      (async () => {
        for (const argv of [["--help"], ...["plan","provision","preview","outputs","register","verify","destroy"].map((c) => [c, "--help"])]) {
          const code = await main(argv, { io });
          if (code !== 0) throw new Error("exit " + code + " for " + argv.join(" "));
        }
        const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]@pulumi[\\\\/]|@aws-sdk/.test(k));
        process.stdout.write(JSON.stringify(loaded));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
