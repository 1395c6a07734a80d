import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { resourceGroupName, storageAccountName } from "../../../../src/stores/azure/names";
import { applicationName } from "../../../../src/config/backends/azure";
import {
  AZURE_CLIENT_ID,
  AZURE_CMK_PRINCIPAL_ID,
  AZURE_DEPLOYER_OBJECT_ID,
  AZURE_SAS_REQUESTS,
  AZURE_SP_OBJECT_ID,
  AZURE_SUBSCRIPTION_ID,
  AZURE_TENANT_ID,
  FAKE_AZURE_CLIENT_SECRET,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

// Everything here runs under Pulumi's mock runtime: no Azure call is made and
// no provider plugin is loaded. What is asserted is what the program would ask
// Azure and Azure AD for.

let registered: Registered[];
let azure: typeof import("../../../../src/stores/azure/blobArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  azure = await import("../../../../src/stores/azure/blobArtifactStore");
});

const SUB = AZURE_SUBSCRIPTION_ID;
const T = {
  rg: "azure-native:resources:ResourceGroup",
  account: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  container: "azure-native:storage:BlobContainer",
  policy: "azure-native:storage:ManagementPolicy",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  app: "azuread:index/application:Application",
  sp: "azuread:index/servicePrincipal:ServicePrincipal",
  password: "azuread:index/applicationPassword:ApplicationPassword",
  component: "zenml-remote-storage:azure:AzureBlobArtifactStore",
};
const BLOB_CONTRIBUTOR = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;

function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

function typesOf(store: string): string[] {
  return childrenOf(store)
    .map((r) => r.type)
    .sort();
}

/** Pulumi keeps the `protect` option on the resource object. */
function isProtected(resource: pulumi.Resource | undefined): boolean {
  return (resource as unknown as { __protect?: boolean } | undefined)?.__protect === true;
}

