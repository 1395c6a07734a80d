import { createHash } from "node:crypto";
import type { StoreConfig } from "../config/types";

/**
 * Placeholder values for offline evaluation under Pulumi's mock runtime:
 * what a provider would compute (ids, ARNs, e-mails, generated names) and what
 * invokes would return (account, partition, project, tenant). Values are
 * obviously fake and stable, so a plan reads the same on every run.
 */

export const PLACEHOLDER_ACCOUNT = "123456789012";
export const PLACEHOLDER_GCP_PROJECT = "placeholder-project";
export const PLACEHOLDER_GCP_PROJECT_NUMBER = "123456789012";
export const PLACEHOLDER_AZURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
export const PLACEHOLDER_AZURE_TENANT = "00000000-0000-0000-0000-000000000002";
export const PLACEHOLDER_SECRET = "placeholder-secret";

type Json = Record<string, unknown>;

export interface PlaceholderContext {
  /** Stack config by full key (for `aws:region`, `gcp:project`, …). */
  readonly config: Readonly<Record<string, string | undefined>>;
}

/** Seven stable hex characters standing in for Pulumi's random auto-name suffix. */
export function suffix(...parts: string[]): string {
  return createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 7);
}

/** A stable UUID-shaped placeholder. */
export function placeholderUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("/")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/**
 * The input holding a resource's own name where it is not `name`: Azure names it by kind,
 * and its `accountName`/`containerName` on a child resource name the parent instead.
 */
const NAME_INPUTS: Readonly<Record<string, string>> = {
  "azure-native:resources:ResourceGroup": "resourceGroupName",
  "azure-native:storage:StorageAccount": "accountName",
  "azure-native:storage:BlobServiceProperties": "blobServicesName",
  "azure-native:storage:BlobContainer": "containerName",
  "azure-native:storage:ManagementPolicy": "managementPolicyName",
  "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
  "azure-native:managedidentity:FederatedIdentityCredential":
    "federatedIdentityCredentialResourceName",
  "azure-native:authorization:RoleDefinition": "roleDefinitionId",
  "azure-native:authorization:RoleAssignment": "roleAssignmentName",
  "gcp:serviceaccount/account:Account": "accountId",
};

/** Azure names role definitions and assignments with a GUID when none is given. */
const GUID_NAMED = new Set([
  "azure-native:authorization:RoleDefinition",
  "azure-native:authorization:RoleAssignment",
]);

/** The physical name a provider would give a resource (explicit name, prefix, or auto-name). */
export function physicalName(type: string, name: string, inputs: Json): string {
  const own = NAME_INPUTS[type];
  const explicit = own !== undefined ? str(inputs[own]) : (str(inputs.name) ?? str(inputs.bucket));
  if (explicit) return explicit;
  if (GUID_NAMED.has(type)) return placeholderUuid(type, name);
  const prefix = str(inputs.bucketPrefix) ?? str(inputs.namePrefix);
  if (prefix) return `${prefix}plc${suffix(type, name)}`;
  return `${name}-${suffix(type, name)}`;
}

function awsRegion(inputs: Json, ctx: PlaceholderContext): string {
  return str(inputs.region) ?? ctx.config["aws:region"] ?? "us-east-1";
}

function gcpProject(inputs: Json, ctx: PlaceholderContext): string {
  return str(inputs.project) ?? ctx.config["gcp:project"] ?? PLACEHOLDER_GCP_PROJECT;
}

/** A service account's resource name, `projects/<project>/serviceAccounts/<email>`, from any of its forms. */
function serviceAccountName(account: string, inputs: Json, ctx: PlaceholderContext): string {
  return account.startsWith("projects/")
    ? account
    : `projects/${gcpProject(inputs, ctx)}/serviceAccounts/${account}`;
}

const IAM_KINDS: Record<string, string> = {
  User: "user",
  Role: "role",
  Policy: "policy",
  Group: "group",
  InstanceProfile: "instance-profile",
};

