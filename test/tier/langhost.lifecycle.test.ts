/**
 * The ZenML resources' lifecycle as `pulumi up` / `refresh` / `destroy` drive
 * it: the program through cmd/run, the ZenML providers inside the SDK's real
 * dynamic-provider host (serialised `__provider`, olds/news and unknowns as
 * the engine passes them), a real ZenML 0.98 server, the store's AWS
 * resources in moto. Emulated: the engine's step generation
 * (test/support/langhost/deployment.ts) and the AWS provider (awsHandlers.ts).
 *
 * The tests state the behaviour expected once the program's providers handle
 * the engine's real inputs (`__provider` in olds/news, unknowns in preview, a
 * `read` for refresh); on a program that does not, they fail and say how.
 */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZenmlClient } from "../../src/zenml/client";
import { s3Client } from "../support/awsEmulator";
import { motoInvokes, motoResourceHandler } from "../support/langhost/awsHandlers";
import type { Step } from "../support/langhost/deployment";
import { LanghostEngine, type OperationResult, type RunResult } from "../support/langhost/engine";
import { copyProject, type ProjectCopy } from "../support/langhost/projectCopy";
import {
  REPO_ROOT,
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";

const NS = "zenml-remote-storage";
const STACK = "lifecycle";
const STORE = "life-store";

let moto: MotoServer;
let zenml: ZenmlServer;
let client: ZenmlClient;
let copy: ProjectCopy;
let engine: LanghostEngine;
let plaintexts: Record<string, string>;

function writeStack(store: Record<string, unknown> = {}): void {
  plaintexts = copy.writeStack(
    STACK,
    {
      "aws:region": moto.region,
      [`${NS}:stores`]: [
        { name: STORE, backend: "aws", region: moto.region, credentials: "access-key", ...store },
      ],
      [`${NS}:zenml`]: { serverUrl: zenml.url },
    },
    { [`${NS}:zenmlApiKey`]: zenml.apiKey! },
  );
}

function up(): Promise<RunResult> {
  return engine.up({ plaintexts });
}

function explain(run: OperationResult): string {
  const steps = run.steps.map(
    (s) => `${s.op} ${s.name}${s.changed?.length ? ` (${s.changed.join(", ")})` : ""}`,
  );
  return `steps:\n${steps.join("\n")}\nerrors:\n${run.errors.join("\n---\n")}`;
}

function stepOf(run: OperationResult, name: string): Step | undefined {
  return run.steps.find((s) => s.name === name);
}

function expectOk(run: OperationResult): void {
  expect(run.ok, explain(run)).toBe(true);
}

beforeAll(async () => {
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  client = new ZenmlClient({ url: zenml.url, auth: { apiKey: zenml.apiKey! } });
  copy = copyProject(REPO_ROOT);
  engine = new LanghostEngine({ projectRoot: copy.root, stack: STACK }).handle(
    "aws:*",
    motoResourceHandler(moto),
  );
  for (const [token, handler] of Object.entries(motoInvokes(moto))) engine.invoke(token, handler);
  writeStack();
}, 1_200_000);

afterAll(async () => {
  copy?.remove();
  await zenml?.stop();
  await moto?.stop();
});

describe("ZenML resources through the real dynamic-provider host", () => {
  it("first up creates the store and its connector, artifact store and stack in ZenML", async () => {
    const run = await up();
    expectOk(run);
    expect(stepOf(run, `${STORE}-zenml-connector`)?.op).toBe("create");
    expect(stepOf(run, `${STORE}-zenml-artifact-store`)?.op).toBe("create");
    expect(stepOf(run, `${STORE}-zenml-stack`)?.op).toBe("create");
    // The API key, and the connector document that holds the store's key, stay secret in state.
    const secretOutputs = Object.fromEntries(
      run.registrations
        .filter((r) => r.type === "pulumi-nodejs:dynamic:Resource")
        .map((r) => [r.name, [...r.additionalSecretOutputs].sort()]),
    );
    expect(secretOutputs).toEqual({
      [`${STORE}-zenml-connector`]: ["apiKey", "document"],
      [`${STORE}-zenml-artifact-store`]: ["apiKey"],
      [`${STORE}-zenml-stack`]: ["apiKey"],
    });
    expect(await client.findByName("connector", `${STORE}-connector`)).toBeDefined();
    expect(await client.findByName("stack", STORE)).toBeDefined();
  }, 900_000);

  it("a second up with the same config changes nothing: every step is `same`", async () => {
    const run = await up();
    expectOk(run);
    expect(Object.keys(run.summary), explain(run)).toEqual(["same"]);
  }, 900_000);

  it("a changed plain field (the ZenML stack's name) updates the ZenML stack in place", async () => {
    writeStack({ stackName: "life-stack-renamed" });
    const run = await up();
    expectOk(run);
    expect(stepOf(run, `${STORE}-zenml-stack`)?.op, explain(run)).toBe("update");
    expect(
      run.steps.filter((s) => s.op !== "same").map((s) => s.name),
      explain(run),
    ).toEqual([`${STORE}-zenml-stack`]);
    expect(await client.findByName("stack", "life-stack-renamed")).toBeDefined();
    expect(await client.findByName("stack", STORE)).toBeUndefined();
  }, 900_000);

  it("after the connector was deleted in ZenML by hand, refresh notices: its state entry goes", async () => {
    // ZenML refuses to delete a connector a component uses: remove stack, store, connector.
    const stack = await client.findByName("stack", "life-stack-renamed");
    await client.delete("stack", stack!.id, "life-stack-renamed");
    const store = await client.findByName("component", STORE);
    await client.delete("component", store!.id, STORE);
    const connector = await client.findByName("connector", `${STORE}-connector`);
    await client.delete("connector", connector!.id, `${STORE}-connector`);

    const refresh = await engine.refresh({ plaintexts });
    console.log(
      `refresh after deleting in ZenML: ${JSON.stringify(refresh.summary)}; ${explain(refresh)}`,
    );
    expectOk(refresh);
    expect(stepOf(refresh, `${STORE}-zenml-connector`)?.op, explain(refresh)).toBe("delete");
    expect(engine.resources().some((r) => r.name === `${STORE}-zenml-connector`)).toBe(false);
  }, 900_000);

  it("the next up registers what refresh found missing again", async () => {
    const run = await up();
    expectOk(run);
    expect(stepOf(run, `${STORE}-zenml-connector`)?.op, explain(run)).toBe("create");
    expect(await client.findByName("connector", `${STORE}-connector`)).toBeDefined();
    expect(await client.findByName("stack", "life-stack-renamed")).toBeDefined();
  }, 900_000);

  it("a change to the provider's code alone (a comment, so a new `__provider`) changes nothing", async () => {
    copy.edit(
      "src/zenml/resources.ts",
      "    async diff(_id, olds, news) {\n",
      "    async diff(_id, olds, news) {\n      // edited: a new serialised provider text\n",
    );
    const run = await up();
    console.log(`up after a provider code change: ${JSON.stringify(run.summary)}; ${explain(run)}`);
    expectOk(run);
    expect(Object.keys(run.summary), explain(run)).toEqual(["same"]);
  }, 900_000);

  it("rotation preview: a new credentialGeneration updates the connector in place, replacing no ZenML resource", async () => {
    writeStack({ stackName: "life-stack-renamed", credentialGeneration: 2 });
    const preview = await engine.preview({ plaintexts });
    const zenmlSteps = preview.steps
      .filter((s) => s.type.startsWith("pulumi-nodejs:"))
      .map(
        (s) =>
          `${s.op} ${s.name}${s.replaceKeys?.length ? ` (replace on ${s.replaceKeys.join(", ")})` : ""}`,
      );
    console.log(`rotation preview, ZenML resources: ${zenmlSteps.join("; ")}`);
    expectOk(preview);
    expect(stepOf(preview, `${STORE}-key-2`)?.op).toBe("create");
    expect(stepOf(preview, `${STORE}-key`)?.op).toBe("delete");
    expect(stepOf(preview, `${STORE}-zenml-connector`)?.op, explain(preview)).toBe("update");
    expect(
      preview.steps.filter((s) => s.op === "replace"),
      explain(preview),
    ).toEqual([]);
    writeStack({ stackName: "life-stack-renamed" });
  }, 900_000);

  it("destroy deletes the ZenML registration and the store's AWS resources", async () => {
    const bucketName = engine.resources().find((r) => r.type === "aws:s3/bucket:Bucket")!.id;
    const destroy = await engine.destroy({ plaintexts });
    expectOk(destroy);
    expect(engine.resources()).toEqual([]);
    expect(await client.findByName("connector", `${STORE}-connector`)).toBeUndefined();
    expect(await client.findByName("component", STORE)).toBeUndefined();
    expect(await client.findByName("stack", "life-stack-renamed")).toBeUndefined();
    const gone = await s3Client(moto, moto.admin)
      .send(new HeadBucketCommand({ Bucket: bucketName }))
      .then(
        () => "still there",
        (err: { name?: string }) => err.name,
      );
    expect(gone).toBe("NotFound");
  }, 900_000);
});