describe("AzureBlobArtifactStore, service-principal mode with generated names", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
  const rgName = resourceGroupName("zenml-remote-storage", "test", "az-store");
  const accountName = storageAccountName("az-store", {
    subscriptionId: SUB,
    resourceGroup: rgName,
    project: "zenml-remote-storage",
    stack: "test",
  });
  const rgId = `/subscriptions/${SUB}/resourceGroups/${rgName}`;
  const accountId = `${rgId}/providers/Microsoft.Storage/storageAccounts/${accountName}`;
  const containerId = `${accountId}/blobServices/default/containers/az-store`;

  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("az-store", {
      location: "westeurope",
      credentials: "service-principal",
      tags: { team: "ml" },
    });
    await unwrap(store.credentials);
    await unwrap(store.auth);
    await settle();
  });

  it("creates exactly a resource group, the hardened account and container, and the identity", () => {
    expect(typesOf("az-store")).toEqual(
      [
        T.rg,
        T.account,
        T.blobService,
        T.container,
        T.app,
        T.sp,
        T.password,
        T.roleAssignment,
        T.roleAssignment,
        T.roleDefinition,
        T.component,
      ].sort(),
    );
  });

  it("names the resource group and storage account within Azure's rules", () => {
    expect(rgName).toMatch(/^zenml-az-store-[0-9a-f]{8}$/);
    expect(accountName).toMatch(/^zenmlazstore[0-9a-f]{8}$/);
    expect(only(registered, T.rg, "az-store-rg").inputs).toEqual({
      resourceGroupName: rgName,
      location: "westeurope",
      tags: { team: "ml", "zenml-remote-storage:store": "az-store" },
    });
  });

  it("hardens the storage account: HTTPS and TLS 1.2 only, no public blobs, Azure AD only", () => {
    expect(only(registered, T.account, "az-store-account").inputs).toEqual({
      accountName,
      resourceGroupName: rgName,
      location: "westeurope",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      accessTier: "Hot",
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
      isLocalUserEnabled: false,
      isSftpEnabled: false,
      isHnsEnabled: false,
      encryption: {
        keySource: "Microsoft.Storage",
        requireInfrastructureEncryption: false,
        services: { blob: { enabled: true, keyType: "Account" } },
      },
      tags: { team: "ml", "zenml-remote-storage:store": "az-store" },
    });
  });

  it("protects the account and container from deletion (Pulumi protect), not the resource group", () => {
    expect(isProtected(store.storageAccount)).toBe(true);
    expect(isProtected(store.container)).toBe(true);
    expect(isProtected(store.resourceGroup)).toBe(false);
  });

  it("makes a private container and turns versioning and soft delete off", () => {
    expect(only(registered, T.container, "az-store-container").inputs).toEqual({
      accountName,
      resourceGroupName: rgName,
      containerName: "az-store",
      publicAccess: "None",
    });
    expect(only(registered, T.blobService, "az-store-blob-service").inputs).toEqual({
      accountName,
      resourceGroupName: rgName,
      blobServicesName: "default",
      isVersioningEnabled: false,
      deleteRetentionPolicy: { enabled: false },
      containerDeleteRetentionPolicy: { enabled: false },
    });
    expect(ofType(childrenOf("az-store"), T.policy)).toHaveLength(0);
    expect(ofType(childrenOf("az-store"), T.identity)).toHaveLength(0);
  });

  it("creates an Azure AD application owned by the deployer, its service principal and an expiring secret", () => {
    expect(only(registered, T.app, "az-store-app").inputs).toEqual({
      displayName: applicationName("zenml-remote-storage", "test", "az-store"),
      owners: [AZURE_DEPLOYER_OBJECT_ID],
      signInAudience: "AzureADMyOrg",
      preventDuplicateNames: true,
      notes: "Identity ZenML uses for artifact store az-store (managed by zenml-remote-storage).",
    });
    expect(only(registered, T.sp, "az-store-sp").inputs).toEqual({
      clientId: AZURE_CLIENT_ID,
      owners: [AZURE_DEPLOYER_OBJECT_ID],
    });
    const password = only(registered, T.password, "az-store-secret").inputs;
    expect(password.applicationId).toBe("az-store-app-id");
    expect(password.endDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const days = (Date.parse(password.endDate) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(367);
  });

  it("grants Storage Blob Data Contributor on the container only: not the account, not the subscription", () => {
    const grant = only(registered, T.roleAssignment, "az-store-blob-access").inputs;
    expect(grant).toEqual({
      principalId: AZURE_SP_OBJECT_ID,
      principalType: "ServicePrincipal",
      roleDefinitionId: BLOB_CONTRIBUTOR,
      scope: containerId,
      description: "ZenML artifact I/O for store az-store, on its container only",
    });
    expect(grant.scope).not.toBe(accountId);
    expect(grant.scope).not.toBe(rgId);
    expect(grant.scope).not.toBe(`/subscriptions/${SUB}`);
  });

  it("lets the service principal list the account's containers and nothing else there", () => {
    const role = only(registered, T.roleDefinition, "az-store-container-lister").inputs;
    expect(role.permissions).toEqual([
      {
        actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
        dataActions: [],
      },
    ]);
    expect(role.scope).toBe(rgId);
    expect(role.assignableScopes).toEqual([rgId]);
    expect(role.roleName).toMatch(/^zenml-az-store-[0-9a-f]{8} container lister$/);
    const listing = only(registered, T.roleAssignment, "az-store-container-listing").inputs;
    expect(listing).toEqual({
      principalId: AZURE_SP_OBJECT_ID,
      principalType: "ServicePrincipal",
      roleDefinitionId: "az-store-container-lister-id",
      scope: accountId,
      description: "ZenML connector container lookup for store az-store",
    });
    expect(listing.scope).not.toBe(`/subscriptions/${SUB}`);
    expect(listing.scope).not.toBe(rgId);
  });

  it("assigns no role at subscription or resource-group scope", () => {
    for (const assignment of ofType(childrenOf("az-store"), T.roleAssignment)) {
      expect(assignment.inputs.scope).toMatch(/\/storageAccounts\//);
    }
  });

  it("exposes the azure service-principal connector facts, with the secret kept apart", async () => {
    expect(await unwrap(store.path)).toBe("az://az-store");
    expect(await unwrap(store.containerResourceId)).toBe(containerId);
    expect(await unwrap(store.artifactStoreConfiguration)).toEqual({ path: "az://az-store" });
    expect(await unwrap(store.auth)).toEqual({
      kind: "connector",
      type: "azure",
      method: "service-principal",
      resourceType: "blob-container",
      resourceId: "az://az-store",
      configuration: {
        tenant_id: AZURE_TENANT_ID,
        client_id: AZURE_CLIENT_ID,
        subscription_id: SUB,
        resource_group: rgName,
        storage_account: accountName,
      },
    });
    if (store.auth.kind !== "connector") throw new Error("expected a connector");
    expect(await pulumi.isSecret(store.auth.configuration)).toBe(false);
    expect(await unwrap(store.credentials)).toEqual({ client_secret: FAKE_AZURE_CLIENT_SECRET });
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
  });
});

describe("AzureBlobArtifactStore, sas mode in an existing resource group", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
  const accountId = `/subscriptions/${SUB}/resourceGroups/shared-rg/providers/Microsoft.Storage/storageAccounts/zenmlsasacct01`;

  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("az-sas", {
      location: "northeurope",
      resourceGroupName: "shared-rg",
      adoptResourceGroup: true,
      storageAccountName: "zenmlsasacct01",
      containerName: "artifacts",
      credentials: "sas",
      sasExpiry: "2030-01-01T00:00:00Z",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates the account and container but no resource group and no identity or role", () => {
    expect(typesOf("az-sas")).toEqual([T.account, T.blobService, T.container, T.component].sort());
    expect(ofType(childrenOf("az-sas"), T.roleAssignment)).toHaveLength(0);
    expect(ofType(childrenOf("az-sas"), T.app)).toHaveLength(0);
  });

  it("keeps shared-key authorization on (a service SAS is signed with an account key) and the rest hardened", () => {
    const account = only(registered, T.account, "az-sas-account").inputs;
    expect(account).toMatchObject({
      accountName: "zenmlsasacct01",
      resourceGroupName: "shared-rg",
      allowSharedKeyAccess: true,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      defaultToOAuthAuthentication: true,
    });
  });

  it("asks ARM for a SAS on exactly this container: racwdl, HTTPS only, the configured expiry", () => {
    const requests = AZURE_SAS_REQUESTS.filter((r) => r.accountName === "zenmlsasacct01");
    expect(requests).toEqual([
      {
        resourceGroupName: "shared-rg",
        accountName: "zenmlsasacct01",
        canonicalizedResource: "/blob/zenmlsasacct01/artifacts",
        resource: "c",
        permissions: "racwdl",
        protocols: "https",
        sharedAccessExpiryTime: "2030-01-01T00:00:00Z",
        keyToSign: "key1",
      },
    ]);
    // Negative: not the account, not another service, no start-time window.
    expect(requests[0].resource).not.toBe("s");
    expect(requests[0].canonicalizedResource).not.toBe("/blob/zenmlsasacct01");
    expect("sharedAccessStartTime" in requests[0]).toBe(false);
    expect("iPAddressOrRange" in requests[0]).toBe(false);
  });

  it("hands ZenML a secret connection string with the blob endpoint and the SAS, never an account key", async () => {
    const credentials = await unwrap(store.credentials);
    expect(credentials).toEqual({
      connection_string:
        "BlobEndpoint=https://zenmlsasacct01.blob.core.windows.net/;SharedAccessSignature=" +
        "sv=2015-04-05&sr=c&se=2030-01-01T00%3A00%3A00.0000000Z&sp=racwdl&spr=https&sig=mock-sas-signature",
    });
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(credentials!.connection_string).not.toMatch(/AccountKey/i);
  });

  it("registers through a ZenML secret named <store>-secret, with no connector", async () => {
    expect(store.auth).toEqual({ kind: "secret", name: "az-sas-secret" });
    expect(await unwrap(store.artifactStoreConfiguration)).toEqual({
      path: "az://artifacts",
      authentication_secret: "az-sas-secret",
    });
    expect(await unwrap(store.containerResourceId)).toBe(
      `${accountId}/blobServices/default/containers/artifacts`,
    );
  });

  it("never reads account keys: no input or output anywhere mentions one", async () => {
    const everything = JSON.stringify({
      inputs: childrenOf("az-sas").map((r) => r.inputs),
      outputs: await unwrap(pulumi.all([store.artifactStoreConfiguration, store.auth])),
    });
    expect(everything).not.toMatch(/AccountKey|listKeys|account_key/i);
  });
});

