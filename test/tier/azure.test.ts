/**
 * Acceptance test of the Azure backend on real software, started by this test:
 * Azurite (blob service, HTTPS, one storage account), a real ZenML 0.98 server
 * with authentication on, and a real two-step ZenML pipeline.
 *
 * What is real and what is not:
 * - REAL: Azurite's authorization of the SAS (signature, container scope,
 *   permissions, expiry, HTTPS-only), adlfs/azure-storage-blob inside ZenML's
 *   `azure` artifact store, the ZenML server storing the secret, artifact store,
 *   stack and connector, and the pipeline run writing its artifacts to Azurite.
 * - EMULATED: ARM. The AzureBlobArtifactStore component runs under Pulumi's
 *   mock runtime; its `listStorageAccountServiceSAS` request is answered by
 *   signing exactly that request with the Azurite account's key, as ARM does
 *   server-side (service version 2015-04-05, the version ARM's tokens carry in
 *   public reports); the storage account's blob endpoint is Azurite's. No Azure
 *   or Azure AD call is made, and the service-principal connector is registered
 *   WITHOUT verification (ZenML's azure connector only talks to
 *   *.blob.core.windows.net and Azure AD, which cannot be reached here).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureBlobArtifactStore } from "../../src/stores/azure/blobArtifactStore";
import { ZenmlClient } from "../../src/zenml/client";
import {
  registrationDocuments,
  usesSecret,
  type SecretStoreDocuments,
  type StoreDocuments,
} from "../../src/zenml/documents";
import type { StoreRegistration } from "../../src/zenml/model";
import {
  componentRequest,
  secretArtifactStoreRequest,
  secretRequest,
  serviceConnectorRequest,
  stackRequest,
} from "../../src/zenml/restBodies";
import {
  azuriteAdmin,
  azuriteBin,
  httpsGet,
  randomAccountKey,
  signServiceSas,
  startAzurite,
  type Azurite,
  type ServiceSasRequest,
} from "../support/azurite";
import { renderCliScript, secretEnvName } from "../../src/zenml/cliScript";
import { AZURITE_LOGS_SAS_URLS, expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  freePort,
  runPipeline,
  runProcess,
  startZenmlServer,
  VENV_DIR,
  type PipelineResult,
  type ZenmlServer,
} from "../support/services";

const SUBSCRIPTION_ID = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const TENANT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const CLIENT_ID = "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e";
const SP_OBJECT_ID = "2c3d4e5f-6a7b-4c8d-ae9f-0a1b2c3d4e5f";
const FAKE_CLIENT_SECRET = "tier-fake-client-secret~never-used-against-azure";
const CONTAINER = "zenml-artifacts";
const OTHER_CONTAINER = "other-team";
/** One day ahead, whole seconds: the SAS must be valid while the test runs. */
const SAS_EXPIRY = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");

let port: number;
const accountKey = randomAccountKey();
const sasRequests: ServiceSasRequest[] = [];
let azurite: Azurite | undefined;
let server: ZenmlServer | undefined;
let client: ZenmlClient;
let sasStore: AzureBlobArtifactStore;
let spStore: AzureBlobArtifactStore;
const leaks = new LeakCheck();

/** Resolves a Pulumi output under the mock runtime. */
function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((v) => done(v)));
}

/** The registration facts the program derives from a store's outputs (as src/zenml does). */
async function registrationOf(store: AzureBlobArtifactStore): Promise<StoreRegistration> {
  return {
    storeName: store.storeName,
    stackName: store.storeName,
    backend: store.backend,
    flavor: store.flavor,
    path: await resolve(store.path),
    artifactStoreConfiguration: await resolve(store.artifactStoreConfiguration),
    auth: await resolve(pulumi.output(store.auth)),
    credentials: await resolve(store.credentials),
  };
}

