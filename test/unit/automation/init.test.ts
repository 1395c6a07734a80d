// init against a temporary project directory and HOME: real files, nothing faked but the Io.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { init } from "../../../src/automation/commands/init";
import { UsageError } from "../../../src/automation/errors";
import { fakes, snapshot } from "./support/fakes";

const FLAGS = {
  storeName: "s3-store",
  backend: "aws",
  credentials: "access-key",
  region: "eu-west-1",
} as const;

function setup(env: Record<string, string> = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-init-home-"));
  const f = fakes({ env: { HOME: home, ...env } });
  return {
    f,
    home,
    passphrase: path.join(home, ".pulumi", "zenml-remote-storage", "dev.passphrase"),
  };
}

describe("init", () => {
  it("writes the stack config from the flags and a random 0600 passphrase file it never shows", async () => {
    const { f, passphrase } = setup();
    const outcome = await init({ stack: "dev", ...FLAGS }, f.deps);
    const config = parse(fs.readFileSync(path.join(f.root, "stacks", "Pulumi.dev.yaml"), "utf8"));
    expect(config).toEqual({
      config: {
        "zenml-remote-storage:stores": [
          { name: "s3-store", backend: "aws", credentials: "access-key", region: "eu-west-1" },
        ],
      },
    });
    expect(fs.statSync(passphrase).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(passphrase)).mode & 0o777).toBe(0o700);
    const value = fs.readFileSync(passphrase, "utf8").trim();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(outcome.text).not.toContain(value);
    expect(JSON.stringify(outcome.data)).not.toContain(value);
    expect(f.io.stderr.join("\n")).not.toContain(value);
    expect(outcome.data).toEqual({
      stack: "dev",
      configFile: "stacks/Pulumi.dev.yaml",
      passphraseFile: passphrase,
      passphraseCreated: true,
    });
    expect(outcome.text).toContain(`export PULUMI_CONFIG_PASSPHRASE_FILE=${passphrase}`);

    const other = setup();
    await init({ stack: "dev", ...FLAGS }, other.f.deps);
    expect(fs.readFileSync(other.passphrase, "utf8").trim()).not.toBe(value);
  });

  it("refuses an existing stack config and bad flags, writing nothing", async () => {
    const { f, home } = setup();
    const before = snapshot(f.root);
    await expect(init({ stack: "aws-dev", ...FLAGS }, f.deps)).rejects.toThrow(
      new UsageError(
        "--stack",
        "stacks/Pulumi.aws-dev.yaml already exists; edit it, or change it with provision's store flags",
      ),
    );
    await expect(init({ stack: "dev", ...FLAGS, bucketName: "Bad_Name" }, f.deps)).rejects.toThrow(
      /^--bucket-name: /,
    );
    await expect(init({ stack: "dev" }, f.deps)).rejects.toThrow(/^--backend: is required/);
    expect(snapshot(f.root)).toEqual(before);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it("keeps an existing passphrase file, and refuses one others can read", async () => {
    const { f, home } = setup();
    const file = path.join(home, "pass");
    fs.writeFileSync(file, "mine\n", { mode: 0o600 });
    const outcome = await init({ stack: "dev", ...FLAGS, passphraseFile: file }, f.deps);
    expect(outcome.data.passphraseCreated).toBe(false);
    expect(fs.readFileSync(file, "utf8")).toBe("mine\n");

    const second = setup();
    const open = path.join(second.home, "pass");
    fs.writeFileSync(open, "mine\n");
    fs.chmodSync(open, 0o644);
    await expect(
      init({ stack: "dev", ...FLAGS, passphraseFile: open }, second.f.deps),
    ).rejects.toThrow(
      new UsageError("--passphrase-file", `${open} can be read by others (mode 644); chmod 600 it`),
    );
    expect(fs.existsSync(path.join(second.f.root, "stacks", "Pulumi.dev.yaml"))).toBe(false);
  });

  it("creates no file when PULUMI_CONFIG_PASSPHRASE is set", async () => {
    const { f, home } = setup({ PULUMI_CONFIG_PASSPHRASE: "given" });
    const outcome = await init({ stack: "dev", ...FLAGS }, f.deps);
    expect(outcome.data.passphraseFile).toBeUndefined();
    expect(fs.readdirSync(home)).toEqual([]);
  });
});
