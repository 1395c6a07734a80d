// The stack session against a FAKE Pulumi workspace, FAKE ZenML server and FAKE
// storage verifier; the stack config and ZenML YAML files are real files in a
// temporary project.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { provision } from "../../../src/automation/commands/provision";
import { rotate } from "../../../src/automation/commands/rotate";
import { verify } from "../../../src/automation/commands/verify";
import { CliError, OperationError, UsageError } from "../../../src/automation/errors";
import { prepareSession } from "../../../src/automation/session";
import { StackConfigFile } from "../../../src/automation/stackConfigFile";
import { awsOutputs, fakes, type Fakes } from "./support/fakes";

const SERVER = "http://zenml.test";
const REGISTRATION = "zenml-remote-storage:registration";

function configPath(f: Fakes, stack = "aws-dev"): string {
  return path.join(f.root, "stacks", `Pulumi.${stack}.yaml`);
}

function readConfig(f: Fakes): string {
  return fs.readFileSync(configPath(f), "utf8");
}

async function opened(f: Fakes = fakes()) {
  const session = prepareSession({ stack: "aws-dev" }, f.deps);
  await session.open("create");
  return { f, session };
}

function connections(f: Fakes): string[] {
  return f.zenml.calls.filter((c) => c.startsWith("connect"));
}

describe("stack session: the config, read once", () => {
  it("parses the deployment once, on first use", () => {
    const f = fakes();
    const session = prepareSession({ stack: "aws-dev" }, f.deps);
    const deployment = session.deployment;
    expect(deployment.stores.map((s) => s.name)).toEqual(["s3-store"]);
    expect(session.deployment).toBe(deployment);
  });

  it("reads the recorded registration without parsing `stores` (register and outputs never need them)", async () => {
    const f = fakes();
    await provision({ stack: "aws-dev", yes: true, verify: false }, f.deps);
    const file = StackConfigFile.read(configPath(f));
    file.set("zenml-remote-storage:stores", [{ name: "s3-store", backend: "ftp" }]);
    file.save();
    const session = prepareSession({ stack: "aws-dev" }, f.deps);
    expect(Object.keys(session.recorded)).toEqual(["s3-store"]);
    expect(() => session.deployment).toThrow(UsageError);
    expect(() => session.deployment).toThrow(
      /^zenml-remote-storage:stores\[0\]\.backend \(stacks\/Pulumi\.aws-dev\.yaml\): /,
    );
  });

  it("names the configured ZenML server without trailing slashes", () => {
    const f = fakes();
    const file = StackConfigFile.read(configPath(f));
    file.set("zenml-remote-storage:zenml", { serverUrl: `${SERVER}//` });
    file.save();
    expect(prepareSession({ stack: "aws-dev" }, f.deps).configuredServer).toBe(SERVER);
    expect(prepareSession({ stack: "gcp-dev" }, f.deps).configuredServer).toBeUndefined();
  });
});

