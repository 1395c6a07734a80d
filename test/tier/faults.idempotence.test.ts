/**
 * Idempotence: provisioning twice creates no new cloud objects and no new
 * ZenML objects. What is proven, precisely:
 *
 * 1. The program's desired state is identical on both runs: the second run
 *    declares the same resources (type and logical name) with the same inputs,
 *    so the engine plans no change — `preview` and the second `provision`
 *    report every resource unchanged.
 * 2. Nothing new appears in moto: the same buckets, IAM users, access keys
 *    (same ids), user policies, roles and role policies as after the first
 *    run; every unchanged AWS object is read back from moto on the second run
 *    (it still exists).
 * 3. Nothing new appears in the real ZenML server: the same connectors,
 *    artifact stores and stacks, with the same ids — whether the program's
 *    own ZenML resources run again, or `register` applies the recorded
 *    registration again (twice).
 * 4. The files the script writes (stack config, ZenML stack document) are
 *    byte-for-byte the same after the second run.
 *
 * REAL: moto (IAM enforcement on) standing in for AWS; a ZenML 0.98 server
 * (auth on) and this project's dynamic providers, REST client and registrar;
 * the S3 verifier and ZenML's connector verification against moto; the
 * `provision`, `preview` and `register` handlers; the files.
 * EMULATED: the Pulumi engine and AWS provider. Mocks have no state, so
 * test/support/emulatedEngine.ts keeps the state and applies the engine's
 * rules (create what is new, leave what is unchanged — reading it back from
 * moto — and delete what left the program, last); the AWS calls of a create
 * are test/support/awsEmulator.ts's. Its "unchanged" is decided exactly as the
 * engine's diff would for these resources (inputs equal), so (1) is about the
 * program, and (2)-(3) are about what a second run does in moto and ZenML
 * given that plan. Secret config values are kept in memory, not encrypted.
 */
import {
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preview } from "../../src/automation/commands/preview";
import { provision } from "../../src/automation/commands/provision";
import { register } from "../../src/automation/commands/register";
import { iamClient, s3Client } from "../support/awsEmulator";
import {
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";
import { engineWorld, type EngineWorld } from "./rotation.world";

const STACK = "idem";
let moto: MotoServer;
let zenml: ZenmlServer;
let world: EngineWorld;

interface Snapshot {
  readonly moto: Record<string, unknown>;
  readonly zenml: Record<string, { id: string; name: string }[]>;
  readonly files: Record<string, string>;
}

async function snapshot(): Promise<Snapshot> {
  const iam = iamClient(moto, moto.admin);
  const buckets = (await s3Client(moto, moto.admin).send(new ListBucketsCommand({}))).Buckets ?? [];
  const users = ((await iam.send(new ListUsersCommand({}))).Users ?? [])
    .map((u) => u.UserName!)
    .filter((n) => n !== "admin")
    .sort();
  const perUser: Record<string, unknown> = {};
  for (const user of users) {
    perUser[user] = {
      keys: (
        (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? []
      )
        .map((k) => k.AccessKeyId)
        .sort(),
      policies: (await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames,
    };
  }
  const roles: Record<string, unknown> = {};
  for (const role of (await iam.send(new ListRolesCommand({}))).Roles ?? []) {
    roles[role.RoleName!] = (
      await iam.send(new ListRolePoliciesCommand({ RoleName: role.RoleName! }))
    ).PolicyNames;
  }
  const zenmlObjects: Snapshot["zenml"] = {};
  for (const collection of ["service_connectors", "components", "stacks", "secrets"]) {
    const response = await fetch(`${zenml.url}/api/v1/${collection}?size=1000`, {
      headers: await zenml.authHeaders(),
    });
    const page = (await response.json()) as { items: { id: string; name: string }[] };
    zenmlObjects[collection] = page.items
      .map(({ id, name }) => ({ id, name }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  const stacks = path.join(world.root, "stacks");
  return {
    moto: { buckets: buckets.map((b) => b.Name).sort(), users: perUser, roles },
    zenml: zenmlObjects,
    files: {
      config: fs.readFileSync(path.join(stacks, `Pulumi.${STACK}.yaml`), "utf8"),
      zenmlYaml: fs.readFileSync(path.join(stacks, `${STACK}.zenml.yaml`), "utf8"),
    },
  };
}

beforeAll(async () => {
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  world = await engineWorld(moto, zenml, STACK, [
    { name: "idem-keyed", backend: "aws", region: moto.region, credentials: "access-key" },
    { name: "idem-roled", backend: "aws", region: moto.region, credentials: "iam-role" },
  ]);
}, 1_200_000);

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
  if (world) fs.rmSync(world.root, { recursive: true, force: true });
});

describe("provisioning twice (moto, a real ZenML server, the emulated engine)", () => {
  let first: Snapshot;

  it("the first provision creates everything, registers through the program and verifies", async () => {
    const outcome = await provision(
      { stack: STACK, yes: true, endpointUrl: moto.endpoint, verifyTimeout: 90 },
      world.deps,
    );
    expect(outcome.exitCode, outcome.text).toBe(0);
    expect(outcome.data.zenml?.registeredBy).toBe("program");
    expect(outcome.data.changes.create).toBeGreaterThan(20);
    expect(outcome.data.changes.same ?? 0).toBe(0);
    first = await snapshot();
    expect(first.zenml.service_connectors.map((c) => c.name).sort()).toEqual([
      "idem-keyed-connector",
      "idem-roled-connector",
    ]);
    expect(Object.keys(first.moto.users as object)).toHaveLength(2);
  });

  it("preview: the program's desired state is unchanged — nothing to create, update or delete", async () => {
    const outcome = await preview({ stack: STACK }, world.deps);
    expect(Object.keys(outcome.data.changes)).toEqual(["same"]);
    expect(outcome.text).toMatch(/^Preview of stack idem: \d+ unchanged\.$/);
  });

  it("the second provision reports no changes and leaves moto, ZenML and the files as they were", async () => {
    const runsBefore = world.workspace.engine(STACK).runs;
    const outcome = await provision(
      { stack: STACK, yes: true, endpointUrl: moto.endpoint, verifyTimeout: 90 },
      world.deps,
    );
    expect(outcome.exitCode, outcome.text).toBe(0);
    expect(Object.keys(outcome.data.changes)).toEqual(["same"]);
    expect(outcome.text).toMatch(/^Stack idem provisioned: \d+ unchanged\./);
    const engine = world.workspace.engine(STACK);
    const secondRun = engine.history.filter((s) => s.run === engine.runs);
    expect(engine.runs).toBe(runsBefore + 2); // its preview and its update
    expect(secondRun.filter((s) => s.op !== "same")).toEqual([]);
    expect(await snapshot()).toEqual(first);
  });

  it("register applied twice to the same server adopts the objects: same ids, nothing new", async () => {
    const once = await register({ stack: STACK, server: zenml.url }, world.deps);
    const twice = await register({ stack: STACK, server: zenml.url }, world.deps);
    expect(twice.data.registered).toEqual(once.data.registered);
    const after = await snapshot();
    expect(after.zenml).toEqual(first.zenml);
    expect(after.moto).toEqual(first.moto);
    expect(once.data.registered.map((r) => r.credentialsId).sort()).toEqual(
      first.zenml.service_connectors.map((c) => c.id).sort(),
    );
  });
});
