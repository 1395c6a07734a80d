/**
 * Pure helpers for the Azure store: ARM resource ids, built-in role ids, the
 * container-scoped SAS request and the connection string ZenML gets.
 */

/** Built-in role: read, write and delete blobs and containers (data plane). */
export const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
/** Built-in role: wrap and unwrap with a Key Vault key (what storage CMK needs). */
export const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

/**
 * The only action of the custom "container lister" role. ZenML 0.98's azure
 * connector resolves a `blob-container` by calling List Containers on the
 * pinned storage account, an account-level operation that a container-scoped
 * role does not cover. This action lists container names and properties; it
 * grants no blob data (no data actions).
 */
export const CONTAINER_LISTER_ACTIONS = [
  "Microsoft.Storage/storageAccounts/blobServices/containers/read",
] as const;

/** The SAS permissions ZenML's artifact I/O needs: read, add, create, write, delete, list. */
export const SAS_PERMISSIONS = "racwdl";

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionScope(subscriptionId)}/resourceGroups/${resourceGroup}`;
}

export function storageAccountScope(
  subscriptionId: string,
  resourceGroup: string,
  account: string,
): string {
  return `${resourceGroupScope(subscriptionId, resourceGroup)}/providers/Microsoft.Storage/storageAccounts/${account}`;
}

/** The ARM id of a blob container: the scope of the identity's data role. */
export function containerScope(
  subscriptionId: string,
  resourceGroup: string,
  account: string,
  container: string,
): string {
  return `${storageAccountScope(subscriptionId, resourceGroup, account)}/blobServices/default/containers/${container}`;
}

/** The subscription-level id of a built-in role definition. */
export function builtInRoleId(subscriptionId: string, roleGuid: string): string {
  return `${subscriptionScope(subscriptionId)}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

export interface KeyVaultKey {
  readonly vaultName: string;
  /** `https://<vault>.vault.azure.net/` */
  readonly vaultUri: string;
  readonly keyName: string;
  /** Undefined: the account follows the key's current version (automatic rotation). */
  readonly keyVersion?: string;
}

const KEY_URL =
  /^https:\/\/([a-z0-9-]+)\.vault\.azure\.net\/keys\/([A-Za-z0-9-]+)(?:\/([a-f0-9]{32}))?$/;

/** Splits a Key Vault key URL (validated by the config parser) into its parts. */
export function parseKeyVaultKeyUrl(url: string): KeyVaultKey {
  const m = KEY_URL.exec(url);
  if (!m) throw new Error(`not a Key Vault key URL: ${url}`);
  return {
    vaultName: m[1],
    vaultUri: `https://${m[1]}.vault.azure.net/`,
    keyName: m[2],
    keyVersion: m[3],
  };
}

/** The ARM id of a Key Vault key: the scope of the storage identity's crypto role. */
export function keyVaultKeyScope(
  subscriptionId: string,
  resourceGroup: string,
  key: KeyVaultKey,
): string {
  return `${resourceGroupScope(subscriptionId, resourceGroup)}/providers/Microsoft.KeyVault/vaults/${key.vaultName}/keys/${key.keyName}`;
}

/**
 * The arguments of `storage.listStorageAccountServiceSAS` for a service SAS on
 * one container: only `racwdl`, HTTPS only, signed with key1, valid from the
 * moment it is issued (no start time, so no clock-skew window) until `expiry`.
 */
export function containerSasArgs(args: {
  readonly resourceGroupName: string;
  readonly accountName: string;
  readonly containerName: string;
  readonly expiry: string;
}): {
  resourceGroupName: string;
  accountName: string;
  canonicalizedResource: string;
  resource: "c";
  permissions: string;
  protocols: "https";
  sharedAccessExpiryTime: string;
  keyToSign: "key1";
} {
  return {
    resourceGroupName: args.resourceGroupName,
    accountName: args.accountName,
    canonicalizedResource: `/blob/${args.accountName}/${args.containerName}`,
    resource: "c",
    permissions: SAS_PERMISSIONS,
    protocols: "https",
    sharedAccessExpiryTime: args.expiry,
    keyToSign: "key1",
  };
}

/**
 * The connection string ZenML's `azure` artifact store hands to adlfs:
 * the account's blob endpoint and the SAS, nothing else (no account key).
 */
export function sasConnectionString(blobEndpoint: string, sasToken: string): string {
  const endpoint = blobEndpoint.endsWith("/") ? blobEndpoint : `${blobEndpoint}/`;
  return `BlobEndpoint=${endpoint};SharedAccessSignature=${sasToken.replace(/^\?/, "")}`;
}

/** One year after `now`, as `YYYY-MM-DDThh:mm:ssZ`: the default client-secret expiry. */
export function oneYearAfter(now: Date): string {
  const end = new Date(now.getTime());
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end.toISOString().replace(/\.\d{3}Z$/, "Z");
}
