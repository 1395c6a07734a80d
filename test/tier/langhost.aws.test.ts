/**
 * AWS acceptance through the language-host harness: `pulumi up` of the
 * project's program, run by `@pulumi/pulumi/cmd/run`, provisions two S3 stores
 * (access-key and iam-role) into moto (IAM enforcement on), and the program's
 * own ZenML dynamic resources register them in a real ZenML 0.98 server
 * through the SDK's real dynamic-provider host. ZenML verifies each connector
 * against moto; a real ZenML pipeline runs on each stack and its artifacts
 * land in the bucket; the minted keys reach only their own bucket.
 *
 * Real: cmd/run and the program, the dynamic-provider host and the ZenML
 * providers' REST calls, ZenML, moto (every AWS call is signed and checked).
 * Emulated: the engine's step generation (test/support/langhost/deployment.ts)
 * and the AWS provider (awsHandlers.ts maps each resource to its AWS call).
 * ZenML's AWS clients reach moto through AWS_ENDPOINT_URL, set only in tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZenmlClient } from "../../src/zenml/client";
import type { StoreFacts } from "../../src/zenml/model";
import {
  awsKeyOf,
  expectArtifactsInBucket,
  expectKeyConfinedToBucket,
  expectRoleConfinedToBucket,
} from "../support/awsAccess";
import { motoInvokes, motoResourceHandler } from "../support/langhost/awsHandlers";
import { LanghostEngine, type RunResult } from "../support/langhost/engine";
import { copyProject, type ProjectCopy } from "../support/langhost/projectCopy";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  REPO_ROOT,
  runPipeline,
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";
import { connectorAuth } from "../support/registrations";

const NS = "zenml-remote-storage";
const STACK = "acceptance";
const EXPECTED_OUTPUT = "hello from step 1 -> sum=6";

let moto: MotoServer;
let zenml: ZenmlServer;
let client: ZenmlClient;
let copy: ProjectCopy;
let engine: LanghostEngine;
let up: RunResult;
let stores: Record<string, StoreFacts>;
let credentials: Record<string, Record<string, string>>;
const transcript: string[] = [];
let debugDiagnostics = 0;
const leaks = new LeakCheck();

function bucketOf(name: string): string {
  return stores[name].path.replace("s3://", "");
}
/**
 * What `pulumi up` shows: the program's and the plugins' output and every
 * diagnostic but `debug` ones, which the CLI drops unless `--debug` is given
 * (pulumi/pulumi pkg/backend/display/progress.go, `processNormalEvent`). The
 * SDK's own debug log prints each RegisterResource request and response with
 * secret values in plain text; that is the SDK's, not ours (README, security).
 */
function record(run: RunResult): void {
  transcript.push(run.program.stdout, run.program.stderr, run.pluginOutput);
  transcript.push(
    ...run.diagnostics
      .filter((d) => d.severity !== "debug")
      .map((d) => `${d.severity}: ${d.message}`),
  );
  debugDiagnostics += run.diagnostics.filter((d) => d.severity === "debug").length;
}

beforeAll(async () => {
  leaks.captureOutput().text("transcript", transcript);
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  client = new ZenmlClient({
    url: zenml.url,
    auth: { apiKey: zenml.apiKey! },
    log: (l) => transcript.push(l),
  });
  copy = copyProject(REPO_ROOT);
  const plaintexts = copy.writeStack(
    STACK,
    {
      "aws:region": moto.region,
      [`${NS}:stores`]: [
        { name: "acc-keyed", backend: "aws", region: moto.region, credentials: "access-key" },
        { name: "acc-roled", backend: "aws", region: moto.region, credentials: "iam-role" },
      ],
      [`${NS}:zenml`]: { serverUrl: zenml.url },
    },
    { [`${NS}:zenmlApiKey`]: zenml.apiKey! },
  );
  engine = new LanghostEngine({ projectRoot: copy.root, stack: STACK }).handle(
    "aws:*",
    motoResourceHandler(moto),
  );
  for (const [token, handler] of Object.entries(motoInvokes(moto))) engine.invoke(token, handler);
  up = await engine.up({ plaintexts });
  record(up);
  console.log(
    `up: ${Math.round(up.durationMs / 1000)} s, ${JSON.stringify(up.summary)}, first error: ${JSON.stringify(up.errors[0])}`,
  );
  expect(up.ok, `errors:\n${up.errors.join("\n---\n")}\n${up.program.stderr.slice(-3000)}`).toBe(
    true,
  );
  stores = up.outputs.stores.value as Record<string, StoreFacts>;
  credentials = up.outputs.credentials.value as Record<string, Record<string, string>>;
  for (const [name, creds] of Object.entries(credentials)) leaks.credentials(name, creds);
  leaks
    .secret("ZenML API key", zenml.apiKey)
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .log(zenml.logFile)
    .log(moto.logFile)
    .dir(copy.root);
}, 1_800_000);

