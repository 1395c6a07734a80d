/**
 * GCP acceptance: the real program provisions two GCS stores (service-account-key and
 * impersonation) through emulator-backed mocks; the stores are registered in a real
 * ZenML 0.98 server from this project's own REST bodies; a real ZenML pipeline runs on
 * the service-account stack and its artifacts are found in the emulator's bucket.
 *
 * What is real: the program and component code, ZenML's server, client, GCP service
 * connector and `gcp` artifact store (google-auth, google-cloud-storage, gcsfs), and the
 * GCS JSON API of gcp-storage-emulator. The service-account key ZenML holds is the one
 * the program's outputs carry: a real RSA key (made by the mocks in place of GCP), which
 * ZenML's connector uses to sign Google's JWT-bearer grant; the emulator's front
 * (test/support/gcs_emulator.py) checks that signature, issues the token and then
 * enforces the program's bucket-level bindings on every GCS request.
 * What is not real: Google. The token endpoint, the IAM checks and their role table are
 * ours (see gcs_emulator.py); the Pulumi engine and GCP provider are replaced by mocks
 * (test/support/gcsEmulator.ts). The impersonation connector is registered but not
 * verified or used: its token comes from the IAM Credentials API (generateAccessToken)
 * at a fixed googleapis.com address that no emulator here can answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZenmlClient } from "../../src/zenml/client";
import { storeDocuments, type StoreDocuments } from "../../src/zenml/documents";
import { storeRegistration, type StoreFacts } from "../../src/zenml/model";
import { serviceConnectorRequest } from "../../src/zenml/restBodies";
import { applyStoreRegistration } from "../../src/zenml/apply";
import {
  mintServiceAccountKey,
  provisionOnGcsEmulator,
  startGcsEmulator,
  type Created,
  type GcsEmulator,
} from "../support/gcsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  runPipeline,
  startZenmlServer,
  type PipelineResult,
  type ZenmlServer,
} from "../support/services";
import { connectorAuth, connectorRegistration } from "../support/registrations";

const PROJECT = "zrs-acceptance";
const SOURCE = `zenml-source@${PROJECT}.iam.gserviceaccount.com`;
const EXPECTED_OUTPUT = "hello from step 1 -> sum=6";

let emu: GcsEmulator;
let zenml: ZenmlServer;
let client: ZenmlClient;
let created: Created[];
let stores: Record<string, StoreFacts>;
let credentials: Record<string, Record<string, string>>;
let sourceKey: string;
const transcript: string[] = [];
const leaks = new LeakCheck();

function docsFor(name: string): StoreDocuments {
  return storeDocuments(
    connectorRegistration(storeRegistration(name, stores[name], credentials[name])),
  );
}
function bucketOf(name: string): string {
  return stores[name].path.replace("gs://", "");
}
function emailOf(name: string): string {
  return JSON.parse(credentials[name].service_account_json).client_email as string;
}

beforeAll(async () => {
  leaks.captureOutput().text("transcript", transcript);
  emu = await startGcsEmulator();
  zenml = await startZenmlServer({ auth: true, serverEnv: emu.clientEnv });
  client = new ZenmlClient({
    url: zenml.url,
    auth: { apiKey: zenml.apiKey! },
    log: (l) => transcript.push(l),
  });
  // The impersonator's own key: brought by the user in real life (storeSecrets.<store>.impersonatorKey).
  sourceKey = (await mintServiceAccountKey(emu, SOURCE)).json;
  const provisioned = await provisionOnGcsEmulator(emu, {
    "gcp:project": PROJECT,
    "gcp:region": "europe-west1",
    "zenml-remote-storage:stores": [
      { name: "gcs-keyed", backend: "gcp", credentials: "service-account-key" },
      {
        name: "gcs-imp",
        backend: "gcp",
        credentials: "impersonation",
        impersonator: `serviceAccount:${SOURCE}`,
        bucket: { name: "gcs-imp-artifacts" },
      },
    ],
    "zenml-remote-storage:storeSecrets": {
      "gcs-imp": { impersonatorKey: Buffer.from(sourceKey).toString("base64") },
    },
  });
  created = provisioned.created;
  stores = provisioned.outputs.stores as Record<string, StoreFacts>;
  credentials = provisioned.outputs.credentials as Record<string, Record<string, string>>;
  for (const [name, creds] of Object.entries(credentials)) leaks.credentials(name, creds);
  leaks
    .credentials("impersonator key", { service_account_json: sourceKey })
    .secret("ZenML API key", zenml.apiKey)
    .log(zenml.logFile)
    .log(emu.logFile);
});

afterAll(async () => {
  await zenml?.stop();
  await emu?.stop();
});

describe("GCP acceptance on a GCS emulator and a real ZenML server", () => {
  it("created the buckets the program asked for in the emulator", async () => {
    const buckets = created.filter((c) => c.type === "gcp:storage/bucket:Bucket");
    expect(buckets.map((b) => b.state.name)).toEqual([bucketOf("gcs-keyed"), "gcs-imp-artifacts"]);
    for (const b of buckets) {
      const res = await fetch(`${emu.emulatorEndpoint}/storage/v1/b/${b.state.name}`);
      expect(res.status).toBe(200);
    }
    expect(created.filter((c) => c.type === "gcp:serviceaccount/key:Key")).toHaveLength(1);
  });

  describe("service-account-key mode, registered through the REST bodies", () => {
    let run: PipelineResult;

    it("registers, and ZenML verifies the connector with the minted key", async () => {
      const ids = await applyStoreRegistration(client, docsFor("gcs-keyed"));
      const error = await client.verifyConnector(ids.credentialsId, "gcs-keyed-connector", {
        type: "gcs-bucket",
        id: stores["gcs-keyed"].path,
      });
      expect(error).toBeUndefined();
      const log = await emu.requestLog();
      const email = emailOf("gcs-keyed");
      // ZenML exchanged a JWT signed with the minted key for a token...
      expect(log).toContainEqual(
        expect.objectContaining({ kind: "token", status: 200, iss: email }),
      );
      // ...and used it for get_bucket, which the legacyBucketReader binding allows.
      expect(log).toContainEqual(
        expect.objectContaining({
          kind: "gcs",
          email,
          method: "GET",
          path: `/storage/v1/b/${bucketOf("gcs-keyed")}`,
          status: 200,
        }),
      );
    });

    it("runs a real pipeline whose artifacts land in the store's bucket", async () => {
      run = await runPipeline({ ...zenml.env, ...emu.clientEnv }, { stack: "gcs-keyed" });
      transcript.push(JSON.stringify(run));
      expect(run.status).toBe("completed");
      expect(run.loaded).toBe(EXPECTED_OUTPUT);
      expect(run.artifact_store_path).toBe(`gs://${bucketOf("gcs-keyed")}`);
      const names = await emu.objectNames(bucketOf("gcs-keyed"));
      expect(run.artifact_uris.length).toBeGreaterThanOrEqual(2);
      for (const uri of run.artifact_uris) {
        expect(uri.startsWith(`gs://${bucketOf("gcs-keyed")}/`)).toBe(true);
        const prefix = uri.slice(`gs://${bucketOf("gcs-keyed")}/`.length);
        expect(names.some((n) => n.startsWith(prefix))).toBe(true);
      }
    });

    it("every GCS request of the run was the store's account on its own bucket, and allowed", async () => {
      const email = emailOf("gcs-keyed");
      const gcs = (await emu.requestLog()).filter((e) => e.kind === "gcs" && e.email === email);
      expect(gcs.length).toBeGreaterThan(5);
      // 404s are gcsfs probing for objects that do not exist yet; nothing was refused.
      expect(gcs.filter((e) => e.status === 401 || e.status === 403)).toEqual([]);
      const buckets = new Set(gcs.flatMap((e) => (e.needs ?? []).map(([, b]) => b)));
      expect([...buckets]).toEqual([bucketOf("gcs-keyed")]);
    });

    it("the emulator's front refuses the store's account on another bucket and on listing buckets", async () => {
      const token = await tokenFor(credentials["gcs-keyed"].service_account_json);
      const headers = { Authorization: `Bearer ${token}` };
      const own = await fetch(`${emu.endpoint}/storage/v1/b/${bucketOf("gcs-keyed")}/o`, {
        headers,
      });
      expect(own.status).toBe(200);
      const other = await fetch(`${emu.endpoint}/storage/v1/b/gcs-imp-artifacts/o`, { headers });
      expect(other.status).toBe(403);
      const list = await fetch(`${emu.endpoint}/storage/v1/b?project=${PROJECT}`, { headers });
      expect(list.status).toBe(403);
      const anonymous = await fetch(`${emu.endpoint}/storage/v1/b/${bucketOf("gcs-keyed")}/o`);
      expect(anonymous.status).toBe(401);
    });
  });

  describe("impersonation mode, registered through the REST bodies without verification", () => {
    it("ZenML accepts the impersonation connector document and stores the source key as a secret", async () => {
      const docs = docsFor("gcs-imp");
      expect(docs.connector.auth_method).toBe("impersonation");
      expect(serviceConnectorRequest(docs.connector).configuration).toMatchObject({
        project_id: PROJECT,
        target_principal: expect.stringMatching(/^zenml-gcs-imp-[0-9a-f]{8}@/),
      });
      const ids = await applyStoreRegistration(client, docs);
      const response = await fetch(
        `${zenml.url}/api/v1/service_connectors/${ids.credentialsId}?expand_secrets=true`,
        { headers: await zenml.authHeaders() },
      );
      const body = (await response.json()) as {
        body: { auth_method: string; resource_id: string };
        metadata: { configuration: Record<string, unknown> };
      };
      expect(body.body.auth_method).toBe("impersonation");
      expect(body.body.resource_id).toBe("gs://gcs-imp-artifacts");
      expect(body.metadata.configuration.target_principal).toBe(
        connectorAuth(stores["gcs-imp"]).configuration.target_principal,
      );
      // ZenML stores the JSON (it decodes base64 itself); the key is the impersonator's.
      expect(
        JSON.parse(String(body.metadata.configuration.service_account_json)).client_email,
      ).toBe(SOURCE);
      // With expand_secrets=false (its default is true) the server does not hand the key out.
      const masked = await fetch(
        `${zenml.url}/api/v1/service_connectors/${ids.credentialsId}?expand_secrets=false`,
        { headers: await zenml.authHeaders() },
      );
      expect(await masked.text()).not.toContain("PRIVATE KEY");
      const stack = await client.findByName("stack", "gcs-imp");
      expect(stack).toBeDefined();
    });

    it("the store's own account has no key: only the impersonator's was ever minted", () => {
      const keys = created.filter((c) => c.type === "gcp:serviceaccount/key:Key");
      expect(keys.map((k) => k.name)).toEqual(["gcs-keyed-key"]);
      const grant = created.find((c) => c.type === "gcp:serviceaccount/iAMMember:IAMMember");
      expect(grant?.inputs).toMatchObject({
        role: "roles/iam.serviceAccountTokenCreator",
        member: `serviceAccount:${SOURCE}`,
      });
    });
  });

  it("leak check: no minted key in output, service logs or files written", () => {
    expectNoLeaks(leaks, { texts: 2, logs: 2 });
  });
});

/** A token for a key file, through the same JWT-bearer exchange google-auth performs. */
async function tokenFor(keyJson: string): Promise<string> {
  const { createSign } = await import("node:crypto");
  const key = JSON.parse(keyJson) as Record<string, string>;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "RS256", typ: "JWT", kid: key.private_key_id })}.${b64({
    iss: key.client_email,
    scope: "https://www.googleapis.com/auth/cloud-platform",
    aud: key.token_uri,
    iat: now,
    exp: now + 600,
  })}`;
  const signature = createSign("RSA-SHA256").update(input).sign(key.private_key, "base64url");
  const res = await fetch(key.token_uri, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      assertion: `${input}.${signature}`,
    }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}
