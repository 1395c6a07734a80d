/**
 * The `rotate` command's logic. FAKE: the Pulumi workspace (test/unit/automation/support/fakes.ts)
 * whose `up` is a small simulation of the program's rotation behaviour: it reads the
 * stack config the command wrote, computes the key versions with the program's own
 * function (keyVersions), and "holds" exactly those keys afterwards (the current one
 * and the kept ones) — what Pulumi leaves after an update; the ZenML server; the
 * storage verifier. REAL: the command, config parsing and validation, the stack
 * config and ZenML YAML files in a temporary project.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import { provision } from "../../src/automation/commands/provision";
import { rotate } from "../../src/automation/commands/rotate";
import type { Deps } from "../../src/automation/context";
import { OperationError, UsageError } from "../../src/automation/errors";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import type { OutputMap } from "../../src/automation/workspace";
import { parseDeployment } from "../../src/config/parse";
import { keyVersions } from "../../src/config/rotation";
import { usesSecret } from "../../src/zenml/documents";
import { AWS_STORE_OUTPUTS, fakes, type Fakes } from "./automation/support/fakes";

const STACK = "aws-dev";
const SERVER = "http://zenml.test";
const SECRET_PREFIX = "fake-rotation-secret";
const PROGRAM_REGISTRATION = "zenml-remote-storage:zenml:Registration";

const keyId = (version: string) => `AKIAFAKE${version.replace(/-/g, "")}`;
const secret = (version: string) => `${SECRET_PREFIX}-v${version}`;

interface World {
  readonly f: Fakes;
  readonly deps: Deps;
  /** One line per thing that happened, in order: updates, ZenML applies and verifies, probes. */
  readonly log: string[];
  /** The keys that exist after each update. */
  readonly keys: string[][];
  /** Makes the next updates fail, in order (undefined: succeed). */
  readonly upFailures: (string | undefined)[];
}

function configFile(root: string): StackConfigFile {
  return StackConfigFile.read(path.join(root, "stacks", `Pulumi.${STACK}.yaml`));
}

function storesOf(root: string): Record<string, unknown>[] {
  return configFile(root).get("stores") as Record<string, unknown>[];
}

/**
 * A world with a provisioned aws-dev stack (one access-key store, registered by
 * the script in a fake ZenML server), whose fake `up` simulates the program.
 */
async function provisioned(
  options: { programRegisters?: boolean; now?: number; over?: Record<string, unknown> } = {},
): Promise<World> {
  const f = fakes();
  if (options.now !== undefined) f.clock = options.now;
  const log: string[] = [];
  const keys: string[][] = [];
  const upFailures: (string | undefined)[] = [];
  if (options.programRegisters) {
    f.workspace.resources = [...f.workspace.resources, [PROGRAM_REGISTRATION, "s3-store-zenml"]];
  }
  if (options.over) {
    const file = configFile(f.root);
    const stores = file.get("stores") as Record<string, unknown>[];
    file.set("stores", [{ ...stores[0], ...options.over }]);
    file.save();
  }
  // The program, simulated: the key versions come from the config the command wrote.
  f.workspace.upHook = async (): Promise<OutputMap> => {
    const failure = upFailures.shift();
    if (failure !== undefined) throw new OperationError(`pulumi: ${failure}`);
    const file = configFile(f.root);
    const store = parseDeployment(
      { stores: file.get("stores") },
      { providerConfig: { "aws:region": "eu-west-1" } },
    ).stores[0];
    const versions = keyVersions(store.rotation, f.clock);
    const held = [versions.current, ...versions.previous].sort();
    keys.push(held);
    log.push(`up: keys ${held.join(",")}; ZenML given ${versions.current}`);
    return {
      stores: { value: { "s3-store": AWS_STORE_OUTPUTS }, secret: false },
      credentials: {
        value: {
          "s3-store": {
            aws_access_key_id: keyId(versions.current),
            aws_secret_access_key: secret(versions.current),
          },
        },
        secret: true,
      },
      credentialVersions: { value: { "s3-store": versions.current }, secret: false },
    };
  };
  const deps: Deps = {
    ...f.deps,
    connectZenml: async (server) => {
      const registrar = await f.zenml.connect(server);
      return {
        ...registrar,
        apply: async (docs) => {
          for (const d of docs) {
            const id = usesSecret(d)
              ? d.secret.values.aws_access_key_id
              : d.connector.secrets.aws_access_key_id;
            log.push(`zenml apply ${d.artifactStore.name} ${id}`);
          }
          return registrar.apply(docs);
        },
        verifyConnector: async (name, resource) => {
          log.push(`zenml verify ${name}`);
          // The program's own connector lives in the (simulated) update, not in the fake server.
          if (options.programRegisters) return { found: true };
          return registrar.verifyConnector(name, resource);
        },
        remove: registrar.remove,
      };
    },
    verifierFor: async (backend) => {
      const verifier = await f.deps.verifierFor(backend);
      if (!verifier) return undefined;
      return {
        probe: async (store, key, opts) => {
          log.push(`probe ${store.credentials.aws_access_key_id}`);
          return verifier.probe(store, key, opts);
        },
        countObjects: verifier.countObjects.bind(verifier),
      };
    },
  };
  const outcome = await provision(
    { stack: STACK, yes: true, ...(options.programRegisters ? {} : { zenmlServer: SERVER }) },
    deps,
  );
  expect(outcome.exitCode).toBe(0);
  if (options.programRegisters) {
    const file = configFile(f.root);
    file.set("zenml", { serverUrl: SERVER });
    file.save();
  }
  log.length = 0;
  keys.length = 0;
  f.workspace.calls.length = 0;
  f.storage.probes = [];
  return { f, deps, log, keys, upFailures };
}