/** An ARN for an AWS resource type, shaped like the real one where it matters for policies. */
export function awsArn(
  type: string,
  physical: string,
  inputs: Json,
  ctx: PlaceholderContext,
): string {
  const m = /^aws:([a-z0-9]+)\/[a-zA-Z0-9]+:([A-Za-z0-9]+)$/.exec(type);
  const service = m?.[1] ?? "unknown";
  const kind = m?.[2] ?? "Resource";
  if (service === "s3" && kind === "Bucket") return `arn:aws:s3:::${physical}`;
  if (service === "iam") {
    return `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:${IAM_KINDS[kind] ?? kind.toLowerCase()}/${physical}`;
  }
  if (service === "kms" && kind === "Key") {
    return `arn:aws:kms:${awsRegion(inputs, ctx)}:${PLACEHOLDER_ACCOUNT}:key/${placeholderUuid(type, physical)}`;
  }
  return `arn:aws:${service}:${awsRegion(inputs, ctx)}:${PLACEHOLDER_ACCOUNT}:${kind.toLowerCase()}/${physical}`;
}

type Computer = (args: {
  name: string;
  physical: string;
  inputs: Json;
  ctx: PlaceholderContext;
  type: string;
}) => Json;

/** Outputs providers compute, by resource type. Add a backend's types here. */
export const COMPUTED: Readonly<Record<string, Computer>> = {
  "aws:s3/bucket:Bucket": ({ physical }) => ({
    bucket: physical,
    bucketDomainName: `${physical}.s3.amazonaws.com`,
  }),
  "aws:iam/user:User": ({ physical }) => ({ name: physical, uniqueId: "AIDAPLACEHOLDER" }),
  "aws:iam/role:Role": ({ physical }) => ({ name: physical, uniqueId: "AROAPLACEHOLDER" }),
  "aws:iam/accessKey:AccessKey": () => ({
    secret: PLACEHOLDER_SECRET,
    status: "Active",
  }),
  "aws:kms/key:Key": ({ type, physical }) => ({ keyId: placeholderUuid(type, physical) }),
  "gcp:storage/bucket:Bucket": ({ physical }) => ({
    name: physical,
    url: `gs://${physical}`,
    selfLink: `https://www.googleapis.com/storage/v1/b/${physical}`,
  }),
  "gcp:serviceaccount/account:Account": ({ physical, inputs, ctx }) => {
    const email = `${physical}@${gcpProject(inputs, ctx)}.iam.gserviceaccount.com`;
    return {
      email,
      member: `serviceAccount:${email}`,
      name: `projects/${gcpProject(inputs, ctx)}/serviceAccounts/${email}`,
      uniqueId: "100000000000000000001",
    };
  },
  "gcp:serviceaccount/key:Key": ({ type, name, inputs, ctx }) => ({
    name: `${serviceAccountName(String(inputs.serviceAccountId ?? ""), inputs, ctx)}/keys/${suffix(type, name)}`,
    privateKey: Buffer.from(
      JSON.stringify({ type: "service_account", private_key: PLACEHOLDER_SECRET }),
    ).toString("base64"),
    publicKey: "placeholder-public-key",
  }),
  "azuread:index/application:Application": ({ type, physical }) => ({
    clientId: placeholderUuid(type, physical, "client"),
    applicationId: placeholderUuid(type, physical, "client"),
    objectId: placeholderUuid(type, physical, "object"),
  }),
  "azuread:index/servicePrincipal:ServicePrincipal": ({ type, physical }) => ({
    objectId: placeholderUuid(type, physical, "object"),
  }),
  "azuread:index/applicationPassword:ApplicationPassword": () => ({ value: PLACEHOLDER_SECRET }),
  "azuread:index/servicePrincipalPassword:ServicePrincipalPassword": () => ({
    value: PLACEHOLDER_SECRET,
  }),
  "azure-native:storage:StorageAccount": ({ physical }) => ({
    primaryEndpoints: { blob: `https://${physical}.blob.core.windows.net/` },
  }),
  "minio:index/iamUser:IamUser": () => ({ secret: PLACEHOLDER_SECRET, status: "enabled" }),
  "minio:index/iamServiceAccount:IamServiceAccount": ({ type, name }) => ({
    accessKey: `PLACEHOLDER${suffix(type, name).toUpperCase()}`,
    secretKey: PLACEHOLDER_SECRET,
    status: "on",
  }),
  "azure-native:managedidentity:UserAssignedIdentity": ({ type, physical }) => ({
    principalId: placeholderUuid(type, physical, "principal"),
    clientId: placeholderUuid(type, physical, "client"),
  }),
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": ({ inputs }) => ({
    name: `projects/${PLACEHOLDER_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${str(inputs.workloadIdentityPoolId) ?? "pool"}`,
  }),
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": ({ inputs }) => ({
    name: `projects/${PLACEHOLDER_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${str(inputs.workloadIdentityPoolId) ?? "pool"}/providers/${str(inputs.workloadIdentityPoolProviderId) ?? "provider"}`,
  }),
  "minio:index/s3Bucket:S3Bucket": ({ physical }) => ({
    bucket: physical,
    arn: `arn:aws:s3:::${physical}`,
  }),
};