describe("stack session: record", () => {
  it("writes the registration into the stack config and keeps the in-memory copy current", async () => {
    const { f, session } = await opened();
    expect(session.recorded).toEqual({});
    const deployed = await session.record(awsOutputs());
    expect(deployed.map((d) => d.storeName)).toEqual(["s3-store"]);
    expect(session.recorded["s3-store"]).toMatchObject({
      path: "s3://zenml-s3-store-abc",
      registeredIn: [],
      credentialFields: ["aws_access_key_id", "aws_secret_access_key"],
    });
    // The file holds the same, written whole (no temporary file left behind).
    const onDisk = StackConfigFile.read(configPath(f)).get(REGISTRATION) as Record<
      string,
      Record<string, unknown>
    >;
    expect(onDisk["s3-store"]).toMatchObject({ path: "s3://zenml-s3-store-abc" });
    expect(Object.keys(onDisk["s3-store"].credentials as object).sort()).toEqual([
      "aws_access_key_id",
      "aws_secret_access_key",
    ]);
    expect(fs.readdirSync(path.join(f.root, "stacks")).filter((n) => n.endsWith(".tmp"))).toEqual(
      [],
    );
    expect(fs.existsSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"))).toBe(true);
  });

  it("answers from memory afterwards: nobody reads the file back", async () => {
    const { f, session } = await opened();
    await session.record(awsOutputs());
    const file = StackConfigFile.read(configPath(f));
    file.delete(REGISTRATION);
    file.save();
    expect(Object.keys(session.recorded)).toEqual(["s3-store"]);
  });

  it("markRegistered and forget change the file and the in-memory registration together", async () => {
    const { f, session } = await opened();
    await session.record(awsOutputs());
    session.markRegistered(["s3-store"], SERVER, true);
    expect(session.recorded["s3-store"].registeredIn).toEqual([SERVER]);
    expect(readConfig(f)).toContain(SERVER);
    session.markRegistered(["s3-store"], SERVER, false);
    expect(session.recorded["s3-store"].registeredIn).toEqual([]);
    session.forget();
    expect(session.recorded).toEqual({});
    expect(StackConfigFile.read(configPath(f)).get(REGISTRATION)).toBeUndefined();
    expect(fs.existsSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"))).toBe(false);
  });

  it("an edit with nothing to do leaves the file as it is", async () => {
    const { f, session } = await opened();
    const before = readConfig(f);
    expect(session.edit(() => false)).toBe(false);
    session.forget(); // no registration: nothing to remove
    expect(readConfig(f)).toBe(before);
  });
});

describe("stack session: preview, confirm, up", () => {
  it("counts the update's progress against the preview's plan", async () => {
    const { f, session } = await opened();
    const planned = await session.preview();
    expect(planned).toEqual({ create: 3 });
    const up = await session.confirmThenUp(
      planned,
      { yes: true, question: "?", cancelled: "no" },
      { announce: "Updating …" },
    );
    expect(f.io.questions).toEqual([]);
    expect(f.workspace.calls.slice(-2)).toEqual(["preview", "up"]);
    expect(up.types.has("aws:s3/bucket:Bucket")).toBe(true);
    expect(f.io.stderr).toContain("Plan: 3 to create.");
    expect(f.io.stderr.some((l) => /^\[3\/3 \d+:\d\d\] created aws:iam\/user:User/.test(l))).toBe(
      true,
    );
    expect(f.io.stderr.at(-1)).toBe("Done: 3 created.");
  });

  it("a 'no' restores the stack config as it was when opened and changes nothing", async () => {
    const f = fakes({ interactive: true });
    const { session } = await opened(f);
    const before = readConfig(f);
    session.edit((file) => file.set("zenml-remote-storage:zenml", { serverUrl: SERVER }));
    expect(readConfig(f)).not.toBe(before);
    f.io.answers = [false];
    const planned = await session.preview();
    const err = await session
      .confirmThenUp(
        planned,
        { question: "Go?", cancelled: "cancelled" },
        { announce: "Updating …" },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toBe("cancelled");
    expect(f.io.questions).toEqual(["Go?"]);
    expect(f.workspace.calls).not.toContain("up");
    expect(readConfig(f)).toBe(before);
    expect(session.configuredServer).toBeUndefined();
  });

  it("turns an update failure into the command's own error when asked to", async () => {
    const { f, session } = await opened();
    f.workspace.failOn = "up";
    await expect(session.up({ announce: "Updating …" })).rejects.toThrow("up failed");
    await expect(
      session.up({
        announce: "Updating …",
        failed: (reason) => new OperationError(`${reason}; run it again`),
      }),
    ).rejects.toThrow(new OperationError("up failed; run it again"));
  });
});

describe("stack session: one ZenML connection per server", () => {
  it("connects once per server (credentials: the stack's API key)", async () => {
    const { f, session } = await opened();
    f.workspace.configValues["zenml-remote-storage:zenmlApiKey"] = "stack-key";
    const first = await session.zenml(SERVER);
    expect(await session.zenml(SERVER)).toBe(first);
    await session.zenml("http://other.test");
    expect(connections(f)).toEqual([`connect ${SERVER}`, "connect http://other.test"]);
    expect(f.zenml.settings[0]).toEqual({ url: SERVER, apiKey: "stack-key" });
    expect(
      f.workspace.calls.filter((c) => c === "getConfig zenml-remote-storage:zenmlApiKey"),
    ).toHaveLength(2);
  });

  it("provision registers and verifies over one connection", async () => {
    const f = fakes();
    await provision({ stack: "aws-dev", yes: true, zenmlServer: SERVER }, f.deps);
    expect(connections(f)).toEqual([`connect ${SERVER}`]);
    expect(f.zenml.calls).toContain("apply s3-store");
    expect(f.zenml.calls).toContain("verifyConnector s3-store-connector");
  });

  it("rotate updates the registration and verifies the new key over one connection", async () => {
    const f = fakes();
    await provision({ stack: "aws-dev", yes: true, verify: false, zenmlServer: SERVER }, f.deps);
    f.zenml.calls.length = 0;
    const outcome = await rotate({ stack: "aws-dev", yes: true }, f.deps);
    expect(outcome.exitCode).toBe(0);
    expect(connections(f)).toEqual([`connect ${SERVER}`]);
    expect(f.zenml.calls.filter((c) => /^(apply|verifyConnector)/.test(c))).toEqual([
      "apply s3-store",
      "verifyConnector s3-store-connector",
    ]);
  });

  it("verify asks the configured server over one connection", async () => {
    const f = fakes();
    await provision({ stack: "aws-dev", yes: true, verify: false, zenmlServer: SERVER }, f.deps);
    f.zenml.calls.length = 0;
    await verify({ stack: "aws-dev" }, f.deps);
    expect(connections(f)).toEqual([`connect ${SERVER}`]);
  });
});