function registeredKey(w: World): string {
  const doc = w.f.zenml.registered.get(SERVER)!.get("s3-store")!;
  if (usesSecret(doc)) throw new Error("expected a connector");
  return doc.connector.secrets.aws_secret_access_key;
}

function recordedSecret(w: World): string | undefined {
  return w.f.workspace.secrets.get(
    "zenml-remote-storage:registration.s3-store.credentials.aws_secret_access_key",
  );
}

function everythingPrinted(w: World, data: unknown): string {
  return [...w.f.io.stdout, ...w.f.io.stderr, JSON.stringify(data)].join("\n");
}

describe("rotate (fake workspace, fake ZenML, fake storage)", () => {
  let w: World;
  beforeEach(async () => {
    w = await provisioned();
  });

  it("adds the new key, gives it to ZenML, verifies it, and only then deletes the old key", async () => {
    expect(registeredKey(w)).toBe(secret("1"));
    const outcome = await rotate({ stack: STACK, yes: true }, w.deps);
    expect(outcome.exitCode).toBe(0);
    expect(w.log).toEqual([
      "up: keys 1,2; ZenML given 2",
      `zenml apply s3-store ${keyId("2")}`,
      `probe ${keyId("2")}`,
      "zenml verify s3-store-connector",
      "up: keys 2; ZenML given 2",
    ]);
    expect(w.f.workspace.calls.filter((c) => ["outputs", "preview", "up"].includes(c))).toEqual([
      "outputs",
      "preview",
      "up",
      "up",
    ]);
    expect(registeredKey(w)).toBe(secret("2"));
    expect(recordedSecret(w)).toBe(secret("2"));
    expect(storesOf(w.f.root)[0]).toMatchObject({ credentialGeneration: 2 });
    expect("keepCredentials" in storesOf(w.f.root)[0]).toBe(false);
    expect(outcome.data).toMatchObject({
      outcome: "rotated",
      stores: [{ store: "s3-store", from: "1", to: "2", resumed: false }],
      zenml: [{ server: SERVER, updatedBy: "script" }],
    });
    expect(outcome.text).toContain("s3-store: key 1 → 2; key 1 deleted");
    expect(everythingPrinted(w, outcome.data)).not.toContain(SECRET_PREFIX);
  });

  it("keeps the stack config's comments and other keys", async () => {
    await rotate({ stack: STACK, yes: true }, w.deps);
    const text = fs.readFileSync(path.join(w.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
    expect(text).toContain("# ZenML artifact store name; 3-40 of a-z 0-9 -");
    expect(parse(text).config["zenml-remote-storage:stores"][0]).toMatchObject({
      name: "s3-store",
      credentials: "access-key",
      tags: { team: "ml-platform" },
      credentialGeneration: 2,
    });
  });

  it("rotates again from the generation it left", async () => {
    await rotate({ stack: STACK, yes: true }, w.deps);
    w.keys.length = 0;
    const outcome = await rotate({ stack: STACK, yes: true }, w.deps);
    expect(outcome.data.stores).toEqual([
      { store: "s3-store", from: "2", to: "3", resumed: false },
    ]);
    expect(w.keys).toEqual([["2", "3"], ["3"]]);
  });

  it("rolls back when the new key fails verification: old key in use again, new key deleted, exit 3", async () => {
    w.f.storage.failures = 1_000;
    const outcome = await rotate({ stack: STACK, yes: true, verifyTimeout: 10 }, w.deps);
    expect(outcome.exitCode).toBe(3);
    expect(w.keys).toEqual([["1", "2"], ["1"]]);
    expect(w.log[0]).toBe("up: keys 1,2; ZenML given 2");
    expect(w.log.slice(-2)).toEqual([
      "up: keys 1; ZenML given 1",
      `zenml apply s3-store ${keyId("1")}`,
    ]);
    expect(registeredKey(w)).toBe(secret("1"));
    expect(recordedSecret(w)).toBe(secret("1"));
    const store = storesOf(w.f.root)[0];
    expect("credentialGeneration" in store || "keepCredentials" in store).toBe(false);
    expect(outcome.data).toMatchObject({
      outcome: "rolled-back",
      stores: [{ store: "s3-store", from: "1", to: "1" }],
    });
    expect(outcome.data.verification[0].storage.status).toBe("failed");
    expect(outcome.text).toContain("FAILED verification and was rolled back");
  });

  it("resumes after the add update failed: the old key was never deleted, no second generation is started", async () => {
    w.upFailures.push("connection reset while creating aws:iam/accessKey:AccessKey");
    const failed = rotate({ stack: STACK, yes: true }, w.deps);
    await expect(failed).rejects.toThrow(OperationError);
    await expect(failed).rejects.toThrow(
      "adding the new credentials failed: pulumi: connection reset while creating aws:iam/accessKey:AccessKey; nothing was deleted and the old keys still work — run rotate --stack aws-dev again to finish",
    );
    expect(storesOf(w.f.root)[0]).toMatchObject({
      credentialGeneration: 2,
      keepCredentials: ["1"],
    });
    expect(registeredKey(w)).toBe(secret("1"));
    const outcome = await rotate({ stack: STACK, yes: true }, w.deps);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.stores).toEqual([{ store: "s3-store", from: "1", to: "2", resumed: true }]);
    expect(w.keys).toEqual([["1", "2"], ["2"]]);
    expect(registeredKey(w)).toBe(secret("2"));
  });

  it("resumes after a run died between the two updates (ZenML unreachable): both keys still valid until verified", async () => {
    const connect = w.deps.connectZenml;
    let down = true;
    const deps: Deps = {
      ...w.deps,
      connectZenml: async (server, log) => {
        if (down) throw new OperationError(`ZenML server ${server.url} did not answer`);
        return connect(server, log);
      },
    };
    await expect(rotate({ stack: STACK, yes: true }, deps)).rejects.toThrow("did not answer");
    expect(w.keys).toEqual([["1", "2"]]);
    expect(storesOf(w.f.root)[0]).toMatchObject({ keepCredentials: ["1"] });
    down = false;
    const outcome = await rotate({ stack: STACK, yes: true }, deps);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.stores[0].resumed).toBe(true);
    expect(w.keys).toEqual([["1", "2"], ["1", "2"], ["2"]]);
  });

  it("says how to finish when deleting the old key fails", async () => {
    w.upFailures.push(undefined, "AccessDenied: iam:DeleteAccessKey");
    await expect(rotate({ stack: STACK, yes: true }, w.deps)).rejects.toThrow(
      "the new credentials are in use and verified, but deleting the old ones failed: pulumi: AccessDenied: iam:DeleteAccessKey; run provision --stack aws-dev to finish",
    );
    expect(registeredKey(w)).toBe(secret("2"));
    expect("keepCredentials" in storesOf(w.f.root)[0]).toBe(false);
  });

  it("refuses when the first update would delete or replace anything, and restores the config", async () => {
    const before = fs.readFileSync(path.join(w.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
    w.f.workspace.upOp = "replace";
    await expect(rotate({ stack: STACK, yes: true }, w.deps)).rejects.toThrow(
      "rotate only adds credentials in its first update, but the preview would delete or replace 3 resource(s) (3 to replace); the stack has other pending changes — run provision first. Nothing was changed",
    );
    expect(w.f.workspace.calls).not.toContain("up");
    expect(fs.readFileSync(path.join(w.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8")).toBe(
      before,
    );
  });

  it("asks first on a terminal; no means nothing changes", async () => {
    const f = await provisioned();
    const interactive: Deps = { ...f.deps, io: Object.assign(f.f.io, { interactive: true }) };
    const before = fs.readFileSync(path.join(f.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
    f.f.io.answers = [false];
    await expect(rotate({ stack: STACK }, interactive)).rejects.toThrow(
      "cancelled: nothing was changed",
    );
    expect(f.f.io.questions).toEqual([
      "Rotate the credentials of s3-store in stack aws-dev (3 to create)?",
    ]);
    expect(f.f.workspace.calls).not.toContain("up");
    expect(fs.readFileSync(path.join(f.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8")).toBe(
      before,
    );
  });

  it.each<[string, Parameters<typeof rotate>[0], string]>([
    [
      "an unknown store",
      { stack: STACK, yes: true, store: "nope" },
      '--store: no store named "nope" in stacks/Pulumi.aws-dev.yaml; stores: s3-store',
    ],
    [
      "no --yes without a terminal",
      { stack: STACK },
      "--yes: is required when not running on a terminal: rotate replaces credentials",
    ],
    [
      "a stack that was never provisioned",
      { stack: "never", yes: true },
      "--stack: stacks/Pulumi.never.yaml does not exist; run provision first",
    ],
    [
      "a bad --verify-timeout",
      { stack: STACK, yes: true, verifyTimeout: -1 },
      "--verify-timeout: must be a number of seconds from 0 to 3600",
    ],
    [
      "a bad --endpoint-url",
      { stack: STACK, yes: true, endpointUrl: "ftp://minio.example.com" },
      "--endpoint-url: must be an http:// or https:// URL",
    ],
  ])("refuses %s before anything is written", async (_what, args, message) => {
    const before = fs.readFileSync(path.join(w.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8");
    const attempt = rotate(args, w.deps);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
    expect(w.f.workspace.calls).toEqual([]);
    expect(fs.readFileSync(path.join(w.f.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8")).toBe(
      before,
    );
  });
});

describe("rotate: other set-ups", () => {
  it("refuses a store whose credential this project does not mint", async () => {
    const w = await provisioned();
    const file = configFile(w.f.root);
    file.set("stores", [
      ...storesOf(w.f.root),
      {
        name: "wasabi",
        backend: "s3-compatible",
        credentials: "existing-credentials",
        endpoint: "https://s3.wasabisys.com",
        bucket: { name: "team-artifacts" },
      },
    ]);
    file.save();
    await expect(rotate({ stack: STACK, yes: true, store: "wasabi" }, w.deps)).rejects.toThrow(
      "--store: store wasabi uses existing-credentials credentials, which this project does not mint; only minio credentials of backend s3-compatible are rotated",
    );
  });

  it("refuses a store without a recorded registration", async () => {
    const w = await provisioned();
    const file = configFile(w.f.root);
    file.delete("registration");
    file.save();
    await expect(rotate({ stack: STACK, yes: true }, w.deps)).rejects.toThrow(
      "--stack: store s3-store has no recorded registration in stacks/Pulumi.aws-dev.yaml; run provision first",
    );
  });

  it("when the program registers in ZenML, the update itself carries the new key there; the script only verifies", async () => {
    const w = await provisioned({ programRegisters: true });
    const outcome = await rotate({ stack: STACK, yes: true }, w.deps);
    expect(outcome.exitCode).toBe(0);
    expect(w.log).toEqual([
      "up: keys 1,2; ZenML given 2",
      `probe ${keyId("2")}`,
      "zenml verify s3-store-connector",
      "up: keys 2; ZenML given 2",
    ]);
    expect(outcome.data.zenml).toEqual([{ server: SERVER, updatedBy: "program" }]);
  });

  it("with a rotation period, keeps the key that is deployed, from whichever period it is", async () => {
    const FEB_20 = Date.UTC(2026, 1, 20);
    const w = await provisioned({ now: FEB_20, over: { rotationPeriodDays: 30 } });
    expect(registeredKey(w)).toBe(secret("1-20260206"));
    w.f.clock = Date.UTC(2026, 2, 15); // the next period began on 2026-03-08
    const outcome = await rotate({ stack: STACK, yes: true }, w.deps);
    expect(outcome.exitCode).toBe(0);
    expect(w.keys).toEqual([["1-20260206", "2-20260308"], ["2-20260308"]]);
    expect(outcome.data.stores).toEqual([
      { store: "s3-store", from: "1-20260206", to: "2-20260308", resumed: false },
    ]);
  });
});