async function zenmlPost(path: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await fetch(`${server!.url}${path}`, {
    method: "POST",
    headers: { ...(await server!.authHeaders()), "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} -> ${response.status}: ${text.slice(0, 800)}`);
  return JSON.parse(text) as { id: string };
}

async function zenmlGet(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${server!.url}${path}`, { headers: await server!.authHeaders() });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path} -> ${response.status}: ${text.slice(0, 800)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function defaultOrchestratorId(): Promise<string> {
  const orchestrator = await client.findByName("component", "default", "orchestrator");
  if (!orchestrator) throw new Error("the ZenML server has no default orchestrator");
  return orchestrator.id;
}

/**
 * Runs the generated registration script with bash and the venv's `zenml` CLI
 * against the test server; secrets reach it only through `secretEnv`.
 */
async function runRegisterScript(
  docs: Parameters<typeof renderCliScript>[0],
  secretEnv: Record<string, string>,
  verify: boolean,
): Promise<void> {
  const script = renderCliScript(docs, { verify });
  const r = await runProcess(
    "bash",
    ["-c", script],
    {
      ...server!.env,
      ...secretEnv,
      PATH: `${path.join(VENV_DIR, "bin")}:${process.env.PATH ?? ""}`,
    },
    { timeoutMs: 240_000 },
  );
  leaks.text("register script output", `${r.stdout}\n${r.stderr}`);
  if (r.code !== 0) {
    throw new Error(`register script failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
  }
}

beforeAll(async () => {
  leaks.captureOutput();
  azuriteBin(); // fails the run at once, naming the missing devDependency
  port = await freePort();
  // ARM, emulated: what the component asks Azure Resource Manager for.
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs };
        switch (args.type) {
          case "azure-native:resources:ResourceGroup":
            state.name = args.inputs.resourceGroupName;
            break;
          case "azure-native:storage:StorageAccount":
            state.name = args.inputs.accountName;
            state.primaryEndpoints = {
              blob: `https://127.0.0.1:${port}/${args.inputs.accountName}/`,
            };
            break;
          case "azure-native:storage:BlobContainer":
            state.name = args.inputs.containerName;
            break;
          case "azuread:index/application:Application":
            state.clientId = CLIENT_ID;
            break;
          case "azuread:index/servicePrincipal:ServicePrincipal":
            state.objectId = SP_OBJECT_ID;
            break;
          case "azuread:index/applicationPassword:ApplicationPassword":
            state.value = FAKE_CLIENT_SECRET;
            break;
        }
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        switch (args.token) {
          case "azure-native:authorization:getClientConfig":
            return {
              clientId: CLIENT_ID,
              objectId: SP_OBJECT_ID,
              subscriptionId: SUBSCRIPTION_ID,
              tenantId: TENANT_ID,
            };
          case "azuread:index/getClientConfig:getClientConfig":
            return { clientId: CLIENT_ID, objectId: SP_OBJECT_ID, tenantId: TENANT_ID };
          case "azure-native:storage:listStorageAccountServiceSAS": {
            const request = { ...args.inputs } as unknown as ServiceSasRequest;
            sasRequests.push(request);
            return { serviceSasToken: signServiceSas(request, accountKey) };
          }
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "zenml-remote-storage",
    "azure-tier",
    false,
  );
  const { AzureBlobArtifactStore } = await import("../../src/stores/azure/blobArtifactStore");
  sasStore = new AzureBlobArtifactStore("az-sas", {
    location: "westeurope",
    containerName: CONTAINER,
    credentials: "sas",
    sasExpiry: SAS_EXPIRY,
  });
  spStore = new AzureBlobArtifactStore("az-sp", {
    location: "westeurope",
    containerName: "sp-artifacts",
    credentials: "service-principal",
  });
  const accountName = await resolve(sasStore.storageAccountName);
  await resolve(sasStore.credentials);

  azurite = await startAzurite({ accountName, accountKey, port });
  await azuriteAdmin(azurite, "create-container", CONTAINER);
  await azuriteAdmin(azurite, "create-container", OTHER_CONTAINER);
  server = await startZenmlServer({ auth: true });
  client = new ZenmlClient({ url: server.url, auth: { apiKey: server.apiKey! } });
  leaks
    .secret("Azurite account key (ARM's key1)", accountKey)
    .secret("service-principal client secret", FAKE_CLIENT_SECRET)
    .secret("ZenML API key", server.apiKey)
    .log(azurite.logFile, AZURITE_LOGS_SAS_URLS)
    .log(server.logFile);
});

afterAll(async () => {
  await azurite?.stop();
  await server?.stop();
});

describe("Azure sas mode on Azurite and a real ZenML server", () => {
  let docs: SecretStoreDocuments;
  let sas: string;
  let run: PipelineResult;

  beforeAll(async () => {
    const reg = await registrationOf(sasStore);
    const all = registrationDocuments(reg);
    if (!usesSecret(all)) throw new Error("sas mode must give secret documents");
    docs = all;
    sas = /SharedAccessSignature=(.*)$/.exec(String(reg.credentials.connection_string))![1];
    leaks
      .credentials("az-sas", reg.credentials)
      .secret("SAS signature", new URLSearchParams(sas).get("sig") ?? undefined);
  });

  it("asked ARM for exactly one SAS: this container, racwdl, HTTPS only, the configured expiry", async () => {
    const accountName = await resolve(sasStore.storageAccountName);
    expect(sasRequests).toEqual([
      {
        resourceGroupName: await resolve(sasStore.resourceGroupName),
        accountName,
        canonicalizedResource: `/blob/${accountName}/${CONTAINER}`,
        resource: "c",
        permissions: "racwdl",
        protocols: "https",
        sharedAccessExpiryTime: SAS_EXPIRY,
        keyToSign: "key1",
      },
    ]);
    const params = new URLSearchParams(sas);
    expect(params.get("sp")).toBe("racwdl");
    expect(params.get("sr")).toBe("c");
    expect(params.get("spr")).toBe("https");
  });

  it("gives ZenML a connection string with the blob endpoint and the SAS, no account key", () => {
    const connection = docs.secret.values.connection_string;
    expect(connection).toBe(`BlobEndpoint=${azurite!.blobEndpoint};SharedAccessSignature=${sas}`);
    expect(connection).not.toContain(accountKey);
    expect(connection).not.toMatch(/AccountKey/i);
  });

  it("Azurite accepts the SAS on the container and refuses it on another container", async () => {
    const base = `https://127.0.0.1:${port}/${azurite!.accountName}`;
    const own = await httpsGet(
      `${base}/${CONTAINER}?restype=container&comp=list&${sas}`,
      azurite!.caFile,
    );
    expect(own.status).toBe(200);
    const otherList = await httpsGet(
      `${base}/${OTHER_CONTAINER}?restype=container&comp=list&${sas}`,
      azurite!.caFile,
    );
    expect(otherList.status).toBe(403);
    const otherWrite = await httpsGet(
      `${base}/${OTHER_CONTAINER}/intruder.txt?${sas}`,
      azurite!.caFile,
      "PUT",
      "should not land",
    );
    expect(otherWrite.status).toBe(403);
    expect((await azuriteAdmin(azurite!, "list-blobs", OTHER_CONTAINER)).blobs).toEqual([]);
    // Account-level operations are outside a container SAS too.
    const listContainers = await httpsGet(`${base}?comp=list&${sas}`, azurite!.caFile);
    expect(listContainers.status).toBe(403);
  });

  it("registers the ZenML secret, the azure artifact store naming it, and the stack (REST)", async () => {
    const secret = await zenmlPost("/api/v1/secrets", secretRequest(docs.secret));
    const component = await client.create(
      "component",
      secretArtifactStoreRequest(docs.artifactStore),
    );
    await client.create(
      "stack",
      stackRequest(docs.stack, {
        artifact_store: component.id,
        orchestrator: await defaultOrchestratorId(),
      }),
    );
    const stored = (await zenmlGet(`/api/v1/components/${component.id}`)) as {
      body: { flavor_name?: string; flavor?: string };
      metadata: { configuration: Record<string, unknown>; connector?: unknown };
    };
    expect(stored.metadata.configuration).toMatchObject({
      path: `az://${CONTAINER}`,
      authentication_secret: "az-sas-secret",
    });
    expect(stored.metadata.connector ?? null).toBeNull();
    const storedSecret = (await zenmlGet(`/api/v1/secrets/${secret.id}`)) as {
      name: string;
      body: { private: boolean; values: Record<string, string> };
    };
    expect(storedSecret.name).toBe("az-sas-secret");
    expect(storedSecret.body.private).toBe(false);
    expect(storedSecret.body.values.connection_string).toBe(docs.secret.values.connection_string);
  });

  it("runs a real ZenML pipeline whose artifacts land in the container, through the SAS", async () => {
    run = await runPipeline(
      {
        ...server!.env,
        // Trust Azurite's self-signed certificate (aiohttp/OpenSSL and requests).
        SSL_CERT_FILE: azurite!.caFile,
        REQUESTS_CA_BUNDLE: azurite!.caFile,
      },
      { stack: docs.stack.name },
    );
    leaks.text("pipeline run", JSON.stringify(run));
    expect(run.status).toBe("completed");
    expect(run.artifact_store_path).toBe(`az://${CONTAINER}`);
    expect(run.loaded).toBe("hello from step 1 -> sum=6");
    expect(run.artifact_uris.length).toBeGreaterThan(0);
    const blobs = (await azuriteAdmin(azurite!, "list-blobs", CONTAINER)).blobs as string[];
    for (const uri of run.artifact_uris) {
      expect(uri.startsWith(`az://${CONTAINER}/`)).toBe(true);
      const prefix = uri.slice(`az://${CONTAINER}/`.length);
      expect(blobs.some((b) => b.startsWith(prefix))).toBe(true);
    }
    expect((await azuriteAdmin(azurite!, "list-blobs", OTHER_CONTAINER)).blobs).toEqual([]);
  });

  it("the generated CLI script registers the same store with `zenml secret create` from a file", async () => {
    const reg = {
      ...(await registrationOf(sasStore)),
      storeName: "az-sas-cli",
      stackName: "az-sas-cli",
    };
    const cliDocs = registrationDocuments({
      ...reg,
      auth: { kind: "secret", name: "az-sas-cli-secret" },
    });
    await runRegisterScript(
      [cliDocs],
      {
        [secretEnvName("az-sas-cli", "connection_string")]: docs.secret.values.connection_string,
      },
      true,
    );
    const component = await client.findByName("component", "az-sas-cli", "artifact_store");
    expect(component).toBeDefined();
    const stored = (await zenmlGet(`/api/v1/components/${component!.id}`)) as {
      metadata: { configuration: Record<string, unknown> };
    };
    expect(stored.metadata.configuration).toMatchObject({
      path: `az://${CONTAINER}`,
      authentication_secret: "az-sas-cli-secret",
    });
    const secrets = (await zenmlGet("/api/v1/secrets?name=az-sas-cli-secret")) as {
      items: { id: string }[];
    };
    expect(secrets.items).toHaveLength(1);
    const secret = (await zenmlGet(`/api/v1/secrets/${secrets.items[0].id}`)) as {
      body: { private: boolean; values: Record<string, string> };
    };
    expect(secret.body.private).toBe(false);
    expect(secret.body.values.connection_string).toBe(docs.secret.values.connection_string);
    expect(await client.findByName("stack", "az-sas-cli")).toBeDefined();
  });
});

describe("Azure service-principal mode: ZenML accepts the connector document (not verified)", () => {
  let docs: StoreDocuments;

  beforeAll(async () => {
    const all = registrationDocuments(await registrationOf(spStore));
    if (usesSecret(all)) throw new Error("service-principal mode must give connector documents");
    docs = all;
  });

  it("registers the azure service-principal connector for the blob container, without verification", async () => {
    const connector = await client.create("connector", serviceConnectorRequest(docs.connector));
    const stored = (await zenmlGet(
      `/api/v1/service_connectors/${connector.id}?expand_secrets=true`,
    )) as {
      body: { connector_type: unknown; auth_method: string; resource_types: string[] };
      metadata: { configuration: Record<string, unknown>; resource_id?: string };
    };
    expect(stored.body.auth_method).toBe("service-principal");
    expect(stored.body.resource_types).toEqual(["blob-container"]);
    expect(stored.metadata.configuration).toMatchObject({
      tenant_id: TENANT_ID,
      client_id: CLIENT_ID,
      subscription_id: SUBSCRIPTION_ID,
      resource_group: await resolve(spStore.resourceGroupName),
      storage_account: await resolve(spStore.storageAccountName),
      client_secret: FAKE_CLIENT_SECRET,
    });
    const component = await client.create(
      "component",
      componentRequest(docs.artifactStore, connector.id),
    );
    const stack = await client.create(
      "stack",
      stackRequest(docs.stack, {
        artifact_store: component.id,
        orchestrator: await defaultOrchestratorId(),
      }),
    );
    expect(stack.name).toBe("az-sp");
  });
  it("the generated CLI script registers it too, with --no-verify and the secret from a file", async () => {
    const reg = {
      ...(await registrationOf(spStore)),
      storeName: "az-sp-cli",
      stackName: "az-sp-cli",
    };
    const cliDocs = registrationDocuments(reg);
    await runRegisterScript(
      [cliDocs],
      { [secretEnvName("az-sp-cli", "client_secret")]: FAKE_CLIENT_SECRET },
      false,
    );
    const connector = await client.findByName("connector", "az-sp-cli-connector");
    expect(connector).toBeDefined();
    const component = await client.findByName("component", "az-sp-cli", "artifact_store");
    const stored = (await zenmlGet(`/api/v1/components/${component!.id}`)) as {
      metadata: { connector_resource_id?: string; connector?: { id: string } | null };
    };
    expect(stored.metadata.connector?.id).toBe(connector!.id);
    expect(stored.metadata.connector_resource_id).toBe("az://sp-artifacts");
  });
});

it("leak check: no SAS, client secret, account key or API key in output, service logs or files", () => {
  expectNoLeaks(leaks, { texts: 3, logs: 2 });
});
