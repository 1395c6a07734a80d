/**
 * `verify` on Azure Blob stores, against Azurite (HTTPS, one storage account).
 *
 * REAL: the Azure verifier (@azure/storage-blob writing, reading, listing and deleting
 * the probe blob with the SAS connection string the component gives ZenML), Azurite's
 * authorization of that SAS (signature, container scope, permissions, expiry,
 * HTTPS-only), the `verify` command on a recorded registration (stack config files,
 * retry loop).
 * EMULATED: ARM. The AzureBlobArtifactStore component runs under Pulumi's mock runtime;
 * its `listStorageAccountServiceSAS` request is answered by signing exactly that request
 * with the Azurite account's key, as ARM does server-side (test/support/azurite.ts); the
 * account's blob endpoint is Azurite's. The Pulumi workspace is the fake one.
 * NOT VERIFIABLE HERE: the service-principal mode. Its token comes from Azure AD
 * (login.microsoftonline.com), which cannot be reached, and Azurite cannot check a
 * client secret (even its OAuth mode does not check token signatures); the probe must
 * fail at `credentials`, naming Azure AD, and never pass.
 */
import * as fs from "node:fs";
import * as tls from "node:tls";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision } from "../../src/automation/commands/provision";
import { verify } from "../../src/automation/commands/verify";
import type { Deps } from "../../src/automation/context";
import { verifierFor } from "../../src/verify";
import { verifyStores } from "../../src/automation/verification";
import type { StoreUnderTest } from "../../src/verify/types";
import type { AzureBlobArtifactStore } from "../../src/stores/azure/blobArtifactStore";
import {
  azuriteAdmin,
  azuriteBin,
  randomAccountKey,
  signServiceSas,
  startAzurite,
  type Azurite,
  type ServiceSasRequest,
} from "../support/azurite";
import { AZURITE_LOGS_SAS_URLS, expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { freePort } from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";

const SUBSCRIPTION_ID = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const TENANT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const CLIENT_ID = "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e";
const FAKE_CLIENT_SECRET = "tier-fake-client-secret~never-accepted-anywhere";
const CONTAINER = "zenml-artifacts";
const OTHER_CONTAINER = "other-team";
const SAS_EXPIRY = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");

let port: number;
const accountKey = randomAccountKey();
let azurite: Azurite;
let sasStore: AzureBlobArtifactStore;
let spStore: AzureBlobArtifactStore;
let f: Fakes;
let deps: Deps;
const leaks = new LeakCheck();
const started = Date.now();

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((v) => done(v)));
}

/** A store as `verify` sees it, from the component's outputs. */
async function storeOf(
  store: AzureBlobArtifactStore,
  credentials?: Record<string, string>,
): Promise<StoreUnderTest> {
  return {
    storeName: store.storeName,
    backend: "azure",
    path: await resolve(store.path),
    artifactStoreConfiguration: await resolve(store.artifactStoreConfiguration),
    auth: await resolve(pulumi.output(store.auth)),
    credentials: credentials ?? (await resolve(store.credentials)),
  };
}

/** A container SAS as ARM would sign it for the component's request, with another expiry or container. */
function sasConnectionString(opts: { expiry: string; container: string }): string {
  const accountName = azurite.accountName;
  const sas = signServiceSas(
    {
      accountName,
      canonicalizedResource: `/blob/${accountName}/${opts.container}`,
      resource: "c",
      permissions: "racwdl",
      protocols: "https",
      sharedAccessExpiryTime: opts.expiry,
    },
    accountKey,
  );
  leaks.secret(
    `SAS signature (${opts.container}, ${opts.expiry})`,
    new URLSearchParams(sas).get("sig")!,
  );
  return `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}`;
}