const AZURE_SUBSCRIPTION_ID = `/subscriptions/${PLACEHOLDER_AZURE_SUBSCRIPTION}`;

function azureResourceGroupId(inputs: Json): string {
  return `${AZURE_SUBSCRIPTION_ID}/resourceGroups/${str(inputs.resourceGroupName) ?? "placeholder-rg"}`;
}

function azureAccountId(inputs: Json): string {
  return `${azureResourceGroupId(inputs)}/providers/Microsoft.Storage/storageAccounts/${str(inputs.accountName) ?? "placeholder"}`;
}

function azureIdentityId(inputs: Json, identity: string): string {
  return `${azureResourceGroupId(inputs)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity}`;
}

/** Ids of Azure resources that nest under another resource or the scope they are created at. */
const AZURE_IDS: Readonly<Record<string, (physical: string, inputs: Json) => string>> = {
  "azure-native:resources:ResourceGroup": (physical) =>
    `${AZURE_SUBSCRIPTION_ID}/resourceGroups/${physical}`,
  "azure-native:storage:BlobServiceProperties": (physical, inputs) =>
    `${azureAccountId(inputs)}/blobServices/${physical}`,
  "azure-native:storage:BlobContainer": (physical, inputs) =>
    `${azureAccountId(inputs)}/blobServices/default/containers/${physical}`,
  "azure-native:storage:ManagementPolicy": (physical, inputs) =>
    `${azureAccountId(inputs)}/managementPolicies/${physical}`,
  "azure-native:managedidentity:UserAssignedIdentity": (physical, inputs) =>
    azureIdentityId(inputs, physical),
  "azure-native:managedidentity:FederatedIdentityCredential": (physical, inputs) =>
    `${azureIdentityId(inputs, str(inputs.resourceName) ?? "placeholder")}/federatedIdentityCredentials/${physical}`,
  "azure-native:authorization:RoleDefinition": (physical, inputs) =>
    `${str(inputs.scope) ?? AZURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${physical}`,
  "azure-native:authorization:RoleAssignment": (physical, inputs) =>
    `${str(inputs.scope) ?? AZURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleAssignments/${physical}`,
};

/** An Azure resource id: `…/resourceGroups/<rg>/providers/Microsoft.<Namespace>/<kind>s/<name>`, or nested. */
function azureId(type: string, physical: string, inputs: Json): string {
  const nested = AZURE_IDS[type];
  if (nested) return nested(physical, inputs);
  const m = /^azure-native:([a-zA-Z0-9]+)(?:\/[a-zA-Z0-9]+)?:([A-Za-z0-9]+)$/.exec(type);
  const provider = `Microsoft.${m?.[1] ? m[1][0].toUpperCase() + m[1].slice(1) : "Unknown"}`;
  const kind = m?.[2] ? `${m[2][0].toLowerCase()}${m[2].slice(1)}s` : "resources";
  return `${azureResourceGroupId(inputs)}/providers/${provider}/${kind}/${physical}`;
}

