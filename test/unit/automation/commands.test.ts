// outputs, preview, register and verify against a FAKE Pulumi workspace, FAKE ZenML
// server and FAKE storage verifier (real stack config / ZenML YAML files).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { outputs, presentOutputs } from "../../../src/automation/commands/outputs";
import { preview } from "../../../src/automation/commands/preview";
import { provision } from "../../../src/automation/commands/provision";
import { register } from "../../../src/automation/commands/register";
import { verify } from "../../../src/automation/commands/verify";
import { UsageError } from "../../../src/automation/errors";
import type { StoreDocuments } from "../../../src/zenml/documents";
import { fakes } from "./support/fakes";

async function provisioned(env?: Record<string, string>) {
  const f = fakes(env ? { env } : {});
  await provision({ stack: "aws-dev", yes: true, verify: false }, f.deps);
  f.workspace.calls.length = 0;
  return f;
}

describe("outputs (fake workspace)", () => {
  it("masks every secret leaf unless --show-secrets", async () => {
    const f = await provisioned();
    const masked = await outputs({ stack: "aws-dev" }, f.deps);
    expect(masked.data.outputs.credentials).toEqual({
      "s3-store": { aws_access_key_id: "[secret]", aws_secret_access_key: "[secret]" },
    });
    expect(masked.data.secret).toEqual(["credentials"]);
    expect(masked.text).not.toContain("fake-secret-value");
    expect(masked.text).toContain("pass --show-secrets");
    expect((masked.data.outputs.stores as Record<string, { path: string }>)["s3-store"].path).toBe(
      "s3://zenml-s3-store-abc",
    );
    const shown = await outputs({ stack: "aws-dev", showSecrets: true }, f.deps);
    expect(JSON.stringify(shown.data)).toContain("fake-secret-value-never-printed");
  });

  it.each([
    [{ a: { value: "x", secret: true } }, false, { a: "[secret]" }],
    [
      { a: { value: ["x", { y: 1 }], secret: true } },
      false,
      { a: ["[secret]", { y: "[secret]" }] },
    ],
    [{ a: { value: { y: 1 }, secret: false } }, false, { a: { y: 1 } }],
    [{ a: { value: "x", secret: true } }, true, { a: "x" }],
  ])("presentOutputs(%j, show=%s)", (input, show, expected) => {
    expect(presentOutputs(input, show).values).toEqual(expected);
  });
});

describe("preview (fake workspace)", () => {
  it("selects the existing stack and previews; refuses store flags", async () => {
    const f = await provisioned();
    const outcome = await preview({ stack: "aws-dev" }, f.deps);
    expect(f.workspace.calls).toEqual(["open", "select aws-dev", "preview"]);
    expect(outcome.text).toBe("Preview of stack aws-dev: 3 to create.");
    await expect(preview({ stack: "aws-dev", bucketName: "x" }, f.deps)).rejects.toThrow(
      /^--bucket-name: store flags apply to provision/,
    );
  });
});

describe("register (fake workspace, fake ZenML)", () => {
  it("applies stacks/<stack>.zenml.yaml with the credentials decrypted from the stack config", async () => {
    const f = await provisioned({ PULUMI_CONFIG_PASSPHRASE: "p", ZENML_STORE_USERNAME: "default" });
    const outcome = await register({ stack: "aws-dev", server: "http://teammate.test" }, f.deps);
    expect(outcome.exitCode).toBe(0);
    const docs = f.zenml.registered.get("http://teammate.test")!.get("s3-store")! as StoreDocuments;
    expect(docs.connector.secrets.aws_secret_access_key).toBe("fake-secret-value-never-printed");
    expect(docs.artifactStore.configuration).toEqual({ path: "s3://zenml-s3-store-abc" });
    expect(docs.stack.components).toEqual({ artifact_store: "s3-store", orchestrator: "default" });
    expect(f.zenml.settings[0]).toEqual({
      url: "http://teammate.test",
      username: "default",
      password: "",
    });
    expect(outcome.text).not.toContain("fake-secret");
    // Recorded, so destroy knows to deregister there.
    const text = fs.readFileSync(path.join(f.root, "stacks", "Pulumi.aws-dev.yaml"), "utf8");
    expect(text).toMatch(/registeredIn:\n\s+- http:\/\/teammate.test/);
    // Again: same objects, nothing new.
    await register({ stack: "aws-dev", server: "http://teammate.test" }, f.deps);
    expect(f.zenml.registered.get("http://teammate.test")!.size).toBe(1);
  });

  it("needs a server and a recorded document", async () => {
    const f = await provisioned();
    await expect(register({ stack: "aws-dev" }, f.deps)).rejects.toThrow(
      new UsageError(
        "--server",
        "is required: the stack config names no ZenML server (zenml.serverUrl)",
      ),
    );
    await expect(register({ stack: "aws-dev", server: "ftp://x" }, f.deps)).rejects.toThrow(
      "--server: must be an http:// or https:// URL",
    );
    await expect(register({ stack: "aws-dev", server: "https://u:p@x" }, f.deps)).rejects.toThrow(
      /^--server: must not hold credentials/,
    );
    fs.rmSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"));
    await expect(register({ stack: "aws-dev", server: "http://x.test" }, f.deps)).rejects.toThrow(
      "--stack: stacks/aws-dev.zenml.yaml does not exist; run provision first",
    );
  });
});