beforeAll(async () => {
  leaks.captureOutput();
  azuriteBin();
  port = await freePort();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "azure-native:resources:ResourceGroup")
          state.name = args.inputs.resourceGroupName;
        if (args.type === "azure-native:storage:StorageAccount") {
          state.name = args.inputs.accountName;
          state.primaryEndpoints = {
            blob: `https://127.0.0.1:${port}/${args.inputs.accountName}/`,
          };
        }
        if (args.type === "azure-native:storage:BlobContainer")
          state.name = args.inputs.containerName;
        if (args.type === "azuread:index/application:Application") state.clientId = CLIENT_ID;
        if (args.type === "azuread:index/applicationPassword:ApplicationPassword")
          state.value = FAKE_CLIENT_SECRET;
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        if (args.token === "azure-native:authorization:getClientConfig")
          return { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID, clientId: CLIENT_ID };
        if (args.token === "azuread:index/getClientConfig:getClientConfig")
          return { tenantId: TENANT_ID, clientId: CLIENT_ID, objectId: CLIENT_ID };
        if (args.token === "azure-native:storage:listStorageAccountServiceSAS") {
          const request = { ...args.inputs } as unknown as ServiceSasRequest;
          return { serviceSasToken: signServiceSas(request, accountKey) };
        }
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "zenml-remote-storage",
    "verify-azure",
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
    containerName: CONTAINER,
    credentials: "service-principal",
  });
  const accountName = await resolve(sasStore.storageAccountName);
  azurite = await startAzurite({ accountName, accountKey, port });
  // Trust Azurite's throw-away certificate in this process, as a CA bundle would.
  tls.setDefaultCACertificates([
    ...tls.getCACertificates("default"),
    fs.readFileSync(azurite.caFile, "utf8"),
  ]);
  await azuriteAdmin(azurite, "create-container", CONTAINER);
  await azuriteAdmin(azurite, "create-container", OTHER_CONTAINER);

  f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase" } });
  deps = {
    ...f.deps,
    verifierFor,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  leaks
    .secret("Pulumi passphrase", "tier-passphrase")
    .secret("Azurite account key", accountKey)
    .secret("service-principal client secret", FAKE_CLIENT_SECRET)
    .credentials("az-sas", await resolve(sasStore.credentials))
    .text("CLI stdout", f.io.stdout)
    .text("CLI stderr", f.io.stderr)
    .log(azurite.logFile, AZURITE_LOGS_SAS_URLS)
    .dir(f.root);
  const sas = /SharedAccessSignature=(.*)$/.exec(
    (await resolve(sasStore.credentials)).connection_string,
  )![1];
  leaks.secret("SAS signature (component)", new URLSearchParams(sas).get("sig")!);
});

afterAll(async () => {
  await azurite?.stop();
});

