import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AZURE_SAS_REQUESTS,
  FAKE_AZURE_CLIENT_SECRET,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

// The whole Pulumi program (src/index.ts) under the mock runtime, with two
// azure stores in the stack config: config -> createStore -> component args.

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    config: {
      "azure-native:location": "westeurope",
      "zenml-remote-storage:stores": [
        {
          name: "az-sp",
          backend: "azure",
          storageAccount: { name: "zenmlspacct01", sku: "Standard_ZRS", softDeleteDays: 3 },
          bucket: { name: "sp-artifacts", versioning: true, noncurrentVersionExpirationDays: 5 },
          tags: { team: "ml" },
        },
        {
          name: "az-sas",
          backend: "azure",
          credentials: "sas",
          location: "northeurope",
          resourceGroup: { name: "shared-rg", adopt: true },
          storageAccount: { name: "zenmlsasacct01" },
          bucket: { name: "sas-artifacts", forceDestroy: true },
          sasExpiry: "2031-01-31T00:00:00Z",
        },
      ],
    },
  });
  program = await (await import("../../../../src/index")).default();
  await unwrap(program.credentials);
  await settle();
});

describe("the Pulumi program with azure stores", () => {
  it("creates one AzureBlobArtifactStore per azure store", () => {
    expect(
      ofType(registered, "zenml-remote-storage:azure:AzureBlobArtifactStore").map((r) => r.name),
    ).toEqual(["az-sp", "az-sas"]);
    expect(ofType(registered, "azure-native:resources:ResourceGroup").map((r) => r.name)).toEqual([
      "az-sp-rg",
    ]);
  });

  it("passes the store's config to the component", () => {
    const account = only(registered, "azure-native:storage:StorageAccount", "az-sp-account");
    expect(account.inputs).toMatchObject({
      accountName: "zenmlspacct01",
      location: "westeurope",
      sku: { name: "Standard_ZRS" },
      allowSharedKeyAccess: false,
      tags: { team: "ml", "zenml-remote-storage:store": "az-sp" },
    });
    expect(
      only(registered, "azure-native:storage:BlobServiceProperties", "az-sp-blob-service").inputs,
    ).toMatchObject({
      isVersioningEnabled: true,
      deleteRetentionPolicy: { enabled: true, days: 3 },
    });
    expect(
      only(registered, "azure-native:storage:ManagementPolicy", "az-sp-lifecycle").inputs.policy
        .rules[0].definition.actions,
    ).toEqual({ version: { delete: { daysAfterCreationGreaterThan: 5 } } });
    expect(
      only(registered, "azure-native:storage:StorageAccount", "az-sas-account").inputs,
    ).toMatchObject({
      accountName: "zenmlsasacct01",
      resourceGroupName: "shared-rg",
      location: "northeurope",
      allowSharedKeyAccess: true,
    });
    expect(AZURE_SAS_REQUESTS.filter((r) => r.accountName === "zenmlsasacct01")).toHaveLength(1);
    expect(
      AZURE_SAS_REQUESTS.find((r) => r.accountName === "zenmlsasacct01")!.sharedAccessExpiryTime,
    ).toBe("2031-01-31T00:00:00Z");
  });

  it("exports plain registration facts and keeps credentials in the secret output", async () => {
    const stores = await unwrap(pulumi.output(program.stores));
    expect(stores!["az-sp"]).toMatchObject({
      backend: "azure",
      flavor: "azure",
      path: "az://sp-artifacts",
      auth: {
        kind: "connector",
        type: "azure",
        method: "service-principal",
        resourceType: "blob-container",
        resourceId: "az://sp-artifacts",
      },
    });
    expect(stores!["az-sas"]).toMatchObject({
      artifactStoreConfiguration: {
        path: "az://sas-artifacts",
        authentication_secret: "az-sas-secret",
      },
      auth: { kind: "secret", name: "az-sas-secret" },
    });
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    const credentials = (await unwrap(program.credentials)) as Record<
      string,
      Record<string, string>
    >;
    expect(credentials["az-sp"]).toEqual({ client_secret: FAKE_AZURE_CLIENT_SECRET });
    expect(Object.keys(credentials["az-sas"])).toEqual(["connection_string"]);
    const plain = JSON.stringify(stores);
    expect(plain).not.toContain(FAKE_AZURE_CLIENT_SECRET);
    expect(plain).not.toContain("SharedAccessSignature");
  });
});