/** The id and state a provider would return for a custom resource. */
export function placeholderResource(
  type: string,
  name: string,
  inputs: Json,
  ctx: PlaceholderContext,
): { id: string; state: Json } {
  if (type.startsWith("pulumi:providers:")) return { id: `${name}-provider`, state: inputs };
  const physical = physicalName(type, name, inputs);
  const computed = COMPUTED[type]?.({ name, physical, inputs, ctx, type }) ?? {};
  const state: Json = { ...inputs, ...computed };
  let id = physical;
  if (type.startsWith("aws:")) {
    if (state.arn === undefined) state.arn = awsArn(type, physical, inputs, ctx);
    if (type === "aws:iam/accessKey:AccessKey")
      id = `AKIAPLACEHOLDER${suffix(type, name).toUpperCase()}`.slice(0, 20);
  } else if (type.startsWith("azure-native:")) {
    id = azureId(type, physical, inputs);
    if (state.name === undefined) state.name = physical;
  } else if (type.startsWith("gcp:")) {
    if (typeof computed.name === "string") id = computed.name;
    if (state.name === undefined) state.name = physical;
  } else if (state.name === undefined) {
    state.name = physical;
  }
  state.id = id;
  return { id, state };
}

type Invoke = (inputs: Json, ctx: PlaceholderContext) => Json;

/** Invoke results by token. Add a backend's invokes here. */
export const INVOKES: Readonly<Record<string, Invoke>> = {
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: PLACEHOLDER_ACCOUNT,
    arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user/deployer`,
    userId: "AIDAPLACEHOLDER",
    id: PLACEHOLDER_ACCOUNT,
  }),
  "aws:index/getRegion:getRegion": (inputs, ctx) => {
    const region = awsRegion(inputs, ctx);
    return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
  },
  "gcp:organizations/getProject:getProject": (inputs, ctx) => ({
    projectId: str(inputs.projectId) ?? gcpProject(inputs, ctx),
    number: PLACEHOLDER_GCP_PROJECT_NUMBER,
    name: str(inputs.projectId) ?? gcpProject(inputs, ctx),
    id: `projects/${gcpProject(inputs, ctx)}`,
  }),
  "gcp:organizations/getClientConfig:getClientConfig": (inputs, ctx) => ({
    project: gcpProject(inputs, ctx),
    region: ctx.config["gcp:region"] ?? "us-central1",
    zone: ctx.config["gcp:zone"] ?? "us-central1-a",
    accessToken: PLACEHOLDER_SECRET,
    id: "placeholder",
  }),
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (inputs, ctx) => ({
    emailAddress: `service-${PLACEHOLDER_GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`,
    project: gcpProject(inputs, ctx),
    id: "placeholder",
  }),
  "azure-native:authorization:getClientConfig": () => ({
    clientId: placeholderUuid("azure", "client"),
    objectId: placeholderUuid("azure", "object"),
    subscriptionId: PLACEHOLDER_AZURE_SUBSCRIPTION,
    tenantId: PLACEHOLDER_AZURE_TENANT,
  }),
  "azure-native:storage:getStorageAccount": (inputs) => ({
    name: inputs.accountName,
    primaryEndpoints: { blob: `https://${String(inputs.accountName)}.blob.core.windows.net/` },
  }),
  "azure-native:storage:listStorageAccountServiceSAS": (inputs) => ({
    serviceSasToken: `sv=placeholder&sr=${String(inputs.resource ?? "c")}&sp=${String(inputs.permissions ?? "")}&sig=${PLACEHOLDER_SECRET}`,
  }),
  "azuread:index/getClientConfig:getClientConfig": () => ({
    clientId: placeholderUuid("azure", "client"),
    objectId: placeholderUuid("azure", "object"),
    tenantId: PLACEHOLDER_AZURE_TENANT,
    id: PLACEHOLDER_AZURE_TENANT,
  }),
};

/** A stand-in for one `storeSecrets` field the offline plan cannot decrypt or was not given. */
export function placeholderStoreSecret(store: StoreConfig, field: string): string {
  if (field !== "impersonatorKey") return `${PLACEHOLDER_SECRET}-${field}`;
  // A well-formed key of the impersonator itself, so the config checks pass.
  const member = store.backend === "gcp" ? (store.impersonator ?? "") : "";
  const email = member.startsWith("serviceAccount:")
    ? member.slice("serviceAccount:".length)
    : `placeholder@${PLACEHOLDER_GCP_PROJECT}.iam.gserviceaccount.com`;
  return JSON.stringify({
    type: "service_account",
    project_id: PLACEHOLDER_GCP_PROJECT,
    private_key_id: "placeholder",
    private_key: PLACEHOLDER_SECRET,
    client_email: email,
    client_id: "0",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${email}`,
  });
}
