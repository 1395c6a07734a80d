import { ConfigError } from "../errors";
import { isObject, object, optionalBoolean, optionalString, type Obj } from "../fields";
import { azureContainerNameRule, shortHash } from "../names";
import type { ConfigContext, StoreBaseWith } from "../base";
import type { BackendDescriptor, CredentialKind } from "./descriptor";
import { oidcIssuerRule, oidcSubjectRule, uuidRule, type AzureKeylessIdentity } from "./keyless";

/** Storage account redundancy options (all StorageV2-capable standard SKUs). */
export const AZURE_STORAGE_SKUS = [
  "Standard_LRS",
  "Standard_ZRS",
  "Standard_GRS",
  "Standard_RAGRS",
  "Standard_GZRS",
  "Standard_RAGZRS",
] as const;
export type AzureStorageSku = (typeof AZURE_STORAGE_SKUS)[number];

/** The identity modes: a service principal this project creates, a SAS token, or the server's own identity. */
const AZURE_CREDENTIALS = {
  "service-principal": "minted-key",
  sas: "secret",
  implicit: "keyless",
} as const satisfies Record<string, CredentialKind>;
export type AzureCredentialMode = keyof typeof AZURE_CREDENTIALS;

export interface AzureResourceGroupOptions {
  /** The resource group's name; undefined means generated (`zenml-<store>-<hash>`). */
  readonly name?: string;
  /** Use the existing resource group `name` instead of creating one. */
  readonly adopt: boolean;
}

export interface AzureStorageAccountOptions {
  /** The storage account's name; undefined means generated. */
  readonly name?: string;
  readonly sku: AzureStorageSku;
  /** A second layer of encryption at the infrastructure level (creation-time only). */
  readonly infrastructureEncryption: boolean;
  /** Days deleted blobs and containers are kept (soft delete); undefined means off. */
  readonly softDeleteDays?: number;
}

export interface AzureStoreConfig extends StoreBaseWith<AzureCredentialMode> {
  readonly backend: "azure";
  /** Azure region of the resource group and storage account; undefined only with bucket.adopt. */
  readonly location?: string;
  readonly resourceGroup: AzureResourceGroupOptions;
  readonly storageAccount: AzureStorageAccountOptions;
  /** Resource group of the Key Vault holding `bucket.encryptionKey` (default: the store's). */
  readonly keyVaultResourceGroup?: string;
  /** `sas` mode: when the SAS stops working, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly sasExpiry?: string;
  /** `service-principal` mode: when the client secret expires; undefined means a year after creation. */
  readonly clientSecretExpiry?: string;
  /** `implicit` mode: the identity the container roles go to. */
  readonly identity?: AzureKeylessIdentity;
}

/** Store keys only the azure backend has. */
export const AZURE_STORE_KEYS = [
  "location",
  "resourceGroup",
  "storageAccount",
  "keyVaultResourceGroup",
  "sasExpiry",
  "clientSecretExpiry",
  "principalObjectId",
  "workloadIdentity",
] as const;

const RESOURCE_GROUP_KEYS = ["name", "adopt"];
const STORAGE_ACCOUNT_KEYS = ["name", "sku", "infrastructureEncryption", "softDeleteDays"];
/** Storage account options that only make sense for an account this project creates. */
const CREATION_ONLY_ACCOUNT_KEYS = ["sku", "infrastructureEncryption", "softDeleteDays"];

// https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
const LOCATION = /^[a-z][a-z0-9]{2,39}$/;
const RESOURCE_GROUP_NAME = /^[A-Za-z0-9_.()-]{1,90}$/;
const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** The first rule a resource group name breaks, or undefined. */
export function resourceGroupNameRule(name: string): string | undefined {
  if (!RESOURCE_GROUP_NAME.test(name)) {
    return "must be 1-90 letters, digits, underscores, hyphens, periods or parentheses";
  }
  if (name.endsWith(".")) return "must not end with a period";
  return undefined;
}

/** The first rule a storage account name breaks, or undefined. */
export function storageAccountNameRule(name: string): string | undefined {
  return STORAGE_ACCOUNT_NAME.test(name)
    ? undefined
    : "must be 3-24 lower-case letters and digits (Azure storage account names are global)";
}

/**
 * The first rule an expiry timestamp breaks, or undefined. Only whole-second
 * UTC timestamps are taken: Azure signs the SAS expiry as written, and ZenML's
 * clients parse `YYYY-MM-DDThh:mm:ssZ`.
 */
export function expiryRule(value: string, now: Date = new Date()): string | undefined {
  const m = UTC_TIMESTAMP.exec(value);
  if (!m) return `"${value}" must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ`;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(time);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return `"${value}" is not a valid date and time`;
  }
  if (time <= now.getTime()) return `"${value}" is in the past`;
  return undefined;
}

