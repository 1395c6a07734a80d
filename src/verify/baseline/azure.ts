import type { BlobServiceProperties, StorageAccount } from "@azure/arm-storage";
import type { TokenCredential } from "@azure/identity";
import type { BlobServiceClient } from "@azure/storage-blob";
import { parseAzUri, parseConnectionString } from "../azure";
import type { StoreUnderTest, VerifierOptions } from "../types";
import { auditAzure, type AzureSettings, type Read } from "./compare";
import type { BaselineAuditor } from "./types";
import { connectorConfiguration } from "../../zenml/model";

/** Where a store's container is, from the recorded store (its only reads of StoreUnderTest). */
export interface AzureTarget {
  readonly container: string;
  readonly account: string;
  /** The account's blob endpoint, e.g. `https://<account>.blob.core.windows.net`. */
  readonly blobEndpoint: string;
  /** Recorded by service-principal stores; a SAS store records neither. */
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
}

export function azureTargetOf(store: StoreUnderTest, opts: VerifierOptions): AzureTarget {
  const { container } = parseAzUri(store.path);
  const cfg = connectorConfiguration(store.auth);
  let account: string | undefined = cfg.storage_account;
  let blobEndpoint = account ? `https://${account}.blob.core.windows.net` : undefined;
  if (store.credentials.connection_string) {
    // Only the endpoint of a SAS connection string is used, never the SAS.
    blobEndpoint = parseConnectionString(store.credentials.connection_string).BlobEndpoint;
    const url = blobEndpoint ? new URL(blobEndpoint) : undefined;
    account = url?.hostname.endsWith(".blob.core.windows.net")
      ? url.hostname.split(".")[0]
      : url?.pathname.split("/").filter(Boolean)[0]; // path-style (Azurite)
  }
  if (!account || !blobEndpoint) {
    throw new Error(`store ${store.storeName}: no storage account recorded`);
  }
  return {
    container,
    account,
    blobEndpoint: (opts.endpointUrl ?? blobEndpoint).replace(/\/+$/, ""),
    ...(cfg.subscription_id ? { subscriptionId: cfg.subscription_id } : {}),
    ...(cfg.resource_group ? { resourceGroup: cfg.resource_group } : {}),
  };
}

/** The account-level settings from ARM's answers (pure). */
export function azureAccountSettingsOf(
  account: Pick<
    StorageAccount,
    "allowBlobPublicAccess" | "enableHttpsTrafficOnly" | "minimumTlsVersion"
  >,
  blobService: Pick<BlobServiceProperties, "isVersioningEnabled">,
): Pick<AzureSettings, "allowBlobPublicAccess" | "httpsOnly" | "minimumTlsVersion" | "versioning"> {
  return {
    allowBlobPublicAccess: { value: account.allowBlobPublicAccess ?? null },
    // ARM's default for both, when an account predates the property.
    httpsOnly: { value: account.enableHttpsTrafficOnly ?? true },
    minimumTlsVersion: { value: account.minimumTlsVersion ?? "TLS1_0" },
    versioning: { value: blobService.isVersioningEnabled === true },
  };
}

function describe(err: unknown): string {
  const e = err as { code?: string; statusCode?: number; message?: string };
  const message = (e.message ?? String(err)).split("\n")[0].trim();
  return e.statusCode !== undefined
    ? `${e.code ?? "Error"} (HTTP ${e.statusCode}): ${message}`
    : message;
}

/**
 * The operator's data-plane client: the account key of AZURE_STORAGE_CONNECTION_STRING
 * when it names this account (e.g. an emulator), else DefaultAzureCredential.
 */
async function operatorBlobClient(
  target: AzureTarget,
  env: NodeJS.ProcessEnv,
  credential: () => Promise<TokenCredential>,
): Promise<BlobServiceClient> {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const options = { retryOptions: { maxTries: 2 } };
  const shared = parseConnectionString(env.AZURE_STORAGE_CONNECTION_STRING ?? "");
  if (shared.AccountName === target.account && shared.AccountKey) {
    const key = new StorageSharedKeyCredential(shared.AccountName, shared.AccountKey);
    return new BlobServiceClient(target.blobEndpoint, key, options);
  }
  return new BlobServiceClient(target.blobEndpoint, await credential(), options);
}

async function readContainerPublicAccess(
  target: AzureTarget,
  credential: () => Promise<TokenCredential>,
): Promise<Read<string | null>> {
  try {
    const service = await operatorBlobClient(target, process.env, credential);
    const props = await service.getContainerClient(target.container).getProperties();
    return { value: props.blobPublicAccess ?? null };
  } catch (err) {
    return { error: describe(err) };
  }
}

/** Account settings through Azure Resource Manager, with DefaultAzureCredential. */
async function readAccountSettings(
  target: AzureTarget,
  credential: () => Promise<TokenCredential>,
): Promise<ReturnType<typeof azureAccountSettingsOf> | { error: string }> {
  const subscriptionId = target.subscriptionId ?? process.env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId) {
    return {
      error:
        "the store records no subscription (SAS mode): set AZURE_SUBSCRIPTION_ID to read the account's settings",
    };
  }
  try {
    const { StorageManagementClient } = await import("@azure/arm-storage");
    const arm = new StorageManagementClient(await credential(), subscriptionId);
    let resourceGroup = target.resourceGroup;
    if (!resourceGroup) {
      for await (const a of arm.storageAccounts.list()) {
        if (a.name !== target.account) continue;
        resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(a.id ?? "")?.[1];
        break;
      }
    }
    if (!resourceGroup) {
      return {
        error: `storage account ${target.account} not found in subscription ${subscriptionId}`,
      };
    }
    const account = await arm.storageAccounts.getProperties(resourceGroup, target.account);
    const blob = await arm.blobServices.getServiceProperties(resourceGroup, target.account);
    return azureAccountSettingsOf(account, blob);
  } catch (err) {
    return { error: describe(err) };
  }
}

/**
 * Azure Blob: the container's access level (data plane) and the account's settings
 * (Azure Resource Manager). With --endpoint-url (an emulator such as Azurite, which
 * has no management plane) only the container is read.
 */
export const azureAuditor: BaselineAuditor = {
  async audit(store, expected, opts) {
    const target = azureTargetOf(store, opts);
    let cached: TokenCredential | undefined;
    const credential = async (): Promise<TokenCredential> => {
      const { DefaultAzureCredential } = await import("@azure/identity");
      return (cached ??= new DefaultAzureCredential());
    };
    const containerPublicAccess = await readContainerPublicAccess(target, credential);
    const account = opts.endpointUrl
      ? {
          notShown: `${opts.endpointUrl} is a blob endpoint only; account settings come from Azure Resource Manager`,
        }
      : await readAccountSettings(target, credential);
    const accountRead = <K extends keyof ReturnType<typeof azureAccountSettingsOf>>(
      key: K,
    ): ReturnType<typeof azureAccountSettingsOf>[K] | { error: string } | { notShown: string } =>
      "error" in account || "notShown" in account ? account : account[key];
    return auditAzure(
      store.storeName,
      {
        containerPublicAccess,
        allowBlobPublicAccess: accountRead("allowBlobPublicAccess"),
        httpsOnly: accountRead("httpsOnly"),
        minimumTlsVersion: accountRead("minimumTlsVersion"),
        versioning: accountRead("versioning"),
      },
      expected,
    );
  },
};
