/**
 * The REAL bin, spawned as a user would run it on a fresh clone: `plan --offline`
 * with an environment holding no cloud credentials, no Pulumi CLI on PATH, no
 * passphrase; and `provision` when the Pulumi CLI can neither be found nor be
 * downloaded (no internet here), which must fail fast with one line. Nothing
 * is mocked in these tests except what plan itself mocks (Pulumi's mock runtime).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";

const REPO = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "zenml-remote-storage");
const PASSPHRASE = "tier-test-passphrase";
const leaks = new LeakCheck()
  .secret("Pulumi passphrase", PASSPHRASE)
  .dir(path.join(REPO, "stacks"));

/** A bare environment: node only, an empty HOME, nothing about AWS, Pulumi or ZenML. */
function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-home-"));
  leaks.dir(home);
  return {
    PATH: path.dirname(process.execPath),
    HOME: home,
    ZENML_REMOTE_STORAGE_FROM_SOURCE: "1",
    ...extra,
  };
}

function run(args: string[], env: Record<string, string>, timeout = 120_000) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env,
    encoding: "utf8",
    timeout,
  });
  leaks
    .text(`${args.join(" ")} (stdout)`, r.stdout ?? "")
    .text(`${args.join(" ")} (stderr)`, r.stderr ?? "");
  return { ...r, ms: Date.now() - started };
}

function digest(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string): void => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex");
}

describe("plan --offline (spawned CLI, bare environment)", () => {
  it("prints what the aws example would create and the access report, and writes nothing", () => {
    const before = digest(path.join(REPO, "stacks"));
    const hadState = fs.existsSync(path.join(REPO, ".pulumi-state"));
    const r = run(["plan", "--offline", "--stack", "aws-dev"], bareEnv());
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Store s3-store — backend aws, ZenML stack s3-store");
    expect(r.stdout).toMatch(
      /\+ aws:s3\/bucketPublicAccessBlock:BucketPublicAccessBlock {2}s3-store-public-access-block/,
    );
    expect(r.stdout).toContain("Access report — who may do what, on which resource");
    expect(r.stdout).toMatch(
      /IAM user zenml-s3-store-[0-9a-f]{8} \[User s3-store-user\]\n {4}Allow s3:ListBucket, s3:GetBucketVersioning, s3:ListBucketVersions/,
    );
    expect(r.stdout).toContain(
      "none: no wildcard actions or resources, no public access, no broad roles",
    );
    expect(r.stdout).toContain("Nothing was created.");
    expect(digest(path.join(REPO, "stacks"))).toBe(before);
    expect(fs.existsSync(path.join(REPO, ".pulumi-state"))).toBe(hadState);
    console.log(`plan --offline took ${r.ms} ms`);
  });

  it("--json gives the same plan as data; flags apply in memory only", () => {
    const r = run(
      ["plan", "--offline", "--stack", "aws-dev", "--credentials", "iam-role", "--json"],
      bareEnv(),
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    const grants = out.result.access.grants as {
      kind: string;
      principal: string;
      actions: string[];
    }[];
    expect(grants.filter((g) => g.kind === "trust policy")).toHaveLength(1);
    expect(grants.filter((g) => g.principal.startsWith("IAM user")).map((g) => g.actions)).toEqual([
      ["sts:AssumeRole"],
    ]);
    expect(out.result.notes).toContain("flags applied in memory only: --credentials");
  });

  it("a config error is one line and exit 2", () => {
    const r = run(
      ["plan", "--offline", "--stack", "aws-dev", "--bucket-name", "Not_Valid"],
      bareEnv(),
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      'error: --bucket-name: "Not_Valid" may contain only lower-case letters, digits, dots and hyphens',
    ]);
  });
});

describe("provision without a Pulumi CLI and without internet (spawned CLI)", () => {
  it("fails fast with one line saying what to do, having written nothing", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-empty-pulumi-root-"));
    leaks.dir(root);
    const before = digest(path.join(REPO, "stacks"));
    const hadState = fs.existsSync(path.join(REPO, ".pulumi-state"));
    const r = run(
      [
        "provision",
        "--stack",
        "aws-dev",
        "--yes",
        "--pulumi-root",
        root,
        "--pulumi-install-timeout",
        "60",
      ],
      bareEnv({ PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }),
      90_000,
    );
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^error: the Pulumi CLI was not found in ${root} and Pulumi \\S+ could not be installed into ${root}: .+ Install it \\(https://www.pulumi.com/docs/install/\\)`,
      ),
    );
    expect(r.ms).toBeLessThan(60_000);
    expect(digest(path.join(REPO, "stacks"))).toBe(before);
    expect(fs.existsSync(path.join(REPO, ".pulumi-state"))).toBe(hadState);
    console.log(`failed in ${r.ms} ms: ${lines[lines.length - 1]}`);
  });
});

describe("leak check", () => {
  it("the passphrase appears in no output of the spawned CLI and no file it could write", () => {
    expectNoLeaks(leaks, { texts: 8 });
  });
});
