/**
 * The README's quick start on the COMPILED CLI, as `npm ci` leaves it: the
 * project is built with `npm run build`'s compiler settings into a temporary
 * copy that has no src/ (so only dist/ can run), then the real bin runs `init`
 * and `plan --offline` there, with no Pulumi CLI, no cloud and no passphrase in
 * the environment. What is real: the compiler, the bin, the compiled CLI and
 * Pulumi's mock runtime that `plan --offline` uses; nothing else is reached.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = path.resolve(__dirname, "..", "..");
let root: string;
let home: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(root, "bin", "zenml-remote-storage"), ...args], {
    cwd: os.tmpdir(),
    env: { PATH: path.dirname(process.execPath), HOME: home, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-compiled-"));
  home = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-compiled-home-"));
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
  expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
  expect(tsc.status).toBe(0);
  fs.mkdirSync(path.join(root, "bin"));
  fs.copyFileSync(
    path.join(REPO, "bin", "zenml-remote-storage"),
    path.join(root, "bin", "zenml-remote-storage"),
  );
  for (const f of ["package.json", "Pulumi.yaml"]) {
    fs.copyFileSync(path.join(REPO, f), path.join(root, f));
  }
  fs.cpSync(path.join(REPO, "stacks"), path.join(root, "stacks"), {
    recursive: true,
    filter: (src) => !/\.zenml\.yaml$|Pulumi\.dev\.yaml$/.test(src),
  });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(root, "node_modules"), "dir");
}, 180_000);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(home, { recursive: true, force: true });
});

describe("the quick start on the compiled CLI (dist/ only)", () => {
  it("answers --help", () => {
    const r = cli(["--help"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Commands:");
  });

  it("runs init, then plans the stack it wrote and an example stack offline", () => {
    const passphraseFile = path.join(home, "zrs.passphrase");
    const env = { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile };
    const init = cli(
      [
        "init",
        "--stack",
        "dev",
        "--store-name",
        "s3-store",
        "--backend",
        "aws",
        "--region",
        "eu-west-1",
      ],
      env,
    );
    expect(init.stderr).toBe("");
    expect(init.status).toBe(0);
    expect(fs.existsSync(path.join(root, "stacks", "Pulumi.dev.yaml"))).toBe(true);
    expect(fs.statSync(passphraseFile).mode & 0o777).toBe(0o600);

    const plan = cli(["plan", "--offline", "--stack", "dev"], env);
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain("Store s3-store");
    expect(plan.stdout).toContain("aws:s3/bucket:Bucket");

    const example = cli(["plan", "--offline", "--stack", "gcp-dev", "--json"]);
    expect(example.status).toBe(0);
    expect(JSON.parse(example.stdout).result.stores).toHaveLength(1);
  });
});