describe("SAS mode: the connection string the component gives ZenML", () => {
  it("provision records the store; verify (no endpoint override) passes against Azurite", async () => {
    const sas = await storeOf(sasStore);
    f.workspace.outputs = {
      stores: {
        value: {
          "az-sas": {
            backend: "azure",
            stackName: "az-sas",
            flavor: "azure",
            path: sas.path,
            artifactStoreConfiguration: sas.artifactStoreConfiguration,
            auth: sas.auth,
          },
        },
        secret: false,
      },
      credentials: { value: { "az-sas": sas.credentials }, secret: true },
    };
    f.workspace.resources = [["zenml-remote-storage:azure:AzureBlobArtifactStore", "az-sas"]];
    const provisioned = await provision(
      {
        stack: "az",
        yes: true,
        verify: false,
        storeName: "az-sas",
        backend: "azure",
        credentials: "sas",
        storeOption: ["location=westeurope", `sasExpiry=${SAS_EXPIRY}`],
      },
      deps,
    );
    leaks.text("provision", `${provisioned.text}\n${JSON.stringify(provisioned.data)}`);
    expect(provisioned.exitCode).toBe(0);

    const outcome = await verify({ stack: "az", zenml: false, verifyTimeout: 30 }, deps);
    leaks.text("verify", `${outcome.text}\n${JSON.stringify(outcome.data)}`);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.checks[0].storage).toMatchObject({ status: "passed", attempts: 1 });
    expect(outcome.data.checks[0].storage.detail).toMatch(
      /^wrote, read, listed and deleted az:\/\/zenml-artifacts\/\.zenml-remote-storage-verify\/\d+-[0-9a-f]{8}$/,
    );
    // The probe cleaned up after itself.
    expect((await azuriteAdmin(azurite, "list-blobs", CONTAINER)).blobs).toEqual([]);
  });

  it("an expired SAS fails at `write`, quoting Azurite's refusal", async () => {
    const expired = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const store = await storeOf(sasStore, {
      connection_string: sasConnectionString({ expiry: expired, container: CONTAINER }),
    });
    const checks = await verifyStores({ stores: [store], timeoutMs: 0 }, deps);
    leaks.text("expired SAS", JSON.stringify(checks));
    expect(checks[0].storage.status).toBe("failed");
    // Azurite's answer is generic (Azure's own says the signature expired).
    expect(checks[0].storage.detail).toBe(
      "write: AuthorizationFailure (HTTP 403): Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature. (after 1 attempt)",
    );
  });

  it("a SAS for another container fails at `write` too (container scope)", async () => {
    const store = await storeOf(sasStore, {
      connection_string: sasConnectionString({ expiry: SAS_EXPIRY, container: OTHER_CONTAINER }),
    });
    const checks = await verifyStores({ stores: [store], timeoutMs: 0 }, deps);
    leaks.text("other container SAS", JSON.stringify(checks));
    expect(checks[0].storage.detail).toMatch(/^write: AuthorizationFailure \(HTTP 403\): /);
    expect((await azuriteAdmin(azurite, "list-blobs", CONTAINER)).blobs).toEqual([]);
  });

  it("--endpoint-url replaces the connection string's blob endpoint", async () => {
    const store = await storeOf(sasStore);
    const checks = await verifyStores(
      { stores: [store], timeoutMs: 0, endpointUrl: "https://127.0.0.1:9/nowhere/" },
      deps,
    );
    leaks.text("closed endpoint", JSON.stringify(checks));
    expect(checks[0].storage.detail).toMatch(/^write: .*ECONNREFUSED/);
  });

  it("countObjects (destroy's emptiness check) counts the container's blobs through the SAS", async () => {
    const store = await storeOf(sasStore);
    const verifier = (await verifierFor("azure"))!;
    expect(await verifier.countObjects(store, 100, {})).toBe(0);
    const { BlobServiceClient } = await import("@azure/storage-blob");
    const container = BlobServiceClient.fromConnectionString(
      store.credentials.connection_string,
    ).getContainerClient(CONTAINER);
    for (const name of ["a", "b/c", "d"]) await container.getBlockBlobClient(name).upload(name, 1);
    expect(await verifier.countObjects(store, 100, {})).toBe(3);
    expect(await verifier.countObjects(store, 2, {})).toBe(2);
  });
});

describe("service-principal mode: not verifiable here", () => {
  it("the probe asks Azure AD for a token and fails at `credentials`, never passed", async () => {
    const store = await storeOf(spStore);
    expect(store.auth).toMatchObject({ kind: "connector", method: "service-principal" });
    expect(store.credentials).toEqual({ client_secret: FAKE_CLIENT_SECRET });
    const checks = await verifyStores(
      { stores: [store], timeoutMs: 0, endpointUrl: azurite.blobEndpoint },
      deps,
    );
    leaks.text("service principal", JSON.stringify(checks));
    expect(checks[0].storage.status).toBe("failed");
    expect(checks[0].storage.detail).toMatch(
      new RegExp(
        `^credentials: no token from Azure AD \\(https://login\\.microsoftonline\\.com/${TENANT_ID}\\) for client ${CLIENT_ID}: .+`,
      ),
    );
  });
});

it("leak check: no SAS, account key, client secret or passphrase in output, the Azurite log or project files", () => {
  expectNoLeaks(leaks, { texts: 8, logs: 1, files: 1 });
  console.log(`test/tier/verify.azure.test.ts: ${Math.round((Date.now() - started) / 1000)} s`);
});