describe("AzureBlobArtifactStore with a customer-managed key, versioning, soft delete and forceDestroy", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;
  const keyScope = `/subscriptions/${SUB}/resourceGroups/kv-rg/providers/Microsoft.KeyVault/vaults/myvault/keys/zenml-key`;

  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("az-cmk", {
      location: "westeurope",
      resourceGroupName: "zenml-cmk",
      storageAccountName: "zenmlcmk01",
      containerName: "cmk-artifacts",
      sku: "Standard_ZRS",
      infrastructureEncryption: true,
      softDeleteDays: 7,
      versioning: true,
      noncurrentVersionExpirationDays: 14,
      encryptionKeyUrl: "https://myvault.vault.azure.net/keys/zenml-key",
      keyVaultResourceGroupName: "kv-rg",
      forceDestroy: true,
      credentials: "service-principal",
      clientSecretExpiry: "2027-03-31T00:00:00Z",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("encrypts with the Key Vault key through a user-assigned identity that may use only that key", () => {
    const identity = only(registered, T.identity, "az-cmk-cmk-identity").inputs;
    expect(identity).toEqual({
      resourceGroupName: "zenml-cmk",
      location: "westeurope",
      tags: { "zenml-remote-storage:store": "az-cmk" },
    });
    expect(only(registered, T.roleAssignment, "az-cmk-cmk-access").inputs).toEqual({
      principalId: AZURE_CMK_PRINCIPAL_ID,
      principalType: "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`,
      scope: keyScope,
      description: "Lets storage account encryption for ZenML store az-cmk use its key",
    });
    const account = only(registered, T.account, "az-cmk-account").inputs;
    expect(account.sku).toEqual({ name: "Standard_ZRS" });
    expect(account.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: ["az-cmk-cmk-identity-id"],
    });
    expect(account.encryption).toEqual({
      keySource: "Microsoft.Keyvault",
      keyVaultProperties: {
        keyName: "zenml-key",
        keyVaultUri: "https://myvault.vault.azure.net/",
      },
      encryptionIdentity: { encryptionUserAssignedIdentity: "az-cmk-cmk-identity-id" },
      requireInfrastructureEncryption: true,
      services: { blob: { enabled: true, keyType: "Account" } },
    });
  });

  it("turns on versioning with expiry of previous versions in this container, and soft delete", () => {
    expect(only(registered, T.blobService, "az-cmk-blob-service").inputs).toMatchObject({
      isVersioningEnabled: true,
      deleteRetentionPolicy: { enabled: true, days: 7 },
      containerDeleteRetentionPolicy: { enabled: true, days: 7 },
    });
    expect(only(registered, T.policy, "az-cmk-lifecycle").inputs).toEqual({
      accountName: "zenmlcmk01",
      resourceGroupName: "zenml-cmk",
      managementPolicyName: "default",
      policy: {
        rules: [
          {
            name: "expire-previous-versions",
            enabled: true,
            type: "Lifecycle",
            definition: {
              actions: { version: { delete: { daysAfterCreationGreaterThan: 14 } } },
              filters: { blobTypes: ["blockBlob"], prefixMatch: ["cmk-artifacts/"] },
            },
          },
        ],
      },
    });
  });

  it("leaves the account and container unprotected when forceDestroy is set", () => {
    expect(isProtected(store.storageAccount)).toBe(false);
    expect(isProtected(store.container)).toBe(false);
  });

  it("uses the configured client-secret expiry as is", () => {
    expect(only(registered, T.password, "az-cmk-secret").inputs.endDate).toBe(
      "2027-03-31T00:00:00Z",
    );
  });
});

