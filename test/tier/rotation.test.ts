/**
 * Key rotation end to end: `provision`, a real ZenML pipeline, `rotate`, the
 * pipeline again; the old key refused by moto afterwards, the new one
 * accepted; and a rotation whose new key fails verification, rolled back.
 *
 * REAL: moto (IAM enforcement on) standing in for AWS — every access key is
 * minted and deleted there; a ZenML 0.98 server (auth on) whose connectors
 * the program's own dynamic providers create and update (this project's REST
 * client); ZenML's connector verification and two-step pipelines against moto
 * (through AWS_ENDPOINT_URL, test-only); the S3 verifier probing moto with the
 * minted keys; the `provision` and `rotate` handlers and the files they write.
 * EMULATED: the Pulumi engine and AWS provider (test/support/emulatedEngine.ts:
 * keeps the state, creates what is new, leaves what is unchanged, deletes what
 * left the program at the end of each update; AWS calls from
 * test/support/awsEmulator.ts). Secret config values are kept in memory.
 */
import { ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision } from "../../src/automation/commands/provision";
import { rotate } from "../../src/automation/commands/rotate";
import { ZenmlClient } from "../../src/zenml/client";
import { iamClient, s3Client } from "../support/awsEmulator";
import {
  runPipeline,
  startMoto,
  startZenmlServer,
  type AwsKey,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";
import { engineWorld, type EngineWorld } from "./rotation.world";

const STACK = "rot";
const STORES = ["rot-keyed", "rot-roled"];
const EXPECTED_OUTPUT = "hello from step 1 -> sum=6";
let moto: MotoServer;
let zenml: ZenmlServer;
let world: EngineWorld;
let client: ZenmlClient;
const secretsSeen = new Set<string>();

function recordedKey(store: string): AwsKey {
  const get = (field: string) =>
    world.workspace.secrets.get(`zenml-remote-storage:registration.${store}.credentials.${field}`)!;
  const key = {
    accessKeyId: get("aws_access_key_id"),
    secretAccessKey: get("aws_secret_access_key"),
  };
  secretsSeen.add(key.secretAccessKey);
  return key;
}

function bucketOf(store: string): string {
  const config = parse(
    fs.readFileSync(path.join(world.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8"),
  ).config;
  return String(config["zenml-remote-storage:registration"][store].path).replace("s3://", "");
}

function userOf(store: string): string {
  const key = world.workspace
    .engine(STACK)
    .resources()
    .find((r) => r.type === "aws:iam/user:User" && r.name === `${store}-user`);
  return key!.id;
}

async function keysInMoto(store: string): Promise<string[]> {
  const listed = await iamClient(moto, moto.admin).send(
    new ListAccessKeysCommand({ UserName: userOf(store) }),
  );
  return (listed.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!).sort();
}

/** The access key id ZenML's connector holds, read as ZenML's own client reads it. */
async function connectorKeyId(store: string): Promise<string> {
  const connector = await client.findByName("connector", `${store}-connector`);
  const response = await fetch(
    `${zenml.url}/api/v1/service_connectors/${connector!.id}?expand_secrets=true`,
    { headers: await zenml.authHeaders() },
  );
  const body = (await response.json()) as { metadata: { configuration: Record<string, string> } };
  return body.metadata.configuration.aws_access_key_id;
}

/** What moto says to a ListObjects with this key on the store's bucket: "ok" or the error name. */
async function mototSays(store: string, key: AwsKey): Promise<string> {
  try {
    await s3Client(moto, key).send(new ListObjectsV2Command({ Bucket: bucketOf(store) }));
    return "ok";
  } catch (err) {
    return (err as { name?: string }).name ?? String(err);
  }
}

async function pipeline(store: string): Promise<void> {
  const run = await runPipeline(
    { ...zenml.env, AWS_ENDPOINT_URL: moto.endpoint },
    { stack: store },
  );
  expect(run.status).toBe("completed");
  expect(run.loaded).toBe(EXPECTED_OUTPUT);
  for (const uri of run.artifact_uris)
    expect(uri.startsWith(`s3://${bucketOf(store)}/`)).toBe(true);
}

function stepsOfRun(run: number, op: string): string[] {
  return world.workspace
    .engine(STACK)
    .history.filter((s) => s.run === run && s.op === op)
    .map((s) => s.name)
    .sort();
}

beforeAll(async () => {
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  client = new ZenmlClient({ url: zenml.url, auth: { apiKey: zenml.apiKey! } });
  world = await engineWorld(moto, zenml, STACK, [
    { name: "rot-keyed", backend: "aws", region: moto.region, credentials: "access-key" },
    { name: "rot-roled", backend: "aws", region: moto.region, credentials: "iam-role" },
  ]);
}, 1_200_000);

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
  if (world) fs.rmSync(world.root, { recursive: true, force: true });
});

describe("rotate against moto and a real ZenML server", () => {
  const before: Record<string, AwsKey> = {};
  const after: Record<string, AwsKey> = {};

  it("provision, then a real pipeline on the store", async () => {
    const outcome = await provision(
      { stack: STACK, yes: true, endpointUrl: moto.endpoint, verifyTimeout: 90 },
      world.deps,
    );
    expect(outcome.exitCode, outcome.text).toBe(0);
    for (const store of STORES) {
      before[store] = recordedKey(store);
      expect(await keysInMoto(store)).toEqual([before[store].accessKeyId]);
      expect(await connectorKeyId(store)).toBe(before[store].accessKeyId);
    }
    await pipeline("rot-keyed");
  });

  it("rotate: new key added and verified before the old one is deleted; ZenML holds the new key", async () => {
    const engine = world.workspace.engine(STACK);
    const firstRun = engine.runs + 1;
    const outcome = await rotate(
      { stack: STACK, yes: true, endpointUrl: moto.endpoint, verifyTimeout: 90 },
      world.deps,
    );
    expect(outcome.exitCode, outcome.text).toBe(0);
    expect(outcome.data.stores).toEqual(
      STORES.map((store) => ({ store, from: "1", to: "2", resumed: false })),
    );
    expect(outcome.data.zenml).toEqual([{ server: zenml.url, updatedBy: "program" }]);
    // Runs: preview, add, retire. The add update creates the keys and updates ZenML, deletes nothing.
    const add = firstRun + 1;
    const retire = firstRun + 2;
    expect(engine.runs).toBe(retire);
    expect(stepsOfRun(add, "create")).toEqual(["rot-keyed-key-2", "rot-roled-key-2"]);
    expect(stepsOfRun(add, "update")).toEqual([
      "rot-keyed-zenml-connector",
      "rot-roled-zenml-connector",
    ]);
    expect(stepsOfRun(add, "delete")).toEqual([]);
    // Only after verification, the retire update deletes the old keys and nothing else.
    expect(stepsOfRun(retire, "delete")).toEqual(["rot-keyed-key", "rot-roled-key"]);
    expect(stepsOfRun(retire, "create")).toEqual([]);
    expect(stepsOfRun(retire, "update")).toEqual([]);
    const stderr = world.io.stderr;
    const verifying = stderr.indexOf("Verifying the new credentials …");
    const deleting = stderr.indexOf("Verified. Deleting the old credentials …");
    expect(verifying).toBeGreaterThan(stderr.indexOf("Adding the new credentials (stack rot) …"));
    expect(deleting).toBeGreaterThan(verifying);
    expect(outcome.data.verification.map((c) => [c.storage.status, c.zenml?.status])).toEqual([
      ["passed", "passed"],
      ["passed", "passed"],
    ]);
    for (const store of STORES) {
      after[store] = recordedKey(store);
      expect(after[store].accessKeyId).not.toBe(before[store].accessKeyId);
      expect(await keysInMoto(store)).toEqual([after[store].accessKeyId]);
      expect(await connectorKeyId(store)).toBe(after[store].accessKeyId);
    }
  });

  it("moto refuses the old key and accepts the new one", async () => {
    expect(await mototSays("rot-keyed", before["rot-keyed"])).toBe("InvalidAccessKeyId");
    expect(await mototSays("rot-keyed", after["rot-keyed"])).toBe("ok");
  });

  it("a real pipeline runs on each store after the rotation", async () => {
    await pipeline("rot-keyed");
    await pipeline("rot-roled");
  });

  it("a new key that fails verification is rolled back: the key in use stays, the new one is deleted", async () => {
    const engine = world.workspace.engine(STACK);
    const firstRun = engine.runs + 1;
    // Verification probes a closed port: the new keys cannot be shown to work.
    const outcome = await rotate(
      { stack: STACK, yes: true, endpointUrl: "http://127.0.0.1:9", verifyTimeout: 3 },
      world.deps,
    );
    expect(outcome.exitCode).toBe(3);
    expect(outcome.data.outcome).toBe("rolled-back");
    const [add, rollback] = [firstRun + 1, firstRun + 2];
    expect(stepsOfRun(add, "create")).toEqual(["rot-keyed-key-3", "rot-roled-key-3"]);
    expect(stepsOfRun(add, "delete")).toEqual([]);
    expect(stepsOfRun(rollback, "delete")).toEqual(["rot-keyed-key-3", "rot-roled-key-3"]);
    expect(stepsOfRun(rollback, "update")).toEqual([
      "rot-keyed-zenml-connector",
      "rot-roled-zenml-connector",
    ]);
    for (const store of STORES) {
      expect(recordedKey(store)).toEqual(after[store]);
      expect(await keysInMoto(store)).toEqual([after[store].accessKeyId]);
      expect(await connectorKeyId(store)).toBe(after[store].accessKeyId);
    }
    expect(await mototSays("rot-keyed", after["rot-keyed"])).toBe("ok");
    const connector = await client.findByName("connector", "rot-keyed-connector");
    expect(
      await client.verifyConnector(connector!.id, "rot-keyed-connector", {
        type: "s3-bucket",
        id: `s3://${bucketOf("rot-keyed")}`,
      }),
    ).toBeUndefined();
    const config = parse(
      fs.readFileSync(path.join(world.root, "stacks", `Pulumi.${STACK}.yaml`), "utf8"),
    ).config["zenml-remote-storage:stores"];
    for (const s of config) {
      expect(s.credentialGeneration).toBe(2);
      expect(s.keepCredentials).toBeUndefined();
    }
  });

  it("no key appears in anything the script printed", () => {
    const printed = [...world.io.stdout, ...world.io.stderr].join("\n");
    expect(secretsSeen.size).toBeGreaterThanOrEqual(4);
    for (const secret of secretsSeen) expect(printed).not.toContain(secret);
  });
});
