/**
 * Azure keyless (`implicit`) stores under Pulumi's mock runtime: no Azure call is
 * made. Asserts the exact role assignments (the data role on the container only,
 * never the account, resource group or subscription; the container-listing role
 * on the account), the principal they go to (a given managed identity, or a
 * user-assigned identity created here with one federated credential), that no
 * Entra application or secret exists, and the connector (azure/implicit, `{}`).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AZURE_CMK_PRINCIPAL_ID,
  AZURE_SUBSCRIPTION_ID,
  AZURE_TENANT_ID,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

let registered: Registered[];
let azure: typeof import("../../../../src/stores/azure/blobArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  azure = await import("../../../../src/stores/azure/blobArtifactStore");
});

const SUB = AZURE_SUBSCRIPTION_ID;
const SERVER_MI = "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
const BLOB_CONTRIBUTOR = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;
const ISSUER =
  "https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-00000000e7a7/1a2b3c4d/";
const SUBJECT = "system:serviceaccount:zenml:zenml-server";

function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

const base = {
  location: "westeurope",
  resourceGroupName: "rg-ml",
  storageAccountName: "zenmlkeyless01",
  containerName: "artifacts",
  credentials: "implicit" as const,
};
const rgId = `/subscriptions/${SUB}/resourceGroups/rg-ml`;
const accountId = `${rgId}/providers/Microsoft.Storage/storageAccounts/zenmlkeyless01`;
const containerId = `${accountId}/blobServices/default/containers/artifacts`;

describe("AzureBlobArtifactStore, implicit mode granting the server's managed identity", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("kl-mi", {
      ...base,
      identity: { kind: "principal", objectId: SERVER_MI },
    });
    await unwrap(store.credentials);
    await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined);
    await settle();
  });

  it("creates no Entra application, service principal, secret or managed identity", () => {
    const types = childrenOf("kl-mi").map((r) => r.type);
    expect(types.filter((t) => t.startsWith("azuread:"))).toEqual([]);
    expect(types.filter((t) => t.startsWith("azure-native:managedidentity:"))).toEqual([]);
    expect(store.application).toBeUndefined();
    expect(store.clientSecret).toBeUndefined();
  });

  it("assigns Storage Blob Data Contributor to the server's identity on the container only", () => {
    const blob = only(registered, "azure-native:authorization:RoleAssignment", "kl-mi-blob-access");
    expect(blob.inputs).toEqual({
      principalId: SERVER_MI,
      principalType: "ServicePrincipal",
      roleDefinitionId: BLOB_CONTRIBUTOR,
      scope: containerId,
      description: "ZenML artifact I/O for store kl-mi, on its container only",
    });
    for (const broader of [accountId, rgId, `/subscriptions/${SUB}`]) {
      expect(blob.inputs.scope).not.toBe(broader);
    }
  });

  it("the only other assignment is the container-listing role (no data actions) on the account", () => {
    const assignments = ofType(childrenOf("kl-mi"), "azure-native:authorization:RoleAssignment");
    expect(assignments.map((a) => a.name).sort()).toEqual([
      "kl-mi-blob-access",
      "kl-mi-container-listing",
    ]);
    const listing = only(
      registered,
      "azure-native:authorization:RoleAssignment",
      "kl-mi-container-listing",
    );
    expect(listing.inputs).toMatchObject({ principalId: SERVER_MI, scope: accountId });
    const role = only(
      registered,
      "azure-native:authorization:RoleDefinition",
      "kl-mi-container-lister",
    );
    expect(role.inputs.permissions).toEqual([
      {
        actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
        dataActions: [],
      },
    ]);
  });

  it("exposes azure/implicit with tenant, subscription, resource group and account; credentials {}", async () => {
    expect(store.auth).toMatchObject({
      kind: "connector",
      type: "azure",
      method: "implicit",
      resourceType: "blob-container",
    });
    expect(
      await unwrap(store.auth.kind === "connector" ? store.auth.configuration : undefined),
    ).toEqual({
      tenant_id: AZURE_TENANT_ID,
      subscription_id: SUB,
      resource_group: "rg-ml",
      storage_account: "zenmlkeyless01",
    });
    expect(await unwrap(store.credentials)).toEqual({});
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(store.credentialVersion).toBeUndefined();
    expect(store.identityClientId).toBeUndefined();
  });
});

describe("AzureBlobArtifactStore, implicit mode with an AKS workload identity", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("kl-wi", {
      ...base,
      storageAccountName: "zenmlkeyless02",
      identity: { kind: "workload", issuer: ISSUER, subject: SUBJECT },
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates one user-assigned identity with exactly one federated credential for the issuer and subject", () => {
    const identity = only(
      registered,
      "azure-native:managedidentity:UserAssignedIdentity",
      "kl-wi-identity",
    );
    expect(identity.inputs).toMatchObject({
      resourceGroupName: "rg-ml",
      resourceName: "zenml-kl-wi",
    });
    const creds = ofType(
      childrenOf("kl-wi"),
      "azure-native:managedidentity:FederatedIdentityCredential",
    );
    expect(creds.map((c) => c.inputs)).toEqual([
      {
        resourceGroupName: "rg-ml",
        resourceName: "zenml-kl-wi",
        federatedIdentityCredentialResourceName: "zenml-server",
        issuer: ISSUER,
        subject: SUBJECT,
        audiences: ["api://AzureADTokenExchange"],
      },
    ]);
  });

  it("grants the data role on the container to that identity's principal, and nothing broader", () => {
    const blob = only(registered, "azure-native:authorization:RoleAssignment", "kl-wi-blob-access");
    expect(blob.inputs.principalId).toBe(AZURE_CMK_PRINCIPAL_ID);
    expect(blob.inputs.scope).toBe(
      `${rgId}/providers/Microsoft.Storage/storageAccounts/zenmlkeyless02/blobServices/default/containers/artifacts`,
    );
    for (const a of ofType(childrenOf("kl-wi"), "azure-native:authorization:RoleAssignment")) {
      expect(a.inputs.scope).toMatch(/\/storageAccounts\/zenmlkeyless02/);
    }
  });

  it("exposes the identity's client id (for the server's AZURE_CLIENT_ID) and mints nothing", async () => {
    expect(await unwrap(store.identityClientId)).toBe("00000000-0000-4000-8000-0000000c3c3c");
    expect(await unwrap(store.credentials)).toEqual({});
  });
});

describe("AzureBlobArtifactStore, implicit mode without an identity", () => {
  it("is refused naming identity", () => {
    expect(() => new azure.AzureBlobArtifactStore("kl-none", { ...base })).toThrow(
      expect.objectContaining({ propertyPath: "identity" }),
    );
  });
});
