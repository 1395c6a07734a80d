// provision against a FAKE Pulumi workspace (no CLI, no engine), FAKE ZenML server
// and FAKE storage verifier; the stack config and ZenML YAML files are real files
// in a temporary project directory.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { provision } from "../../../src/automation/commands/provision";
import { CliError, UsageError } from "../../../src/automation/errors";
import type { StoreDocuments } from "../../../src/zenml/documents";
import { fakes, snapshot } from "./support/fakes";

const SECRET_KEYS = [
  "zenml-remote-storage:registration.s3-store.credentials.aws_access_key_id",
  "zenml-remote-storage:registration.s3-store.credentials.aws_secret_access_key",
];

function stackFile(root: string, stack = "aws-dev"): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
}

describe("provision (fake workspace)", () => {
  it("creates or selects the stack, previews, updates, records the registration, verifies", async () => {
    const f = fakes();
    const outcome = await provision({ stack: "aws-dev", yes: true }, f.deps);
    expect(outcome.exitCode).toBe(0);
    expect(f.workspace.calls).toEqual([
      "open",
      "createOrSelect aws-dev",
      "preview",
      "up",
      ...SECRET_KEYS.map((k) => `setConfig ${k} (secret) (path)`),
      ...SECRET_KEYS.map((k) => `getConfig ${k} (path)`),
    ]);
    // The workspace runs the project itself, with the embedded defaults.
    const request = f.workspace.requests[0];
    expect(request.projectRoot).toBe(f.root);
    expect(request.environment.backendUrl).toBe(`file://${path.join(f.root, ".pulumi-state")}`);
    expect(request.environment.secretsProvider).toBe("passphrase");
    // Plain registration facts in the stack config, credentials only as secure values.
    const config = stackFile(f.root);
    const reg = (
      config["zenml-remote-storage:registration"] as Record<string, Record<string, unknown>>
    )["s3-store"];
    expect(reg).toMatchObject({
      backend: "aws",
      path: "s3://zenml-s3-store-abc",
      auth: {
        kind: "connector",
        type: "aws",
        method: "secret-key",
        resourceType: "s3-bucket",
        resourceId: "s3://zenml-s3-store-abc",
        configuration: { region: "eu-west-1" },
      },
    });
    expect(JSON.stringify(config)).not.toContain("fake-secret-value");
    expect(f.workspace.secrets.get(SECRET_KEYS[1])).toBe("fake-secret-value-never-printed");
    // The ZenML document references the encrypted values, never holds them.
    const yaml = fs.readFileSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"), "utf8");
    expect(yaml).toContain(
      "from_stack_config: registration.s3-store.credentials.aws_secret_access_key",
    );
    expect(yaml).not.toContain("fake-secret-value");
    expect(fs.readdirSync(path.join(f.root, "stacks")).filter((n) => n.endsWith(".tmp"))).toEqual(
      [],
    );
    // Verified with the minted credentials.
    expect(f.storage.probes).toHaveLength(1);
    expect(f.storage.probes[0].credentials).toEqual({
      aws_access_key_id: "AKIAFAKEFAKEFAKE0001",
      aws_secret_access_key: "fake-secret-value-never-printed",
    });
    expect(outcome.text).not.toContain("fake-secret-value");
    expect(JSON.stringify(outcome.data)).not.toContain("fake-secret-value");
    expect(f.io.stderr.join("\n")).not.toContain("fake-secret-value");
  });

  it("reports progress: resource, done/total and elapsed time", async () => {
    const f = fakes();
    await provision({ stack: "aws-dev", yes: true, verify: false }, f.deps);
    expect(f.io.stderr).toContain("[1/3 0:00] creating aws:s3/bucket:Bucket s3-store-bucket");
    expect(f.io.stderr).toContain("[2/3 0:00] created aws:s3/bucket:Bucket s3-store-bucket");
  });

  it("is safe to re-run: same config, same document, no new ZenML objects", async () => {
    const f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "p" } });
    const args = {
      stack: "dev",
      yes: true,
      storeName: "s3-store",
      backend: "aws",
      region: "eu-west-1",
      zenmlServer: "http://zenml.test",
    };
    await provision(args, f.deps);
    const first = snapshot(path.join(f.root, "stacks"));
    f.workspace.upOp = "same";
    const again = await provision(args, f.deps);
    expect(again.exitCode).toBe(0);
    expect(snapshot(path.join(f.root, "stacks"))).toEqual(first);
    expect(f.zenml.registered.get("http://zenml.test")?.size).toBe(1);
    expect(again.data.configChanged).toBe(false);
  });

  it("audits an adopted bucket and warns of each deviation, without failing or changing it", async () => {
    const f = fakes();
    f.baseline.deviations = [
      {
        setting: "public access block",
        found: "off",
        expected: "all four on",
        risk: "the bucket can be made public",
      },
    ];
    const outcome = await provision(
      {
        stack: "dev",
        yes: true,
        verify: false,
        storeName: "s3-store",
        backend: "aws",
        region: "eu-west-1",
        bucketName: "team-artifacts",
        adoptBucket: true,
      },
      f.deps,
    );
    expect(outcome.exitCode).toBe(0);
    expect(f.baseline.audited).toEqual([
      {
        store: "s3-store",
        expected: expect.objectContaining({ adopt: true, name: "team-artifacts" }),
        endpointUrl: undefined,
      },
    ]);
    expect(f.io.stderr).toContain(
      "warning: adopted bucket of store s3-store: public access block: found off, expected all four on — the bucket can be made public (left unchanged)",
    );
    expect(outcome.data.adoptedBaseline?.[0].deviations).toHaveLength(1);
  });

  it("audits no bucket it created itself", async () => {
    const f = fakes();
    f.baseline.deviations = [{ setting: "s", found: "f", expected: "e", risk: "r" }];
    expect((await provision({ stack: "aws-dev", yes: true }, f.deps)).exitCode).toBe(0);
    expect(f.baseline.audited).toEqual([]);
    expect(f.io.stderr.join("\n")).not.toContain("adopted bucket");
  });

  it("writes the store flags into the stack config, typed, before previewing", async () => {
    const f = fakes();
    await provision(
      {
        stack: "dev",
        yes: true,
        verify: false,
        storeName: "s3-store",
        backend: "aws",
        region: "eu-west-1",
        credentials: "iam-role",
        versioning: true,
        tag: ["cost-center=123", "team=ml"],
      },
      f.deps,
    );
    expect(stackFile(f.root, "dev")["zenml-remote-storage:stores"]).toEqual([
      {
        name: "s3-store",
        backend: "aws",
        credentials: "iam-role",
        region: "eu-west-1",
        bucket: { versioning: true },
        tags: { "cost-center": "123", team: "ml" },
      },
    ]);
  });

  it("keeps the comments of an annotated stack config", async () => {
    const f = fakes();
    await provision(
      { stack: "aws-dev", yes: true, verify: false, credentials: "iam-role" },
      f.deps,
    );
    const text = fs.readFileSync(path.join(f.root, "stacks", "Pulumi.aws-dev.yaml"), "utf8");
    expect(text).toContain("# ZenML artifact store name; 3-40 of a-z 0-9 -");
    expect(text).toContain("credentials: iam-role");
  });

  it("validates everything before writing: a bad flag changes nothing", async () => {
    const f = fakes();
    const before = snapshot(f.root);
    await expect(
      provision({ stack: "aws-dev", yes: true, bucketName: "Bad_Name" }, f.deps),
    ).rejects.toThrow(
      new UsageError(
        "--bucket-name",
        '"Bad_Name" may contain only lower-case letters, digits, dots and hyphens',
      ),
    );
    expect(snapshot(f.root)).toEqual(before);
    expect(f.workspace.calls).toEqual([]);
  });

  it("refuses to run without a passphrase, before anything is written", async () => {
    const f = fakes({ env: {} });
    const before = snapshot(f.root);
    const err = await provision({ stack: "aws-dev", yes: true }, f.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^PULUMI_CONFIG_PASSPHRASE: is not set/);
    expect(snapshot(f.root)).toEqual(before);
    expect(f.workspace.calls).toEqual([]);
  });

  describe("first-run order: the Pulumi CLI, the passphrase, the config, then the confirmation", () => {
    // Everything wrong at once (no CLI, no passphrase, a bad flag, no --yes, no
    // terminal); each step fixed in turn shows the next. Nothing is written.
    const failure = async (fix: {
      cli?: boolean;
      passphrase?: boolean;
      config?: boolean;
    }): Promise<string> => {
      const f = fakes({ env: fix.passphrase ? { PULUMI_CONFIG_PASSPHRASE: "p" } : {} });
      f.pulumiCliMissing = !fix.cli;
      const before = snapshot(f.root);
      const err = await provision(
        { stack: "aws-dev", ...(fix.config ? {} : { bucketName: "Bad_Name" }) },
        f.deps,
      ).catch((e: unknown) => e);
      expect(snapshot(f.root)).toEqual(before);
      expect(f.workspace.calls).toEqual([]);
      return (err as Error).message;
    };

    it("1. the missing Pulumi CLI first", async () => {
      expect(await failure({})).toMatch(/^the Pulumi CLI was not found/);
    });
    it("2. then the passphrase", async () => {
      expect(await failure({ cli: true })).toMatch(/^PULUMI_CONFIG_PASSPHRASE: is not set/);
    });
    it("3. then the config", async () => {
      expect(await failure({ cli: true, passphrase: true })).toMatch(/^--bucket-name: /);
    });
    it("4. then the confirmation", async () => {
      expect(await failure({ cli: true, passphrase: true, config: true })).toMatch(
        /^--yes: is required/,
      );
    });
  });

  it("needs --yes without a terminal", async () => {
    const f = fakes();
    await expect(provision({ stack: "aws-dev" }, f.deps)).rejects.toThrow(/^--yes: is required/);
    expect(f.workspace.calls).toEqual([]);
  });

  it("asks on a terminal; declining restores the stack config and changes nothing in the cloud", async () => {
    const f = fakes({ interactive: true });
    const before = fs.readFileSync(path.join(f.root, "stacks", "Pulumi.aws-dev.yaml"), "utf8");
    f.io.answers = [false];
    const err = await provision({ stack: "aws-dev", credentials: "iam-role" }, f.deps).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(1);
    expect(f.io.questions[0]).toMatch(/^Provision stack aws-dev \(3 to create\)\?$/);
    expect(f.workspace.calls).not.toContain("up");
    expect(fs.readFileSync(path.join(f.root, "stacks", "Pulumi.aws-dev.yaml"), "utf8")).toBe(
      before,
    );
  });

  it("exits 3 when verification fails, naming the failed step", async () => {
    const f = fakes();
    f.storage.failures = 1000;
    const outcome = await provision({ stack: "aws-dev", yes: true, verifyTimeout: 10 }, f.deps);
    expect(outcome.exitCode).toBe(3);
    expect(outcome.text).toMatch(
      /s3-store \(aws\) storage: failed — write: AccessDenied: not yet \(after \d+ attempts\)/,
    );
    // Bounded: retried with backoff for no longer than the timeout.
    expect(f.clock - 1_000_000).toBeLessThanOrEqual(10_000);
  });

  it("registers in a configured ZenML server and records where", async () => {
    const f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "p", ZENML_STORE_API_KEY: "zk" } });
    const outcome = await provision(
      { stack: "aws-dev", yes: true, zenmlServer: "http://zenml.test/" },
      f.deps,
    );
    expect(outcome.exitCode).toBe(0);
    expect(f.zenml.settings[0]).toEqual({ url: "http://zenml.test", apiKey: "zk" });
    const docs = f.zenml.registered.get("http://zenml.test")!.get("s3-store")! as StoreDocuments;
    expect(docs.connector.secrets).toEqual({
      aws_access_key_id: "AKIAFAKEFAKEFAKE0001",
      aws_secret_access_key: "fake-secret-value-never-printed",
    });
    const reg = (
      stackFile(f.root)["zenml-remote-storage:registration"] as Record<
        string,
        Record<string, unknown>
      >
    )["s3-store"];
    expect(reg.registeredIn).toEqual(["http://zenml.test"]);
    expect(outcome.data.zenml?.registeredBy).toBe("script");
    expect(f.zenml.calls).toContain("verifyConnector s3-store-connector");
  });

  it("leaves registration to the program when the program registers in ZenML", async () => {
    const f = fakes();
    f.workspace.resources.push(["zenml-remote-storage:zenml:Registration", "s3-store-zenml"]);
    const outcome = await provision(
      { stack: "aws-dev", yes: true, zenmlServer: "http://zenml.test", verify: false },
      f.deps,
    );
    expect(outcome.data.zenml?.registeredBy).toBe("program");
    expect(f.zenml.calls.filter((c) => c.startsWith("apply"))).toEqual([]);
  });

  it("maps a Pulumi failure to one line and does not record a registration", async () => {
    const f = fakes();
    f.workspace.failOn = "up";
    await expect(provision({ stack: "aws-dev", yes: true }, f.deps)).rejects.toThrow("up failed");
    expect(fs.existsSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"))).toBe(false);
  });
});
