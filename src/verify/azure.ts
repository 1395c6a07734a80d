import type { BlobServiceClient } from "@azure/storage-blob";
import {
  ProbeError,
  type StorageVerifier,
  type StoreUnderTest,
  type VerifierOptions,
} from "./types";
import { connectorConfiguration } from "../zenml/model";

/** The token audience of Azure Storage's data plane. */
export const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** `az://container[/prefix]` (or `abfs://`) → container and blob prefix. */
export function parseAzUri(uri: string): { container: string; prefix: string } {
  const m = /^(?:az|abfs):\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new ProbeError("credentials", `"${uri}" is not an az:// URI`);
  const prefix = m[2] ? `${m[2].replace(/\/+$/, "")}/` : "";
  return { container: m[1], prefix };
}

/** `Key=Value;…` → a map; values keep their `=` (SAS tokens hold some). */
export function parseConnectionString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** How ZenML's Azure artifact store authenticates, from the recorded store. */
export type AzureIdentity =
  | {
      readonly kind: "service-principal";
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
      /** `https://<account>.blob.core.windows.net`, as ZenML's connector builds it. */
      readonly accountUrl: string;
    }
  | { readonly kind: "connection-string"; readonly connectionString: string };

/** Every read of StoreUnderTest's Azure fields, in one place. */
export function azureIdentityOf(store: StoreUnderTest): AzureIdentity {
  if (store.credentials.connection_string) {
    return { kind: "connection-string", connectionString: store.credentials.connection_string };
  }
  const cfg = connectorConfiguration(store.auth);
  const clientSecret = store.credentials.client_secret;
  const missing = ["tenant_id", "client_id", "storage_account"].find((f) => !cfg[f]);
  if (missing || !clientSecret) {
    throw new ProbeError(
      "credentials",
      `the store has neither a connection_string nor a service principal (${missing ?? "client_secret"} missing)`,
    );
  }
  return {
    kind: "service-principal",
    tenantId: cfg.tenant_id,
    clientId: cfg.client_id,
    clientSecret,
    accountUrl: `https://${cfg.storage_account}.blob.core.windows.net`,
  };
}

function describeAzure(err: unknown): string {
  const e = err as {
    code?: string;
    statusCode?: number;
    message?: string;
    details?: { errorCode?: string; authenticationErrorDetail?: string };
  };
  const message = (e.message ?? String(err)).split("\n")[0].trim();
  const code = e.details?.errorCode ?? e.code;
  const detail = e.details?.authenticationErrorDetail
    ? ` (${e.details.authenticationErrorDetail.split("\n")[0].trim()})`
    : "";
  if (e.statusCode === undefined) return message;
  return `${code ?? "Error"} (HTTP ${e.statusCode}): ${message}${detail}`;
}

async function step<T>(name: ProbeError["step"], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError(name, describeAzure(err));
  }
}

/**
 * The blob service client ZenML would use: the service principal's token (minted
 * first, so a refused secret fails as `credentials`), or the recorded connection
 * string (a container SAS). An endpoint override replaces the blob endpoint.
 */
export async function blobServiceFor(
  store: StoreUnderTest,
  opts: VerifierOptions,
): Promise<BlobServiceClient> {
  const identity = azureIdentityOf(store);
  const { BlobServiceClient } = await import("@azure/storage-blob");
  // One try per call: the caller retries the whole probe.
  const options = { retryOptions: { maxTries: 1 } };
  if (identity.kind === "connection-string") {
    const parts = parseConnectionString(identity.connectionString);
    if (opts.endpointUrl) parts.BlobEndpoint = opts.endpointUrl;
    const text = Object.entries(parts)
      .map(([k, v]) => `${k}=${v}`)
      .join(";");
    try {
      return BlobServiceClient.fromConnectionString(text, options);
    } catch (err) {
      throw new ProbeError("credentials", `connection_string: ${(err as Error).message}`);
    }
  }
  const { ClientSecretCredential } = await import("@azure/identity");
  const credential = new ClientSecretCredential(
    identity.tenantId,
    identity.clientId,
    identity.clientSecret,
  );
  try {
    await credential.getToken(STORAGE_SCOPE);
  } catch (err) {
    const authority = process.env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com";
    throw new ProbeError(
      "credentials",
      `no token from Azure AD (${authority.replace(/\/+$/, "")}/${identity.tenantId}) for client ${identity.clientId}: ${describeAzure(err)}`,
    );
  }
  return new BlobServiceClient(opts.endpointUrl ?? identity.accountUrl, credential, options);
}

/** Azure Blob Storage through @azure/storage-blob, with ZenML's Azure credentials. */
export const azureVerifier: StorageVerifier = {
  async probe(store, key, opts) {
    const { container, prefix } = parseAzUri(store.path);
    const service = await blobServiceFor(store, opts);
    const containerClient = service.getContainerClient(container);
    const blobName = `${prefix}${key}`;
    const blob = containerClient.getBlockBlobClient(blobName);
    const body = `zenml-remote-storage verification probe ${key}`;
    await step("write", () => blob.upload(body, Buffer.byteLength(body)));
    const got = await step("read", () => blob.downloadToBuffer());
    if (got.toString("utf8") !== body) {
      throw new ProbeError("read", `az://${container}/${blobName} came back different`);
    }
    const listed = await step("list", async () => {
      const pages = containerClient.listBlobsFlat({ prefix: blobName }).byPage({ maxPageSize: 10 });
      const first = await pages.next();
      return first.done ? [] : first.value.segment.blobItems.map((b) => b.name);
    });
    if (!listed.includes(blobName)) {
      throw new ProbeError("list", `az://${container}/${blobName} is not listed`);
    }
    await step("delete", () => blob.delete());
  },

  async countObjects(store, limit, opts) {
    const { container, prefix } = parseAzUri(store.path);
    const service = await blobServiceFor(store, opts);
    const pages = service
      .getContainerClient(container)
      .listBlobsFlat({ prefix: prefix || undefined })
      .byPage({ maxPageSize: Math.min(1000, limit) });
    let count = 0;
    while (count < limit) {
      const next = await step("count", () => pages.next());
      if (next.done) break;
      count += next.value.segment.blobItems.length;
    }
    return Math.min(count, limit);
  },
};
