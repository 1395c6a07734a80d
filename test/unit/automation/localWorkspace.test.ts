/**
 * The real workspace's contract with the Pulumi CLI, checked against a
 * recording stand-in `pulumi` executable (a Node script in `<root>/bin`, the
 * layout `--pulumi-root` takes): every call's arguments and, for secret
 * config, its stdin are logged. Real: openLocalWorkspace, the SDK's
 * LocalWorkspace and PulumiCommand, child processes. Stand-in: the CLI itself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalWorkspace } from "../../../src/automation/localWorkspace";
import type { PulumiStack } from "../../../src/automation/workspace";

interface Call {
  readonly args: string[];
  readonly stdin: string | null;
}

const SECRET = "zenkey-secret-value-7f3a9c";
let root: string;
let log: string;
let stack: PulumiStack;

/** A `pulumi` that answers `version`, reads stdin only where a secret is expected there, and logs every call. */
function writeStandIn(dir: string, logFile: string): void {
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const script = `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
if (args[0] === "version") { process.stdout.write("v3.270.0\\n"); process.exit(0); }
const secretOnStdin = args[0] === "config" && args[1] === "set" && args.includes("--secret") && !args.includes("--");
const stdin = secretOnStdin ? fs.readFileSync(0, "utf8") : null;
fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ args, stdin }) + "\\n");
`;
  fs.writeFileSync(path.join(bin, "pulumi"), script, { mode: 0o755 });
}

function calls(): Call[] {
  return fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Call);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-localws-"));
  log = path.join(root, "calls.jsonl");
  fs.writeFileSync(log, "");
  writeStandIn(root, log);
  const projectRoot = path.join(root, "project");
  fs.mkdirSync(projectRoot);
  fs.writeFileSync(
    path.join(projectRoot, "Pulumi.yaml"),
    "name: zenml-remote-storage\nruntime: nodejs\n",
  );
  const workspace = await openLocalWorkspace({
    projectRoot,
    environment: { backendUrl: `file://${root}/state`, envVars: {} },
    cli: { root },
    log: () => undefined,
  });
  stack = await workspace.createOrSelectStack("dev");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("openLocalWorkspace against a recording pulumi", () => {
  it("sets a secret with --secret and --path, the value on stdin only", async () => {
    fs.writeFileSync(log, "");
    await stack.setConfig(
      "zenml-remote-storage:secrets.s3.secretAccessKey",
      { value: SECRET, secret: true },
      { path: true },
    );
    const [call] = calls();
    expect(call.args).toEqual([
      "config",
      "set",
      "--path",
      "zenml-remote-storage:secrets.s3.secretAccessKey",
      "--secret",
      "--stack",
      "dev",
      "--non-interactive",
    ]);
    expect(call.stdin).toBe(SECRET);
  });

  it("never puts a secret on any command line", async () => {
    fs.writeFileSync(log, "");
    await stack.setConfig("zenml-remote-storage:zenmlApiKey", { value: SECRET, secret: true });
    const recorded = calls();
    expect(recorded).toHaveLength(1);
    expect(recorded[0].args).not.toContain("--path");
    expect(recorded[0].args).toContain("--secret");
    expect(recorded[0].stdin).toBe(SECRET);
    for (const call of recorded) expect(call.args.join(" ")).not.toContain(SECRET);
  });

  it("sets a plain value as plain text through the SDK", async () => {
    fs.writeFileSync(log, "");
    await stack.setConfig("aws:region", { value: "eu-west-1", secret: false });
    const [call] = calls();
    expect(call.args).toContain("--plaintext");
    expect(call.args).not.toContain("--secret");
    expect(call.args.slice(-2)).toEqual(["--", "eu-west-1"]);
  });
});