afterAll(async () => {
  copy?.remove();
  await zenml?.stop();
  await moto?.stop();
});

describe("AWS acceptance through cmd/run, moto and a real ZenML server", () => {
  it("created every resource through the engine's steps, the credentials a secret output", () => {
    const created = up.steps.filter((s) => s.op === "create").map((s) => s.type);
    expect(created.filter((t) => t === "aws:s3/bucket:Bucket")).toHaveLength(2);
    expect(created.filter((t) => t === "aws:iam/accessKey:AccessKey")).toHaveLength(2);
    expect(created.filter((t) => t === "aws:iam/role:Role")).toHaveLength(1);
    expect(created.filter((t) => t === "pulumi-nodejs:dynamic:Resource")).toHaveLength(6);
    expect(up.outputs.credentials.secret).toBe(true);
    expect(credentials["acc-keyed"].aws_access_key_id).toMatch(/^[A-Z0-9]{16,}$/);
  });

  it("the ZenML resources' state keeps the API key and the connector document secret", () => {
    const connector = engine.resources().find((r) => r.name === "acc-keyed-zenml-connector")!;
    expect(connector.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const field of ["apiKey", "document"]) {
      expect(connector.outputs[field], field).toMatchObject({
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      });
    }
  });

  for (const name of ["acc-keyed", "acc-roled"]) {
    describe(`${name}: registered by the program's own ZenML resources`, () => {
      it("ZenML holds the connector, artifact store and stack, and verifies the connector against moto", async () => {
        const connector = await client.findByName("connector", `${name}-connector`);
        expect(connector?.id).toBe(
          engine.resources().find((r) => r.name === `${name}-zenml-connector`)!.id,
        );
        expect(await client.findByName("stack", name)).toBeDefined();
        const error = await client.verifyConnector(connector!.id, `${name}-connector`, {
          type: "s3-bucket",
          id: stores[name].path,
        });
        expect(error).toBeUndefined();
      });

      it("runs a real pipeline whose artifacts land in the store's bucket", async () => {
        const run = await runPipeline(
          { ...zenml.env, AWS_ENDPOINT_URL: moto.endpoint },
          { stack: name },
        );
        transcript.push(JSON.stringify(run));
        expect(run.status).toBe("completed");
        expect(run.loaded).toBe(EXPECTED_OUTPUT);
        await expectArtifactsInBucket(moto, run, bucketOf(name));
      });
    });
  }

  it("access-key mode: the minted key reads and writes its own bucket only", async () => {
    await expectKeyConfinedToBucket(
      moto,
      awsKeyOf(credentials["acc-keyed"]),
      bucketOf("acc-keyed"),
      bucketOf("acc-roled"),
    );
  });

  it("iam-role mode: the user's key can only assume the role; the role reaches only its bucket", async () => {
    await expectRoleConfinedToBucket(
      moto,
      awsKeyOf(credentials["acc-roled"]),
      connectorAuth(stores["acc-roled"]).configuration.role_arn,
      bucketOf("acc-roled"),
      bucketOf("acc-keyed"),
    );
  });

  it("leak check: no minted secret or API key in output, plugin output, service logs or the project copy", () => {
    // The filter above must not hide everything: the user-visible diagnostics are many, the debug ones exist.
    expect(debugDiagnostics).toBeGreaterThan(0);
    expectNoLeaks(leaks, { texts: 2, logs: 2, files: 1 });
  });
});