describe("AzureBlobArtifactStore with an adopted container", () => {
  let store: InstanceType<typeof azure.AzureBlobArtifactStore>;

  beforeAll(async () => {
    store = new azure.AzureBlobArtifactStore("az-adopt", {
      resourceGroupName: "data-rg",
      adoptResourceGroup: true,
      storageAccountName: "teamdata01",
      containerName: "zenml",
      adoptExistingContainer: true,
      credentials: "sas",
      sasExpiry: "2031-06-30T12:00:00Z",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates no storage resource at all", () => {
    expect(typesOf("az-adopt")).toEqual([T.component]);
    expect(store.storageAccount).toBeUndefined();
    expect(store.container).toBeUndefined();
  });

  it("signs the SAS for the adopted container and reads the account's blob endpoint", async () => {
    expect(AZURE_SAS_REQUESTS.filter((r) => r.accountName === "teamdata01")).toEqual([
      {
        resourceGroupName: "data-rg",
        accountName: "teamdata01",
        canonicalizedResource: "/blob/teamdata01/zenml",
        resource: "c",
        permissions: "racwdl",
        protocols: "https",
        sharedAccessExpiryTime: "2031-06-30T12:00:00Z",
        keyToSign: "key1",
      },
    ]);
    expect((await unwrap(store.credentials))!.connection_string).toMatch(
      /^BlobEndpoint=https:\/\/teamdata01\.blob\.core\.windows\.net\/;SharedAccessSignature=sv=/,
    );
    expect(await unwrap(store.path)).toBe("az://zenml");
  });
});

describe("AzureBlobArtifactStore argument checks", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "a new account without a location",
      { credentials: "sas", sasExpiry: "2030-01-01T00:00:00Z" },
      "location",
    ],
    ["sas without an expiry", { location: "westeurope", credentials: "sas" }, "sasExpiry"],
    [
      "an adopted container without its account",
      {
        credentials: "sas",
        sasExpiry: "2030-01-01T00:00:00Z",
        adoptExistingContainer: true,
        adoptResourceGroup: true,
        resourceGroupName: "rg",
        containerName: "c1",
      },
      "storageAccountName",
    ],
    [
      "an adopted container in a new resource group",
      {
        credentials: "sas",
        sasExpiry: "2030-01-01T00:00:00Z",
        adoptExistingContainer: true,
        resourceGroupName: "rg",
        storageAccountName: "acct001",
        containerName: "c1",
      },
      "adoptResourceGroup",
    ],
    [
      "an existing resource group without a name",
      { location: "westeurope", credentials: "service-principal", adoptResourceGroup: true },
      "resourceGroupName",
    ],
  ])("refuses %s", (_what, args, property) => {
    let error: unknown;
    try {
      new azure.AzureBlobArtifactStore(
        `bad-${property.toLowerCase()}`,
        args as unknown as ConstructorParameters<typeof azure.AzureBlobArtifactStore>[1],
      );
    } catch (err) {
      error = err;
    }
    expect(pulumi.InputPropertyError.isInstance(error)).toBe(true);
    expect((error as pulumi.InputPropertyError).propertyPath).toBe(property);
  });
});