function parseResourceGroup(raw: unknown, key: string): AzureResourceGroupOptions {
  const obj = raw === undefined || raw === null ? {} : object(raw, key, RESOURCE_GROUP_KEYS);
  const name = optionalString(obj, "name", key);
  if (name !== undefined) {
    const broken = resourceGroupNameRule(name);
    if (broken) throw new ConfigError(`${key}.name`, `"${name}" ${broken}`);
  }
  const adopt = optionalBoolean(obj, "adopt", key) ?? false;
  if (adopt && name === undefined) {
    throw new ConfigError(`${key}.name`, "is required when adopt is true");
  }
  return { name, adopt };
}

function parseStorageAccount(raw: unknown, key: string): AzureStorageAccountOptions {
  const obj = raw === undefined || raw === null ? {} : object(raw, key, STORAGE_ACCOUNT_KEYS);
  const name = optionalString(obj, "name", key);
  if (name !== undefined) {
    const broken = storageAccountNameRule(name);
    if (broken) throw new ConfigError(`${key}.name`, `"${name}" ${broken}`);
  }
  const sku = optionalString(obj, "sku", key) ?? "Standard_LRS";
  if (!(AZURE_STORAGE_SKUS as readonly string[]).includes(sku)) {
    throw new ConfigError(
      `${key}.sku`,
      `unknown storage SKU "${sku}"; expected one of: ${AZURE_STORAGE_SKUS.join(", ")}`,
    );
  }
  const softDeleteDays = obj.softDeleteDays;
  if (
    softDeleteDays !== undefined &&
    softDeleteDays !== null &&
    (typeof softDeleteDays !== "number" ||
      !Number.isInteger(softDeleteDays) ||
      softDeleteDays < 1 ||
      softDeleteDays > 365)
  ) {
    throw new ConfigError(`${key}.softDeleteDays`, "must be a whole number of days from 1 to 365");
  }
  return {
    name,
    sku: sku as AzureStorageSku,
    infrastructureEncryption: optionalBoolean(obj, "infrastructureEncryption", key) ?? false,
    softDeleteDays: typeof softDeleteDays === "number" ? softDeleteDays : undefined,
  };
}

function parseExpiry(obj: Obj, field: string, key: string): string | undefined {
  const value = optionalString(obj, field, key);
  if (value === undefined) return undefined;
  const broken = expiryRule(value);
  if (broken) throw new ConfigError(`${key}.${field}`, broken);
  return value;
}

export function parseAzureStore(
  obj: Obj,
  key: string,
  base: StoreBaseWith<AzureCredentialMode>,
  context: ConfigContext,
): AzureStoreConfig {
  // Azure discards uncommitted blocks by itself after 7 days; there is no setting.
  if (isObject(obj.bucket) && obj.bucket.abortIncompleteUploadDays !== undefined) {
    throw new ConfigError(
      `${key}.bucket.abortIncompleteUploadDays`,
      "does not apply to Azure, which discards uncommitted blocks after 7 days by itself",
    );
  }
  const resourceGroup = parseResourceGroup(obj.resourceGroup, `${key}.resourceGroup`);
  const storageAccount = parseStorageAccount(obj.storageAccount, `${key}.storageAccount`);
  const rawAccount = isObject(obj.storageAccount) ? obj.storageAccount : {};

  if (base.bucket.adopt) {
    if (storageAccount.name === undefined) {
      throw new ConfigError(
        `${key}.storageAccount.name`,
        "is required when bucket.adopt is true (the account that holds the container)",
      );
    }
    if (!resourceGroup.adopt) {
      throw new ConfigError(
        `${key}.resourceGroup.adopt`,
        "must be true when bucket.adopt is true (an adopted container lives in an existing resource group)",
      );
    }
    const conflict = CREATION_ONLY_ACCOUNT_KEYS.find((k) => rawAccount[k] !== undefined);
    if (conflict) {
      throw new ConfigError(
        `${key}.storageAccount.${conflict}`,
        "only applies to a storage account this project creates; remove it or set bucket.adopt to false",
      );
    }
  }

  const location =
    optionalString(obj, "location", key) ?? context.providerConfig["azure-native:location"];
  if (location === undefined && !base.bucket.adopt) {
    throw new ConfigError(`${key}.location`, "is required when azure-native:location is not set");
  }
  if (location !== undefined && !LOCATION.test(location)) {
    throw new ConfigError(
      `${key}.location`,
      `"${location}" is not an Azure region name (e.g. westeurope)`,
    );
  }

  const keyVaultResourceGroup = optionalString(obj, "keyVaultResourceGroup", key);
  if (keyVaultResourceGroup !== undefined) {
    if (base.bucket.encryptionKey === undefined) {
      throw new ConfigError(
        `${key}.keyVaultResourceGroup`,
        "only applies with bucket.encryptionKey (a customer-managed key)",
      );
    }
    const broken = resourceGroupNameRule(keyVaultResourceGroup);
    if (broken) {
      throw new ConfigError(`${key}.keyVaultResourceGroup`, `"${keyVaultResourceGroup}" ${broken}`);
    }
  }

  const sasExpiry = parseExpiry(obj, "sasExpiry", key);
  const clientSecretExpiry = parseExpiry(obj, "clientSecretExpiry", key);
  if (base.credentials === "sas") {
    if (sasExpiry === undefined) {
      throw new ConfigError(
        `${key}.sasExpiry`,
        "is required with credentials sas: the UTC time the SAS stops working (YYYY-MM-DDThh:mm:ssZ)",
      );
    }
    if (clientSecretExpiry !== undefined) {
      throw new ConfigError(
        `${key}.clientSecretExpiry`,
        "only applies with credentials service-principal",
      );
    }
  } else if (sasExpiry !== undefined) {
    throw new ConfigError(`${key}.sasExpiry`, "only applies with credentials sas");
  }

  if (base.credentials === "implicit" && clientSecretExpiry !== undefined) {
    throw new ConfigError(
      `${key}.clientSecretExpiry`,
      "only applies with credentials service-principal",
    );
  }
  const identity = parseKeylessIdentity(obj, key, base.credentials === "implicit");
  return {
    ...base,
    backend: "azure",
    location,
    resourceGroup,
    storageAccount,
    keyVaultResourceGroup,
    sasExpiry,
    clientSecretExpiry,
    ...(identity !== undefined ? { identity } : {}),
  };
}