describe("verify (fake workspace, fake storage, fake ZenML)", () => {
  it("probes with the minted credentials, retrying with backoff while IAM propagates", async () => {
    const f = await provisioned();
    f.storage.failures = 3;
    const outcome = await verify(
      { stack: "aws-dev", endpointUrl: "http://127.0.0.1:5000" },
      f.deps,
    );
    expect(outcome.exitCode).toBe(0);
    expect(f.storage.probes).toHaveLength(4);
    expect(f.storage.probes[0].endpointUrl).toBe("http://127.0.0.1:5000");
    expect(outcome.data.checks[0].storage).toMatchObject({ status: "passed", attempts: 4 });
    // 1 s, 2 s, 4 s between attempts.
    expect(f.clock - 1_000_000).toBe(7000);
    expect(f.io.stderr.filter((l) => l.includes("retrying"))).toHaveLength(3);
  });

  it("gives up at the time bound with the reason, exit 3", async () => {
    const f = await provisioned();
    f.storage.failures = Infinity;
    const outcome = await verify({ stack: "aws-dev", verifyTimeout: 20 }, f.deps);
    expect(outcome.exitCode).toBe(3);
    expect(outcome.text).toMatch(
      /storage: failed — write: AccessDenied: not yet \(after 6 attempts\)/,
    );
    expect(f.clock - 1_000_000).toBe(20_000);
  });

  it("asks the ZenML server to verify the connector where register applied it", async () => {
    const f = await provisioned();
    await register({ stack: "aws-dev", server: "http://zenml.test" }, f.deps);
    f.zenml.calls.length = 0;
    const ok = await verify({ stack: "aws-dev" }, f.deps);
    expect(ok.data.checks[0].zenml).toMatchObject({
      server: "http://zenml.test",
      status: "passed",
    });
    f.zenml.verifyError = "AccessDenied on s3-bucket";
    const bad = await verify({ stack: "aws-dev", verifyTimeout: 0 }, f.deps);
    expect(bad.exitCode).toBe(3);
    expect(bad.data.checks[0].zenml?.detail).toBe(
      "connector s3-store-connector: AccessDenied on s3-bucket",
    );
    const storageOnly = await verify({ stack: "aws-dev", zenml: false }, f.deps);
    expect(storageOnly.data.checks[0].zenml).toBeUndefined();
  });

  it("needs a recorded registration", async () => {
    const f = fakes();
    await expect(verify({ stack: "aws-dev" }, f.deps)).rejects.toThrow(
      /has no recorded registration/,
    );
    await expect(verify({ stack: "aws-dev", verifyTimeout: -1 }, f.deps)).rejects.toThrow(
      /^--verify-timeout:/,
    );
  });

  it("reports a backend without a verifier as skipped, never as passed", async () => {
    const f = await provisioned();
    const deps = { ...f.deps, verifierFor: async () => undefined };
    const outcome = await verify({ stack: "aws-dev" }, deps);
    expect(outcome.data.checks[0].storage).toEqual({
      status: "skipped",
      detail: "no storage verifier for backend aws yet",
    });
  });
});
