import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkSecretsProvider,
  resolveBackend,
  resolvePulumiEnvironment,
} from "../../../src/automation/environment";

const ROOT = "/proj";

describe("state backend", () => {
  it("defaults to a file backend under the project; PULUMI_BACKEND_URL overrides", () => {
    expect(resolveBackend(ROOT, {})).toEqual({
      backendUrl: "file:///proj/.pulumi-state",
      localStateDir: "/proj/.pulumi-state",
    });
    expect(resolveBackend(ROOT, { PULUMI_BACKEND_URL: "s3://state" })).toEqual({
      backendUrl: "s3://state",
    });
  });
});

describe("secrets provider", () => {
  it.each([
    "passphrase",
    "awskms://alias/x?region=eu-west-1",
    "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
    "azurekeyvault://v.vault.azure.net/keys/k",
    "hashivault://k",
  ])("accepts %s", (v) => expect(checkSecretsProvider(v, "file:///x")).toBe(v));
  it.each([
    ["aws-kms", '--secrets-provider: "aws-kms" must be passphrase or a KMS URL'],
    ["default", '--secrets-provider: "default" is Pulumi Cloud'],
  ])("refuses %s", (v, message) =>
    expect(() => checkSecretsProvider(v, "file:///x")).toThrow(message),
  );
  it("allows default with a Pulumi Cloud backend", () => {
    expect(checkSecretsProvider("default", "https://api.pulumi.com")).toBe("default");
  });
});

describe("resolvePulumiEnvironment", () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zrs-pp-")), "pp");

  it("needs a passphrase for the passphrase provider, never reading it into a flag", () => {
    expect(() => resolvePulumiEnvironment({ projectRoot: ROOT, env: {} })).toThrow(
      /^PULUMI_CONFIG_PASSPHRASE: is not set/,
    );
    expect(() =>
      resolvePulumiEnvironment({ projectRoot: ROOT, env: { PULUMI_CONFIG_PASSPHRASE: "" } }),
    ).toThrow(/is empty/);
    expect(() =>
      resolvePulumiEnvironment({
        projectRoot: ROOT,
        env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/nope" },
      }),
    ).toThrow("PULUMI_CONFIG_PASSPHRASE_FILE: cannot read /nope: ENOENT");
    fs.writeFileSync(file, "  \n");
    expect(() =>
      resolvePulumiEnvironment({ projectRoot: ROOT, env: { PULUMI_CONFIG_PASSPHRASE_FILE: file } }),
    ).toThrow(/is empty/);
    fs.writeFileSync(file, "secret\n");
    const env = resolvePulumiEnvironment({
      projectRoot: ROOT,
      env: { PULUMI_CONFIG_PASSPHRASE_FILE: file },
    });
    expect(env.secretsProvider).toBe("passphrase");
    expect(JSON.stringify(env)).not.toContain("secret\\n");
    expect(env.envVars).toEqual({
      PULUMI_BACKEND_URL: "file:///proj/.pulumi-state",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    });
  });

  it("needs no passphrase with a KMS, and keeps an existing stack's provider", () => {
    const kms = resolvePulumiEnvironment({
      projectRoot: ROOT,
      env: {},
      secretsProviderFlag: "awskms://alias/k",
    });
    expect(kms.secretsProvider).toBe("awskms://alias/k");
    const existing = resolvePulumiEnvironment({
      projectRoot: ROOT,
      env: {},
      recorded: { secretsProvider: "gcpkms://k", passphrase: false },
    });
    expect(existing.secretsProvider).toBeUndefined();
    expect(() =>
      resolvePulumiEnvironment({
        projectRoot: ROOT,
        env: { PULUMI_CONFIG_PASSPHRASE: "p" },
        secretsProviderFlag: "awskms://k",
        recorded: { passphrase: true },
      }),
    ).toThrow(
      "--secrets-provider: the stack already uses passphrase; change it with `pulumi stack change-secrets-provider` first",
    );
  });
});
