import { describe, expect, it } from "vitest";
import {
  builtInRoleId,
  containerSasArgs,
  containerScope,
  keyVaultKeyScope,
  oneYearAfter,
  parseKeyVaultKeyUrl,
  resourceGroupScope,
  sasConnectionString,
  storageAccountScope,
} from "../../../../src/stores/azure/access";
import {
  authenticationSecretName,
  containerListerRoleName,
  defaultContainerName,
  resourceGroupName,
  storageAccountName,
} from "../../../../src/stores/azure/names";
import { applicationName, storageAccountNameRule } from "../../../../src/config/backends/azure";
import { BACKEND_DESCRIPTORS } from "../../../../src/config/backends";

const SUB = "11111111-2222-3333-4444-555555555555";
const where = { subscriptionId: SUB, resourceGroup: "rg", project: "p", stack: "s" };

describe("ARM scopes", () => {
  it("build the ids of a resource group, an account, a container and a role", () => {
    expect(resourceGroupScope(SUB, "rg")).toBe(`/subscriptions/${SUB}/resourceGroups/rg`);
    expect(storageAccountScope(SUB, "rg", "acct")).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
    );
    expect(containerScope(SUB, "rg", "acct", "c1")).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/c1`,
    );
    expect(builtInRoleId(SUB, "ba92f5b4-2d11-453d-a403-e96b0029c9fe")).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
    );
  });

  it.each([
    [
      "https://vault-1.vault.azure.net/keys/zenml",
      { vaultName: "vault-1", vaultUri: "https://vault-1.vault.azure.net/", keyName: "zenml" },
    ],
    [
      "https://v2.vault.azure.net/keys/k-1/0123456789abcdef0123456789abcdef",
      {
        vaultName: "v2",
        vaultUri: "https://v2.vault.azure.net/",
        keyName: "k-1",
        keyVersion: "0123456789abcdef0123456789abcdef",
      },
    ],
  ])("parses the Key Vault key URL %s", (url, parts) => {
    expect(parseKeyVaultKeyUrl(url)).toEqual({ keyVersion: undefined, ...parts });
    expect(keyVaultKeyScope(SUB, "kv-rg", parseKeyVaultKeyUrl(url))).toBe(
      `/subscriptions/${SUB}/resourceGroups/kv-rg/providers/Microsoft.KeyVault/vaults/${parts.vaultName}/keys/${parts.keyName}`,
    );
  });

  it("refuses anything that is not a Key Vault key URL", () => {
    expect(() => parseKeyVaultKeyUrl("https://evil.example.com/keys/x")).toThrow();
  });
});

describe("the container SAS", () => {
  it("asks for racwdl on one container, HTTPS only, signed with key1, no start time", () => {
    expect(
      containerSasArgs({
        resourceGroupName: "rg",
        accountName: "acct",
        containerName: "c1",
        expiry: "2030-01-01T00:00:00Z",
      }),
    ).toEqual({
      resourceGroupName: "rg",
      accountName: "acct",
      canonicalizedResource: "/blob/acct/c1",
      resource: "c",
      permissions: "racwdl",
      protocols: "https",
      sharedAccessExpiryTime: "2030-01-01T00:00:00Z",
      keyToSign: "key1",
    });
  });

  it.each([
    [
      "https://a.blob.core.windows.net/",
      "sv=x&sig=y",
      "BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=x&sig=y",
    ],
    [
      "https://a.blob.core.windows.net",
      "?sv=x&sig=y",
      "BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=x&sig=y",
    ],
  ])("builds the connection string from %s and %s", (endpoint, sas, expected) => {
    expect(sasConnectionString(endpoint, sas)).toBe(expected);
  });
});

describe("derived names", () => {
  it.each(["az", "a-very-long-store-name-with-many-parts-9", "x--y"])(
    "give %s a storage account name within Azure's rule, and stable",
    (store) => {
      const name = storageAccountName(store, where);
      expect(storageAccountNameRule(name)).toBeUndefined();
      expect(name.length).toBeLessThanOrEqual(24);
      expect(storageAccountName(store, where)).toBe(name);
    },
  );

  it("differ by subscription, resource group, project, stack and store", () => {
    const base = storageAccountName("az-store", where);
    expect(storageAccountName("az-store", { ...where, subscriptionId: "other" })).not.toBe(base);
    expect(storageAccountName("az-store", { ...where, resourceGroup: "rg2" })).not.toBe(base);
    expect(storageAccountName("az-store", { ...where, stack: "prod" })).not.toBe(base);
    expect(storageAccountName("az-store2", where)).not.toBe(base);
  });

  it.each(["abc", "x--y", "abc-def"])("make %s a valid container name", (store) => {
    expect(BACKEND_DESCRIPTORS.azure.names.bucket(defaultContainerName(store))).toBeUndefined();
  });

  it("name the resource group, application, lister role and ZenML secret", () => {
    expect(resourceGroupName("p", "s", "az")).toMatch(/^zenml-az-[0-9a-f]{8}$/);
    expect(applicationName("p", "s", "az")).toMatch(/^zenml-az-[0-9a-f]{8}$/);
    expect(containerListerRoleName("az", where)).toMatch(/^zenml-az-[0-9a-f]{8} container lister$/);
    expect(authenticationSecretName("az")).toBe("az-secret");
  });

  it("default the client secret to expire one year later, to the second", () => {
    expect(oneYearAfter(new Date("2026-11-26T06:30:15.123Z"))).toBe("2027-11-26T06:30:15Z");
    expect(oneYearAfter(new Date("2028-02-29T00:00:00Z"))).toBe("2029-03-01T00:00:00Z");
  });
});
