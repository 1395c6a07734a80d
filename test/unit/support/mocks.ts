import * as pulumi from "@pulumi/pulumi";
import { setProgramConfig } from "../../support/programConfig";

// Resource inputs are untyped property bags; tests index into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

/** One resource the program registered under the mock runtime. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
}

export const ACCOUNT_ID = "123456789012";
export const FAKE_SECRET_ACCESS_KEY = "mock-secret-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const FAKE_MINIO_USER_SECRET = "mock-minio-user-password-1f2e3d4c";
export const FAKE_MINIO_SERVICE_ACCOUNT_KEY_ID = "MINIOMOCKSVCACCT0001";
export const FAKE_MINIO_SERVICE_ACCOUNT_SECRET = "mock-minio-sa-secret-9a8b7c6d5e4f";

/** Outputs a provider would compute, for the resource types the program creates. */
function computed(type: string, name: string, inputs: Inputs): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix}20261126000000000000000001`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket };
    }
    case "aws:iam/user:User":
      return { arn: `arn:aws:iam::${ACCOUNT_ID}:user/${inputs.name}` };
    case "aws:iam/role:Role":
      return { name: `${name}-1a2b3c4`, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}-1a2b3c4` };
    case "aws:iam/accessKey:AccessKey":
      return { secret: FAKE_SECRET_ACCESS_KEY };
    case "minio:index/s3Bucket:S3Bucket": {
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix}20261126000000000000000001`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket };
    }
    case "minio:index/iamUser:IamUser":
      return { secret: FAKE_MINIO_USER_SECRET };
    case "minio:index/iamServiceAccount:IamServiceAccount":
      return {
        accessKey: FAKE_MINIO_SERVICE_ACCOUNT_KEY_ID,
        secretKey: FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
        status: "on",
      };
    case "gcp:storage/bucket:Bucket":
      return { url: `gs://${inputs.name}`, selfLink: `mock://b/${inputs.name}` };
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      return {
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${inputs.project}/serviceAccounts/${email}`,
        uniqueId: "100000000000000000001",
      };
    }
    case "gcp:serviceaccount/key:Key": {
      const email = String(inputs.serviceAccountId).split("/").pop()!;
      return {
        privateKey: Buffer.from(fakeGcpServiceAccountKeyJson(email)).toString("base64"),
      };
    }
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return {
        name: `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`,
      };
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return {
        name: `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`,
      };
    case "azure-native:resources:ResourceGroup":
      return { name: inputs.resourceGroupName };
    case "azure-native:storage:StorageAccount":
      return { name: inputs.accountName, primaryEndpoints: azureEndpoints(inputs.accountName) };
    case "azure-native:storage:BlobContainer":
      return { name: inputs.containerName };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return {
        name: inputs.resourceName ?? name,
        principalId: AZURE_CMK_PRINCIPAL_ID,
        clientId: "00000000-0000-4000-8000-0000000c3c3c",
      };
    case "azuread:index/application:Application":
      return { clientId: AZURE_CLIENT_ID, objectId: "00000000-0000-4000-8000-00000000a99a" };
    case "azuread:index/servicePrincipal:ServicePrincipal":
      return { objectId: AZURE_SP_OBJECT_ID };
    case "azuread:index/applicationPassword:ApplicationPassword":
      return { value: FAKE_AZURE_CLIENT_SECRET, keyId: "00000000-0000-4000-8000-00000000c1e7" };
    default:
      return {};
  }
}

export const AZURE_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000005ab5";
export const AZURE_TENANT_ID = "00000000-0000-4000-8000-00000000e7a7";
export const AZURE_DEPLOYER_OBJECT_ID = "00000000-0000-4000-8000-00000000de91";
export const AZURE_CLIENT_ID = "00000000-0000-4000-8000-00000000c11d";
export const AZURE_SP_OBJECT_ID = "00000000-0000-4000-8000-0000000005b0";
export const AZURE_CMK_PRINCIPAL_ID = "00000000-0000-4000-8000-000000000c3c";
export const FAKE_AZURE_CLIENT_SECRET = "mock-azure-client-secret~Q8x7c6v5b4n3m2";
export const FAKE_AZURE_SAS_SIGNATURE = "mock-sas-signature";
/** The inputs of every listStorageAccountServiceSAS invoke, in order. */
export const AZURE_SAS_REQUESTS: Inputs[] = [];

/** A storage account's endpoints as Azure public cloud reports them. */
function azureEndpoints(account: string): Record<string, string> {
  return {
    blob: `https://${account}.blob.core.windows.net/`,
    dfs: `https://${account}.dfs.core.windows.net/`,
    file: `https://${account}.file.core.windows.net/`,
    queue: `https://${account}.queue.core.windows.net/`,
    table: `https://${account}.table.core.windows.net/`,
    web: `https://${account}.z6.web.core.windows.net/`,
  };
}