/** `implicit` mode: `principalObjectId` (a managed identity) or `workloadIdentity` {issuer, subject}. */
function parseKeylessIdentity(
  obj: Obj,
  key: string,
  implicit: boolean,
): AzureKeylessIdentity | undefined {
  const objectId = optionalString(obj, "principalObjectId", key);
  const rawWorkload = obj.workloadIdentity;
  const hasWorkload = rawWorkload !== undefined && rawWorkload !== null;
  if (!implicit) {
    const extra =
      objectId !== undefined ? "principalObjectId" : hasWorkload ? "workloadIdentity" : "";
    if (extra !== "")
      throw new ConfigError(`${key}.${extra}`, "only applies when credentials is implicit");
    return undefined;
  }
  if ((objectId !== undefined) === hasWorkload) {
    throw new ConfigError(
      `${key}.principalObjectId`,
      "with credentials implicit, set exactly one of principalObjectId (the ZenML server's managed identity) or workloadIdentity (issuer and subject)",
    );
  }
  if (objectId !== undefined) {
    const broken = uuidRule(objectId);
    if (broken) throw new ConfigError(`${key}.principalObjectId`, broken);
    return { kind: "principal", objectId: objectId.toLowerCase() };
  }
  const where = `${key}.workloadIdentity`;
  const w = object(rawWorkload, where, ["issuer", "subject"]);
  const issuer = optionalString(w, "issuer", where);
  if (issuer === undefined) {
    throw new ConfigError(`${where}.issuer`, "is required: the cluster's OIDC issuer URL");
  }
  const badIssuer = oidcIssuerRule(issuer);
  if (badIssuer) throw new ConfigError(`${where}.issuer`, badIssuer);
  const subject = optionalString(w, "subject", where);
  if (subject === undefined) {
    throw new ConfigError(
      `${where}.subject`,
      "is required: the ZenML server's token subject (system:serviceaccount:NAMESPACE:NAME)",
    );
  }
  const badSubject = oidcSubjectRule(subject);
  if (badSubject) throw new ConfigError(`${where}.subject`, badSubject);
  return { kind: "workload", issuer, subject };
}

/** The Azure AD application (and service principal) display name. */
export function applicationName(project: string, stack: string, storeName: string): string {
  return `zenml-${storeName}-${shortHash(project, stack, storeName)}`;
}

export const AZURE_BACKEND = {
  backend: "azure",
  credentials: AZURE_CREDENTIALS,
  defaultCredentials: "service-principal",
  storeKeys: AZURE_STORE_KEYS,
  parse: parseAzureStore,
  names: { bucket: azureContainerNameRule, identity: applicationName },
  customerKey: {
    pattern: /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/keys\/[A-Za-z0-9-]+(\/[a-f0-9]{32})?$/,
    rule: "must be a Key Vault key URL (https://<vault>.vault.azure.net/keys/<name>[/<version>])",
  },
  // https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
  tagRule: (k, v) =>
    k.length < 1 || k.length > 512 || /[<>%&\\?/]/.test(k) || v.length > 256
      ? "Azure tag names must be 1-512 characters without < > % & \\ ? / and values at most 256"
      : undefined,
  zenml: { flavor: "azure", pathSchemes: ["az://", "abfs://"] },
  verifier: "azure",
  storeFlags: [],
} as const satisfies BackendDescriptor<"azure", AzureCredentialMode, AzureStoreConfig>;
