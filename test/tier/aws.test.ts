/**
 * AWS acceptance: the real program provisions two S3 stores (access-key and
 * iam-role) into moto (IAM enforcement on) through emulator-backed mocks; the
 * stores are registered in a real ZenML 0.98 server from this project's own
 * documents (REST bodies for one, the generated CLI script for the other);
 * ZenML verifies each connector against moto; a real ZenML pipeline runs on
 * each stack and its artifacts are found in the moto bucket; the minted
 * credentials are shown to work on their own bucket and be refused elsewhere.
 * What is not real: AWS itself (moto stands in), and the Pulumi engine/provider
 * (test/support/awsEmulator.ts maps each resource to the AWS call it would make).
 * ZenML's AWS clients reach moto through AWS_ENDPOINT_URL, set only in tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretEnvName, renderCliScript } from "../../src/zenml/cliScript";
import { ZenmlClient } from "../../src/zenml/client";
import { storeDocuments, type StoreDocuments } from "../../src/zenml/documents";
import { storeRegistration, type StoreFacts } from "../../src/zenml/model";
import { applyStoreRegistration } from "../../src/zenml/apply";
import {
  awsKeyOf,
  expectArtifactsInBucket,
  expectKeyConfinedToBucket,
  expectRoleConfinedToBucket,
} from "../support/awsAccess";
import { provisionOnMoto, type Created } from "../support/awsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  runPipeline,
  runProcess,
  startMoto,
  startZenmlServer,
  venvBin,
  type MotoServer,
  type PipelineResult,
  type ZenmlServer,
} from "../support/services";
import { connectorAuth, connectorRegistration } from "../support/registrations";

let moto: MotoServer;
let zenml: ZenmlServer;
let client: ZenmlClient;
let created: Created[];
let stores: Record<string, StoreFacts>;
let credentials: Record<string, Record<string, string>>;
const transcript: string[] = [];
const leaks = new LeakCheck();

const EXPECTED_OUTPUT = "hello from step 1 -> sum=6";

function docsFor(name: string): StoreDocuments {
  return storeDocuments(
    connectorRegistration(storeRegistration(name, stores[name], credentials[name])),
  );
}
function bucketOf(name: string): string {
  return stores[name].path.replace("s3://", "");
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
  const provisioned = await provisionOnMoto(moto, {
    "zenml-remote-storage:stores": [
      { name: "acc-keyed", backend: "aws", region: moto.region, credentials: "access-key" },
      { name: "acc-roled", backend: "aws", region: moto.region, credentials: "iam-role" },
    ],
  });
  created = provisioned.created;
  stores = provisioned.outputs.stores as Record<string, StoreFacts>;
  credentials = provisioned.outputs.credentials as Record<string, Record<string, string>>;
  for (const [name, creds] of Object.entries(credentials)) leaks.credentials(name, creds);
  leaks
    .secret("ZenML API key", zenml.apiKey)
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .log(zenml.logFile)
    .log(moto.logFile);
});

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
});

describe("AWS acceptance on moto and a real ZenML server", () => {
  it("provisioned every resource the program asked for in moto", () => {
    const types = created.filter((c) => c.type.startsWith("aws:")).map((c) => c.type);
    expect(types.filter((t) => t === "aws:s3/bucket:Bucket")).toHaveLength(2);
    expect(types.filter((t) => t === "aws:iam/accessKey:AccessKey")).toHaveLength(2);
    expect(types.filter((t) => t === "aws:iam/role:Role")).toHaveLength(1);
    expect(credentials["acc-keyed"].aws_access_key_id).toMatch(/^[A-Z0-9]{16,}$/);
  });

  describe("access-key mode, registered through the REST bodies", () => {
    let run: PipelineResult;

    it("registers and ZenML verifies the connector against moto", async () => {
      const ids = await applyStoreRegistration(client, docsFor("acc-keyed"));
      const error = await client.verifyConnector(ids.credentialsId, "acc-keyed-connector", {
        type: "s3-bucket",
        id: stores["acc-keyed"].path,
      });
      expect(error).toBeUndefined();
    });

    it("runs a real pipeline whose artifacts land in the store's bucket", async () => {
      run = await runPipeline(
        { ...zenml.env, AWS_ENDPOINT_URL: moto.endpoint },
        { stack: "acc-keyed" },
      );
      transcript.push(JSON.stringify(run));
      expect(run.status).toBe("completed");
      expect(run.loaded).toBe(EXPECTED_OUTPUT);
      await expectArtifactsInBucket(moto, run, bucketOf("acc-keyed"));
    });

    it("the minted key reads and writes its own bucket; moto refuses it on another bucket, on listing all buckets and on IAM", async () => {
      await expectKeyConfinedToBucket(
        moto,
        awsKeyOf(credentials["acc-keyed"]),
        bucketOf("acc-keyed"),
        bucketOf("acc-roled"),
      );
    });
  });

  describe("iam-role mode, registered by the generated zenml CLI script", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "zrs-cli-"));
    });
    afterAll(() => {
      leaks.dirNow(dir);
      rmSync(dir, { recursive: true, force: true });
    });

    it("registers with the script, secrets passed only through the environment", async () => {
      const docs = docsFor("acc-roled");
      const script = renderCliScript([docs]);
      for (const value of Object.values(credentials["acc-roled"]))
        expect(script).not.toContain(value);
      const path = join(dir, "register.sh");
      writeFileSync(path, script, { mode: 0o700 });
      const secrets = Object.fromEntries(
        Object.entries(credentials["acc-roled"]).map(([field, value]) => [
          secretEnvName("acc-roled", field),
          value,
        ]),
      );
      const result = await runProcess("bash", [path], {
        ...zenml.env,
        ...secrets,
        AWS_ENDPOINT_URL: moto.endpoint,
        PATH: `${dirname(venvBin("zenml"))}:${process.env.PATH}`,
      });
      transcript.push(result.stdout, result.stderr);
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const stack = await client.findByName("stack", "acc-roled");
      expect(stack).toBeDefined();
    });

    it("ZenML verifies the iam-role connector (STS AssumeRole on moto)", async () => {
      const connector = await client.findByName("connector", "acc-roled-connector");
      const error = await client.verifyConnector(connector!.id, "acc-roled-connector", {
        type: "s3-bucket",
        id: stores["acc-roled"].path,
      });
      expect(error).toBeUndefined();
    });

    it("runs a real pipeline whose artifacts land in the store's bucket", async () => {
      const run = await runPipeline(
        { ...zenml.env, AWS_ENDPOINT_URL: moto.endpoint },
        { stack: "acc-roled" },
      );
      transcript.push(JSON.stringify(run));
      expect(run.status).toBe("completed");
      expect(run.loaded).toBe(EXPECTED_OUTPUT);
      await expectArtifactsInBucket(moto, run, bucketOf("acc-roled"));
    });

    it("the user's own key can only assume the role; the role's credentials reach only its bucket", async () => {
      await expectRoleConfinedToBucket(
        moto,
        awsKeyOf(credentials["acc-roled"]),
        connectorAuth(stores["acc-roled"]).configuration.role_arn,
        bucketOf("acc-roled"),
        bucketOf("acc-keyed"),
      );
    });
  });

  it("no minted secret appears in anything the tests printed or logged", () => {
    const everything = transcript.join("\n");
    for (const creds of Object.values(credentials)) {
      expect(everything).not.toContain(creds.aws_secret_access_key);
    }
  });

  it("leak check: no minted secret in output, service logs or files written", () => {
    expectNoLeaks(leaks, { texts: 2, logs: 2, files: 1 });
  });
});