/** What ARM's listServiceSas returns, shaped like a real token but with a fake signature. */
function fakeServiceSas(inputs: Inputs): string {
  return [
    "sv=2015-04-05",
    `sr=${inputs.resource}`,
    `se=${encodeURIComponent(String(inputs.sharedAccessExpiryTime).replace("Z", ".0000000Z"))}`,
    `sp=${inputs.permissions}`,
    `spr=${inputs.protocols}`,
    `sig=${FAKE_AZURE_SAS_SIGNATURE}`,
  ].join("&");
}

export const GCP_PROJECT_NUMBER = "123456789012";
export const FAKE_GCP_PRIVATE_KEY =
  "-----BEGIN PRIVATE KEY-----\nmock-gcp-private-key\n-----END PRIVATE KEY-----\n";

/** A service-account key file as GCP issues it, with a fake private key. */
export function fakeGcpServiceAccountKeyJson(email: string): string {
  const project = email.split("@")[1].split(".")[0];
  return JSON.stringify({
    type: "service_account",
    project_id: project,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: FAKE_GCP_PRIVATE_KEY,
    client_email: email,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
    universe_domain: "googleapis.com",
  });
}

/**
 * Installs Pulumi's mock runtime, recording every registration. Import the
 * code under test only after awaiting this.
 */
export async function installMocks(
  options: {
    preview?: boolean;
    config?: Record<string, unknown>;
  } = {},
): Promise<Registered[]> {
  const registered: Registered[] = [];
  setProgramConfig(options.config ?? {});
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        // In preview, provider-computed outputs are unknown: return inputs only.
        const state = options.preview
          ? args.inputs
          : { ...args.inputs, ...computed(args.type, args.name, args.inputs) };
        const id =
          args.type === "aws:iam/accessKey:AccessKey" ? "AKIAMOCKMOCKMOCK0001" : `${args.name}-id`;
        return { id: options.preview ? "" : id, state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          case "azure-native:authorization:getClientConfig":
            return {
              clientId: "00000000-0000-4000-8000-00000000d3d3",
              objectId: AZURE_DEPLOYER_OBJECT_ID,
              subscriptionId: AZURE_SUBSCRIPTION_ID,
              tenantId: AZURE_TENANT_ID,
            };
          case "azuread:index/getClientConfig:getClientConfig":
            return {
              clientId: "00000000-0000-4000-8000-00000000d3d3",
              objectId: AZURE_DEPLOYER_OBJECT_ID,
              tenantId: AZURE_TENANT_ID,
              id: `${AZURE_TENANT_ID}-${AZURE_DEPLOYER_OBJECT_ID}`,
            };
          case "azure-native:storage:listStorageAccountServiceSAS":
            AZURE_SAS_REQUESTS.push({ ...args.inputs });
            return { serviceSasToken: fakeServiceSas(args.inputs) };
          case "azure-native:storage:getStorageAccount":
            return {
              name: args.inputs.accountName,
              primaryEndpoints: azureEndpoints(args.inputs.accountName),
            };
          case "azure-native:storage:listStorageAccountKeys":
            throw new Error("listStorageAccountKeys: account keys must never be read");
          case "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
            const email = `service-${GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
            return {
              emailAddress: email,
              member: `serviceAccount:${email}`,
              project: args.inputs.project,
              id: email,
            };
          }
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "zenml-remote-storage",
    "test",
    options.preview ?? false,
  );
  return registered;
}

// The SDK's Output keeps its value and knownness behind these promises.
interface OutputInternals<T> {
  promise(): Promise<T>;
  isKnown: Promise<boolean>;
}

/** Resolves an output (or plain value); undefined when unknown (preview). */
export async function unwrap<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
  const output = pulumi.output(value) as unknown as OutputInternals<T>;
  return (await output.isKnown) ? output.promise() : undefined;
}

/** Whether the output is known (not a preview unknown). */
export function isKnown<T>(value: pulumi.Output<T>): Promise<boolean> {
  return (value as unknown as OutputInternals<T>).isKnown;
}

/** The one resource of a type (and name, when given); fails on none or several. */
export function only(registered: Registered[], type: string, name?: string): Registered {
  const found = registered.filter(
    (r) => r.type === type && (name === undefined || r.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  }
  return found[0];
}

export function ofType(registered: Registered[], type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

/** Waits until every pending resource registration has reached the mocks. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
