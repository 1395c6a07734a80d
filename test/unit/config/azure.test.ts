import { describe, expect, it } from "vitest";
import { expiryRule } from "../../../src/config/backends/azure";
import { ConfigError } from "../../../src/config/errors";
import { parseDeployment } from "../../../src/config/parse";
import type { AzureStoreConfig, ConfigContext } from "../../../src/config/types";

const FUTURE = "2031-01-31T00:00:00Z";
const context: ConfigContext = { providerConfig: { "azure-native:location": "westeurope" } };

const sp = (over: Record<string, unknown> = {}) => ({
  name: "az-store",
  backend: "azure",
  ...over,
});
const sas = (over: Record<string, unknown> = {}) =>
  sp({ name: "az-sas", credentials: "sas", sasExpiry: FUTURE, ...over });

function parseOne(store: Record<string, unknown>, ctx = context): AzureStoreConfig {
  return parseDeployment({ stores: [store] }, ctx).stores[0] as AzureStoreConfig;
}

function errorOf(store: Record<string, unknown>, ctx = context): string {
  try {
    parseOne(store, ctx);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("azure store config: valid input", () => {
  it("fills every default for a service-principal store", () => {
    expect(parseOne(sp())).toEqual({
      name: "az-store",
      stackName: "az-store",
      backend: "azure",
      credentials: "service-principal",
      location: "westeurope",
      resourceGroup: { name: undefined, adopt: false },
      storageAccount: {
        name: undefined,
        sku: "Standard_LRS",
        infrastructureEncryption: false,
        softDeleteDays: undefined,
      },
      keyVaultResourceGroup: undefined,
      sasExpiry: undefined,
      clientSecretExpiry: undefined,
      tags: {},
      bucket: {
        name: undefined,
        adopt: false,
        forceDestroy: false,
        versioning: false,
        noncurrentVersionExpirationDays: 30,
        abortIncompleteUploadDays: 7,
        encryptionKey: undefined,
      },
    });
  });

  it("takes every azure option", () => {
    expect(
      parseOne(
        sp({
          location: "northeurope",
          resourceGroup: { name: "ml-platform_rg.(1)", adopt: true },
          storageAccount: {
            name: "zenmlartifacts01",
            sku: "Standard_ZRS",
            infrastructureEncryption: true,
            softDeleteDays: 14,
          },
          bucket: {
            name: "artifacts",
            versioning: true,
            noncurrentVersionExpirationDays: 7,
            forceDestroy: true,
            encryptionKey: "https://my-vault.vault.azure.net/keys/zenml",
          },
          keyVaultResourceGroup: "security-rg",
          clientSecretExpiry: FUTURE,
          tags: { team: "ml" },
        }),
      ),
    ).toMatchObject({
      location: "northeurope",
      resourceGroup: { name: "ml-platform_rg.(1)", adopt: true },
      storageAccount: {
        name: "zenmlartifacts01",
        sku: "Standard_ZRS",
        infrastructureEncryption: true,
        softDeleteDays: 14,
      },
      keyVaultResourceGroup: "security-rg",
      clientSecretExpiry: FUTURE,
    });
  });

  it("takes a sas store with its expiry", () => {
    expect(parseOne(sas())).toMatchObject({ credentials: "sas", sasExpiry: FUTURE });
  });

  it("takes an adopted container in an existing account and resource group, without a location", () => {
    expect(
      parseOne(
        sas({
          bucket: { name: "zenml", adopt: true },
          storageAccount: { name: "teamdata01" },
          resourceGroup: { name: "data-rg", adopt: true },
        }),
        { providerConfig: {} },
      ),
    ).toMatchObject({
      location: undefined,
      bucket: { name: "zenml", adopt: true },
      storageAccount: { name: "teamdata01" },
      resourceGroup: { name: "data-rg", adopt: true },
    });
  });

  it("prefers the store's location over azure-native:location", () => {
    expect(parseOne(sp({ location: "eastus2" })).location).toBe("eastus2");
  });
});

describe("azure store config: invalid input names the key and the rule", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "no location anywhere",
      sp(),
      "stores[0].location: is required when azure-native:location is not set",
    ],
  ])("rejects %s", (_, store, message) => {
    expect(errorOf(store, { providerConfig: {} })).toBe(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a bad location",
      sp({ location: "West Europe" }),
      'stores[0].location: "West Europe" is not an Azure region name (e.g. westeurope)',
    ],
    [
      "an upper-case storage account name",
      sp({ storageAccount: { name: "ZenmlArtifacts" } }),
      'stores[0].storageAccount.name: "ZenmlArtifacts" must be 3-24 lower-case letters and digits (Azure storage account names are global)',
    ],
    [
      "a storage account name with a hyphen",
      sp({ storageAccount: { name: "zenml-artifacts" } }),
      'stores[0].storageAccount.name: "zenml-artifacts" must be 3-24 lower-case letters and digits (Azure storage account names are global)',
    ],
    [
      "a 25-character storage account name",
      sp({ storageAccount: { name: "a".repeat(25) } }),
      `stores[0].storageAccount.name: "${"a".repeat(25)}" must be 3-24 lower-case letters and digits (Azure storage account names are global)`,
    ],
    [
      "an unknown SKU",
      sp({ storageAccount: { sku: "Premium_LRS" } }),
      'stores[0].storageAccount.sku: unknown storage SKU "Premium_LRS"; expected one of: Standard_LRS, Standard_ZRS, Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS',
    ],
    [
      "soft delete beyond 365 days",
      sp({ storageAccount: { softDeleteDays: 400 } }),
      "stores[0].storageAccount.softDeleteDays: must be a whole number of days from 1 to 365",
    ],
    [
      "an unknown storage account key",
      sp({ storageAccount: { allowSharedKeyAccess: true } }),
      "stores[0].storageAccount.allowSharedKeyAccess: unknown key; allowed: name, sku, infrastructureEncryption, softDeleteDays",
    ],
    [
      "a resource group name ending with a period",
      sp({ resourceGroup: { name: "rg." } }),
      'stores[0].resourceGroup.name: "rg." must not end with a period',
    ],
    [
      "a resource group name with a slash",
      sp({ resourceGroup: { name: "a/b" } }),
      'stores[0].resourceGroup.name: "a/b" must be 1-90 letters, digits, underscores, hyphens, periods or parentheses',
    ],
    [
      "an adopted resource group without a name",
      sp({ resourceGroup: { adopt: true } }),
      "stores[0].resourceGroup.name: is required when adopt is true",
    ],
    [
      "an adopted container without its storage account",
      sp({ bucket: { name: "cont1", adopt: true }, resourceGroup: { name: "rg", adopt: true } }),
      "stores[0].storageAccount.name: is required when bucket.adopt is true (the account that holds the container)",
    ],
    [
      "an adopted container in a new resource group",
      sp({ bucket: { name: "cont1", adopt: true }, storageAccount: { name: "acct01" } }),
      "stores[0].resourceGroup.adopt: must be true when bucket.adopt is true (an adopted container lives in an existing resource group)",
    ],
    [
      "account options on an adopted container",
      sp({
        bucket: { name: "cont1", adopt: true },
        storageAccount: { name: "acct01", infrastructureEncryption: true },
        resourceGroup: { name: "rg", adopt: true },
      }),
      "stores[0].storageAccount.infrastructureEncryption: only applies to a storage account this project creates; remove it or set bucket.adopt to false",
    ],
    [
      "abortIncompleteUploadDays, which Azure has no setting for",
      sp({ bucket: { abortIncompleteUploadDays: 3 } }),
      "stores[0].bucket.abortIncompleteUploadDays: does not apply to Azure, which discards uncommitted blocks after 7 days by itself",
    ],
    [
      "a container name with two hyphens",
      sp({ bucket: { name: "my--container" } }),
      'stores[0].bucket.name: "my--container" must not contain two adjacent hyphens',
    ],
    [
      "a Key Vault key that is not a URL",
      sp({ bucket: { encryptionKey: "zenml-key" } }),
      "stores[0].bucket.encryptionKey: must be a Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>[/<version>])",
    ],
    [
      "keyVaultResourceGroup without a key",
      sp({ keyVaultResourceGroup: "kv-rg" }),
      "stores[0].keyVaultResourceGroup: only applies with bucket.encryptionKey (a customer-managed key)",
    ],
    [
      "sas without an expiry",
      sp({ credentials: "sas" }),
      "stores[0].sasExpiry: is required with credentials sas: the UTC time the SAS stops working (YYYY-MM-DDThh:mm:ssZ)",
    ],
    [
      "a SAS expiry in the past",
      sas({ sasExpiry: "2020-01-01T00:00:00Z" }),
      'stores[0].sasExpiry: "2020-01-01T00:00:00Z" is in the past',
    ],
    [
      "a SAS expiry without a time",
      sas({ sasExpiry: "2031-01-31" }),
      'stores[0].sasExpiry: "2031-01-31" must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ',
    ],
    [
      "a SAS expiry with an offset instead of Z",
      sas({ sasExpiry: "2031-01-31T00:00:00+01:00" }),
      'stores[0].sasExpiry: "2031-01-31T00:00:00+01:00" must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ',
    ],
    [
      "a SAS expiry on a day that does not exist",
      sas({ sasExpiry: "2031-02-30T00:00:00Z" }),
      'stores[0].sasExpiry: "2031-02-30T00:00:00Z" is not a valid date and time',
    ],
    [
      "a SAS expiry in service-principal mode",
      sp({ sasExpiry: FUTURE }),
      "stores[0].sasExpiry: only applies with credentials sas",
    ],
    [
      "a client-secret expiry in sas mode",
      sas({ clientSecretExpiry: FUTURE }),
      "stores[0].clientSecretExpiry: only applies with credentials service-principal",
    ],
    [
      "an unknown credential mode",
      sp({ credentials: "account-key" }),
      'stores[0].credentials: unknown credential mode for backend azure "account-key"; expected one of: service-principal, sas, implicit',
    ],
    [
      "an unknown azure key",
      sp({ region: "westeurope" }),
      "stores[0].region: unknown key; allowed: name, backend, credentials, stackName, bucket, tags, location, resourceGroup, storageAccount, keyVaultResourceGroup, sasExpiry, clientSecretExpiry, principalObjectId, workloadIdentity, credentialGeneration, rotationPeriodDays, keepCredentials",
    ],
  ])("rejects %s", (_, store, message) => {
    expect(errorOf(store)).toBe(message);
  });
});

describe("expiryRule", () => {
  const now = new Date("2026-11-26T00:00:00Z");
  it.each([
    ["2026-11-26T00:00:01Z", undefined],
    ["2026-11-26T00:00:00Z", '"2026-11-26T00:00:00Z" is in the past'],
    ["2026-11-26T24:00:00Z", '"2026-11-26T24:00:00Z" is not a valid date and time'],
    [
      "2026-11-26T00:00:00.000Z",
      '"2026-11-26T00:00:00.000Z" must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ',
    ],
  ])("%s -> %s", (value, rule) => {
    expect(expiryRule(value, now)).toBe(rule);
  });
});
