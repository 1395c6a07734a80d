import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, isKnown, only, settle, unwrap, type Registered } from "../../support/mocks";

// Preview under Pulumi's mock runtime: provider-computed outputs (account and
// container names, the client secret) are unknown, as in `pulumi preview`.

let registered: Registered[];
let azure: typeof import("../../../../src/stores/azure/blobArtifactStore");

beforeAll(async () => {
  registered = await installMocks({ preview: true });
  azure = await import("../../../../src/stores/azure/blobArtifactStore");
});

describe.each(["service-principal", "sas"] as const)(
  "AzureBlobArtifactStore preview, %s mode",
  (mode) => {
    let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
    const name = `prev-${mode === "sas" ? "sas" : "sp"}`;

    beforeAll(async () => {
      store = new azure.AzureBlobArtifactStore(name, {
        location: "westeurope",
        credentials: mode,
        ...(mode === "sas" ? { sasExpiry: "2030-01-01T00:00:00Z" } : {}),
      });
      await settle();
    });

    it("registers the hardened account with the same inputs as on update", () => {
      const account = only(registered, "azure-native:storage:StorageAccount", `${name}-account`);
      expect(account.inputs.allowSharedKeyAccess).toBe(mode === "sas");
      expect(account.inputs.allowBlobPublicAccess).toBe(false);
      expect(account.inputs.minimumTlsVersion).toBe("TLS1_2");
      expect(account.inputs.enableHttpsTrafficOnly).toBe(true);
    });

    it("keeps the credentials unknown and secret", async () => {
      expect(await isKnown(store.credentials)).toBe(false);
      expect(await pulumi.isSecret(store.credentials)).toBe(true);
      expect(await unwrap(store.credentials)).toBeUndefined();
    });

    it("leaves what depends on the created container unknown", async () => {
      expect(await isKnown(store.path)).toBe(false);
      expect(await isKnown(store.containerResourceId)).toBe(false);
    });
  },
);
