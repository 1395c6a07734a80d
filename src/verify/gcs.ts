import type { Storage } from "@google-cloud/storage";
import type { AuthClient, JWT } from "google-auth-library";
import {
  ProbeError,
  type StorageVerifier,
  type StoreUnderTest,
  type VerifierOptions,
} from "./types";

/** The scope ZenML's GCP connector asks for. */
export const GCP_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
/** Where google-auth-library sends every JWT-bearer grant, whatever the key file says. */
const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";
/** The IAM Credentials API, which mints tokens for an impersonated service account. */
export const IAM_CREDENTIALS_ENDPOINT = "https://iamcredentials.googleapis.com";

/** `gs://bucket[/prefix]` → bucket and object prefix. */
export function parseGsUri(uri: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new ProbeError("credentials", `"${uri}" is not a gs:// URI`);
  const prefix = m[2] ? `${m[2].replace(/\/+$/, "")}/` : "";
  return { bucket: m[1], prefix };
}

/** How ZenML's GCP connector authenticates, from the recorded store. */
export type GcsIdentity =
  | { readonly kind: "service-account"; readonly keyJson: string }
  | {
      readonly kind: "impersonation";
      /** The impersonator's key: the source credentials. */
      readonly sourceKeyJson: string;
      readonly targetPrincipal: string;
    };

/** Every read of StoreUnderTest's GCP fields, in one place. */
export function gcsIdentityOf(store: StoreUnderTest): GcsIdentity {
  const keyJson = store.credentials.service_account_json;
  if (!keyJson) throw new ProbeError("credentials", "the store has no service_account_json");
  if (store.auth.kind === "connector" && store.auth.method === "impersonation") {
    const targetPrincipal = store.auth.configuration.target_principal;
    if (!targetPrincipal) {
      throw new ProbeError("credentials", "impersonation connector without target_principal");
    }
    return { kind: "impersonation", sourceKeyJson: keyJson, targetPrincipal };
  }
  return { kind: "service-account", keyJson };
}

interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly token_uri?: string;
}

/** A key file as ZenML accepts it: JSON, or base64 of the JSON. */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  const json = text.trimStart().startsWith("{")
    ? text
    : Buffer.from(text, "base64").toString("utf8");
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(json) as Partial<ServiceAccountKey>;
  } catch {
    throw new ProbeError("credentials", "service_account_json is not a key file (JSON)");
  }
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new ProbeError("credentials", "service_account_json has no client_email / private_key");
  }
  return key as ServiceAccountKey;
}

/**
 * Sends the client's JWT-bearer grants to `tokenUri`. Python's google-auth, which
 * ZenML uses, posts to the key file's `token_uri`; google-auth-library always
 * posts to Google's. For a real key both are Google's, so this changes nothing.
 */
export function sendGrantsTo(client: AuthClient, tokenUri: string | undefined): void {
  if (tokenUri === undefined || tokenUri === GOOGLE_TOKEN_URI) return;
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URI) options.url = new URL(tokenUri);
      return options;
    },
  });
}

/** A client signing with a service-account key, as ZenML's connector does. */
export async function keyClient(keyText: string): Promise<JWT> {
  const { JWT } = await import("google-auth-library");
  const key = parseServiceAccountKey(keyText);
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    scopes: [GCP_SCOPE],
  });
  sendGrantsTo(client, key.token_uri);
  return client;
}

function describeGcs(err: unknown): string {
  const e = err as {
    code?: number | string;
    status?: number;
    message?: string;
    response?: { status?: number };
  };
  const status = typeof e.code === "number" ? e.code : (e.response?.status ?? e.status);
  const message = (e.message ?? String(err)).split("\n")[0];
  return status ? `HTTP ${status}: ${message}` : message;
}

async function step<T>(name: ProbeError["step"], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError(name, describeGcs(err));
  }
}

/**
 * The credentials ZenML's connector would use, with a token already minted (so a
 * refused key fails as `credentials`, not as the first storage step): the key's
 * own token, or for impersonation a token for the target minted through the IAM
 * Credentials API with the impersonator's key.
 */
export async function gcsAuthFor(store: StoreUnderTest): Promise<AuthClient> {
  const identity = gcsIdentityOf(store);
  if (identity.kind === "service-account") {
    const client = await keyClient(identity.keyJson);
    await step("credentials", () => client.getAccessToken());
    return client;
  }
  const { Impersonated } = await import("google-auth-library");
  const source = await keyClient(identity.sourceKeyJson);
  try {
    await source.getAccessToken();
  } catch (err) {
    throw new ProbeError("credentials", `the impersonator's key: ${describeGcs(err)}`);
  }
  // The library warns on every construction that it does not validate the options
  // (URLs from an untrusted key file); ours are the store's target and Google's endpoint.
  const warn = console.warn;
  console.warn = () => undefined;
  let client: InstanceType<typeof Impersonated>;
  try {
    client = new Impersonated({
      sourceClient: source,
      targetPrincipal: identity.targetPrincipal,
      targetScopes: [GCP_SCOPE],
      lifetime: 3600,
      endpoint: IAM_CREDENTIALS_ENDPOINT,
    });
  } finally {
    console.warn = warn;
  }
  try {
    await client.getAccessToken();
  } catch (err) {
    throw new ProbeError(
      "credentials",
      `could not mint a token for ${identity.targetPrincipal} through the IAM Credentials API (${IAM_CREDENTIALS_ENDPOINT}): ${describeGcs(err)}`,
    );
  }
  return client;
}

/** A Storage client on the store's credentials; an endpoint override is used with them too. */
export async function gcsClientFor(store: StoreUnderTest, opts: VerifierOptions): Promise<Storage> {
  const authClient = await gcsAuthFor(store);
  const { Storage } = await import("@google-cloud/storage");
  return new Storage({
    authClient,
    retryOptions: { autoRetry: false },
    ...(opts.endpointUrl
      ? { apiEndpoint: opts.endpointUrl.replace(/\/+$/, ""), useAuthWithCustomEndpoint: true }
      : {}),
  });
}

/** Google Cloud Storage through @google-cloud/storage, with ZenML's GCP credentials. */
export const gcsVerifier: StorageVerifier = {
  async probe(store, key, opts) {
    const { bucket, prefix } = parseGsUri(store.path);
    const gcs = await gcsClientFor(store, opts);
    const objectName = `${prefix}${key}`;
    const file = gcs.bucket(bucket).file(objectName);
    const body = `zenml-remote-storage verification probe ${key}`;
    await step("write", () => file.save(body, { resumable: false, contentType: "text/plain" }));
    const [got] = await step("read", () => file.download());
    if (got.toString("utf8") !== body) {
      throw new ProbeError("read", `gs://${bucket}/${objectName} came back different`);
    }
    const [listed] = await step("list", () =>
      gcs.bucket(bucket).getFiles({ prefix: objectName, maxResults: 10, autoPaginate: false }),
    );
    if (!listed.some((f) => f.name === objectName)) {
      throw new ProbeError("list", `gs://${bucket}/${objectName} is not listed`);
    }
    await step("delete", () => file.delete());
  },

  async countObjects(store, limit, opts) {
    const { bucket, prefix } = parseGsUri(store.path);
    const gcs = await gcsClientFor(store, opts);
    let count = 0;
    let pageToken: string | undefined;
    do {
      const [files, next] = await step("count", () =>
        gcs.bucket(bucket).getFiles({
          prefix: prefix || undefined,
          maxResults: Math.min(1000, limit - count),
          autoPaginate: false,
          pageToken,
        }),
      );
      count += files.length;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken && count < limit);
    return Math.min(count, limit);
  },
};
