// Bad or conflicting flags through the REAL yargs parser (main(), in process).
// Dependencies are FAKE (no Pulumi workspace is ever opened here); the project is
// a temporary copy, checked byte for byte afterwards: nothing may be written.
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli";
import { fakes, snapshot } from "../automation/support/fakes";

const PASS = { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };

const CASES: [string, string[], RegExp, Record<string, string>?][] = [
  [
    "no command",
    [],
    /^error: a command is required: init, plan, provision, preview, outputs, register, verify, rotate, destroy \(see --help\)$/,
  ],
  [
    "unknown command",
    ["frobnicate"],
    /^error: frobnicate: unknown command or argument; commands: init, plan, /,
  ],
  [
    "misspelt command",
    ["provison"],
    /^error: provison: unknown command; did you mean provision\?$/,
  ],
  [
    "unknown flag",
    ["outputs", "--stack", "aws-dev", "--bogus"],
    /^error: --bogus: unknown option$/,
  ],
  [
    "misspelt flag",
    ["plan", "--offline", "--stack", "aws-dev", "--bucket-nme", "x", "--regin", "y"],
    /^error: --bucket-nme: unknown option; did you mean --bucket-name\? \(also unknown: regin\)$/,
  ],
  ["missing --stack", ["provision", "--yes"], /^error: --stack: is required$/],
  [
    "bad stack name",
    ["provision", "--stack", "org/aws-dev", "--yes"],
    /^error: --stack: "org\/aws-dev" must be 1-100 letters/,
  ],
  [
    "unknown backend",
    ["provision", "--stack", "dev", "--yes", "--store-name", "s3-x", "--backend", "oracle"],
    /^error: --backend: "oracle" must be one of aws, gcp, azure, s3-compatible$/,
  ],
  [
    "backend near a choice",
    ["provision", "--stack", "dev", "--yes", "--store-name", "s3-x", "--backend", "awss"],
    /^error: --backend: "awss" must be one of aws, gcp, azure, s3-compatible; did you mean aws\?$/,
  ],
  [
    "bad bucket name",
    ["provision", "--stack", "aws-dev", "--yes", "--bucket-name", "My_Bucket"],
    /^error: --bucket-name: "My_Bucket" may contain only lower-case letters/,
  ],
  [
    "credential mode of another backend",
    ["provision", "--stack", "aws-dev", "--yes", "--credentials", "sas"],
    /^error: --credentials: unknown credential mode for backend aws "sas"/,
  ],
  [
    "--adopt-bucket without --bucket-name",
    [
      "provision",
      "--stack",
      "dev",
      "--yes",
      "--store-name",
      "s3-x",
      "--backend",
      "aws",
      "--region",
      "eu-west-1",
      "--adopt-bucket",
    ],
    /^error: --bucket-name: is required when adopt is true$/,
  ],
  [
    "--adopt-bucket with --versioning",
    [
      "provision",
      "--stack",
      "dev",
      "--yes",
      "--store-name",
      "s3-x",
      "--backend",
      "aws",
      "--region",
      "eu-west-1",
      "--adopt-bucket",
      "--bucket-name",
      "b-1",
      "--versioning",
    ],
    /^error: --versioning: only applies to a bucket this project creates/,
  ],
  [
    "--adopt-bucket with --force-destroy",
    [
      "provision",
      "--stack",
      "dev",
      "--yes",
      "--store-name",
      "s3-x",
      "--backend",
      "aws",
      "--region",
      "eu-west-1",
      "--adopt-bucket",
      "--bucket-name",
      "b-1",
      "--force-destroy",
    ],
    /^error: --force-destroy: only applies to a bucket this project creates/,
  ],
  [
    "new aws store without a region",
    ["provision", "--stack", "dev", "--yes", "--store-name", "s3-x", "--backend", "aws"],
    /^error: --region: is required when aws:region is not set$/,
  ],
  [
    "bad region",
    ["provision", "--stack", "aws-dev", "--yes", "--region", "Mars-1"],
    /^error: --region: "Mars-1" is not an AWS region name/,
  ],
  [
    "KMS alias instead of a key",
    ["provision", "--stack", "aws-dev", "--yes", "--encryption-key", "alias/zenml"],
    /^error: --encryption-key: must be a KMS key ARN/,
  ],
  [
    "tag without a value",
    ["provision", "--stack", "aws-dev", "--yes", "--tag", "team"],
    /^error: --tag: expected KEY=VALUE, got "team"$/,
  ],
  [
    "reserved tag",
    ["provision", "--stack", "aws-dev", "--yes", "--tag", "aws:team=x"],
    /^error: --tag: AWS tag keys must not start with "aws:"$/,
  ],
  [
    "credentials in the ZenML URL",
    ["provision", "--stack", "aws-dev", "--yes", "--zenml-server", "https://u:p@zenml.test"],
    /^error: --zenml-server: must not hold credentials/,
  ],
  [
    "unknown store option",
    ["provision", "--stack", "aws-dev", "--yes", "--store-option", "colour=blue"],
    /^error: --store-option colour: unknown key; allowed:/,
  ],
  [
    "bad store name",
    [
      "provision",
      "--stack",
      "dev",
      "--yes",
      "--store-name",
      "S3",
      "--backend",
      "aws",
      "--region",
      "eu-west-1",
    ],
    /^error: --store-name: "S3" must be 3-40 characters/,
  ],
  [
    "changing a store's backend",
    ["provision", "--stack", "aws-dev", "--yes", "--backend", "gcp"],
    /^error: --backend: store "s3-store" already uses backend aws/,
  ],
  [
    "no --yes without a terminal",
    ["provision", "--stack", "aws-dev"],
    /^error: --yes: is required when not running on a terminal/,
  ],
  [
    "unknown secrets provider",
    ["provision", "--stack", "aws-dev", "--yes", "--secrets-provider", "vault"],
    /^error: --secrets-provider: "vault" must be passphrase or a KMS URL/,
  ],
  [
    "no passphrase",
    ["provision", "--stack", "aws-dev", "--yes"],
    /^error: PULUMI_CONFIG_PASSPHRASE: is not set/,
    {},
  ],
  [
    "verify timeout not a number",
    ["provision", "--stack", "aws-dev", "--yes", "--verify-timeout", "soon"],
    /^error: --verify-timeout: must be a number of seconds/,
  ],
  ["plan without --offline", ["plan", "--stack", "aws-dev"], /^error: --offline: is required/],
  ["plan without a config", ["plan", "--offline"], /^error: --stack: or --config is required/],
  [
    "plan with --stack and --config",
    ["plan", "--offline", "--stack", "aws-dev", "--config", "x.yaml"],
    /^error: --config: conflicts with --stack/,
  ],
  [
    "plan with a missing file",
    ["plan", "--offline", "--config", "/nonexistent/Pulumi.x.yaml"],
    /^error: --config: \/nonexistent\/Pulumi.x.yaml does not exist/,
  ],
  [
    "plan of a stack without config",
    ["plan", "--offline", "--stack", "nope"],
    /^error: --stack: stacks\/Pulumi.nope.yaml does not exist/,
  ],
  [
    "store flags on preview",
    ["preview", "--stack", "aws-dev", "--bucket-name", "x-y-z"],
    /^error: --bucket-name: store flags apply to provision/,
  ],
  [
    "--server with --no-zenml",
    ["destroy", "--stack", "aws-dev", "--yes", "--no-zenml", "--server", "http://z.test"],
    /^error: --server: conflicts with --no-zenml$/,
  ],
  [
    "register to a non-http server",
    ["register", "--stack", "aws-dev", "--server", "ftp://z.test"],
    /^error: --server: must be an http:\/\/ or https:\/\/ URL$/,
  ],
  [
    "register without a server",
    ["register", "--stack", "aws-dev"],
    /^error: --server: is required/,
  ],
  [
    "verify before provision",
    ["verify", "--stack", "aws-dev"],
    /^error: --stack: stack aws-dev has no recorded registration/,
  ],
];

describe("bad or conflicting flags: one line, exit 2, nothing written", () => {
  it(`has at least 15 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)("%s", async (_, argv, line, env) => {
    const f = fakes({ env: env ?? PASS });
    const before = snapshot(f.root);
    const code = await main(argv, { io: f.io, deps: () => f.deps, env: env ?? PASS });
    expect(f.io.stderr).toHaveLength(1);
    expect(f.io.stderr[0]).toMatch(line);
    expect(f.io.stdout).toEqual([]);
    expect(code).toBe(2);
    expect(f.workspace.calls).toEqual([]);
    expect(snapshot(f.root)).toEqual(before);
  });

  it("--json adds a JSON error on stdout", async () => {
    const f = fakes({ env: PASS });
    const code = await main(["plan", "--stack", "aws-dev", "--json"], {
      io: f.io,
      deps: () => f.deps,
      env: PASS,
    });
    expect(code).toBe(2);
    expect(JSON.parse(f.io.stdout[0])).toEqual({
      ok: false,
      exitCode: 2,
      error:
        "--offline: is required: plan evaluates the program offline with placeholders; use preview to ask the cloud",
    });
  });
});
