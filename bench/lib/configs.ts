/**
 * Stack configs with N stores, per backend and identity mode, for the bench:
 * as a stack config file (what `plan --offline --config FILE` reads) and as
 * the runtime config the mock-runtime child sets. Every value is a placeholder;
 * nothing here names a real account, project or server.
 */
import { stringify } from "yaml";

export const BACKENDS = ["aws", "gcp", "azure", "s3-compatible"] as const;
export type Backend = (typeof BACKENDS)[number];

/** A backend, or all four in turn (store i gets BACKENDS[i % 4]). */
export type Mix = Backend | "mixed";

/** Every identity mode, plus Azure's resource-group choice (a structural difference). */
export interface Variant {
  readonly backend: Backend;
  readonly credentials: string;
  /** Azure only: use an existing resource group instead of creating one. */
  readonly existingResourceGroup?: boolean;
}

export const DEFAULT_CREDENTIALS: Readonly<Record<Backend, string>> = {
  aws: "access-key",
  gcp: "service-account-key",
  azure: "service-principal",
  "s3-compatible": "minio",
};

/** The depth matrix: every backend × identity mode (Azure × resource group). */
export const VARIANTS: readonly Variant[] = [
  { backend: "aws", credentials: "access-key" },
  { backend: "aws", credentials: "iam-role" },
  { backend: "gcp", credentials: "service-account-key" },
  { backend: "gcp", credentials: "impersonation" },
  { backend: "azure", credentials: "service-principal" },
  { backend: "azure", credentials: "service-principal", existingResourceGroup: true },
  { backend: "azure", credentials: "sas" },
  { backend: "azure", credentials: "sas", existingResourceGroup: true },
  { backend: "s3-compatible", credentials: "minio" },
  { backend: "s3-compatible", credentials: "existing-credentials" },
];

export function variantLabel(v: Variant): string {
  return `${v.backend} ${v.credentials}${v.existingResourceGroup ? " (existing RG)" : v.backend === "azure" ? " (new RG)" : ""}`;
}

const PREFIX: Readonly<Record<Backend, string>> = {
  aws: "aws",
  gcp: "gcs",
  azure: "az",
  "s3-compatible": "s3c",
};

const GCP_PROJECT = "bench-project";
const IMPERSONATOR = `zenml-source@${GCP_PROJECT}.iam.gserviceaccount.com`;
/** A service-account key file shaped like GCP's, with a fake private key. */
/** The plaintext the benchmarks give for an impersonator key (`storeSecrets.<store>.impersonatorKey`). */
export const FAKE_IMPERSONATOR_KEY = JSON.stringify({
  type: "service_account",
  project_id: GCP_PROJECT,
  private_key_id: "0123456789abcdef0123456789abcdef01234567",
  private_key: "-----BEGIN PRIVATE KEY-----\nbench-placeholder\n-----END PRIVATE KEY-----\n",
  client_email: IMPERSONATOR,
  client_id: "100000000000000000001",
  auth_uri: "https://accounts.google.com/o/oauth2/auth",
  token_uri: "https://oauth2.googleapis.com/token",
  auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
  client_x509_cert_url: "https://www.googleapis.com/robot/v1/metadata/x509/zenml-source",
  universe_domain: "googleapis.com",
});

/** What a `secure:` value looks like in a stack config file (never decrypted offline). */
const secure = (): Json => ({ secure: "v1:bench-placeholder-ciphertext" });

type Json = Record<string, unknown>;

/** One store's config object. */
export function storeConfig(name: string, v: Variant): Json {
  const store: Json = { name, backend: v.backend, credentials: v.credentials };
  switch (v.backend) {
    case "gcp":
      if (v.credentials === "impersonation") {
        store.impersonator = `serviceAccount:${IMPERSONATOR}`;
      }
      break;
    case "azure":
      if (v.credentials === "sas") store.sasExpiry = "2099-01-01T00:00:00Z";
      if (v.existingResourceGroup) store.resourceGroup = { name: "bench-rg", adopt: true };
      break;
    case "s3-compatible":
      store.endpoint = "https://s3.bench.invalid:9000";
      store.pathStyle = true;
      if (v.credentials === "existing-credentials") store.bucket = { name: `${name}-bucket` };
      break;
    case "aws":
      break;
  }
  return store;
}

export interface StackConfigOptions {
  /** Register in a ZenML server (`zenml.serverUrl`); nothing is contacted under mocks. */
  readonly zenml?: boolean;
}

/** The stack config (`config:` of a stack config file) with these stores. */
export function stackConfig(
  stores: readonly { name: string; variant: Variant }[],
  opts: StackConfigOptions = {},
): Json {
  const config: Json = {
    "aws:region": "eu-west-1",
    "gcp:project": GCP_PROJECT,
    "gcp:region": "europe-west1",
    "azure-native:location": "westeurope",
    "zenml-remote-storage:stores": stores.map((s) => storeConfig(s.name, s.variant)),
  };
  const secrets = stores.flatMap(({ name, variant }): [string, Json][] =>
    variant.backend === "s3-compatible"
      ? [[name, { accessKeyId: secure(), secretAccessKey: secure() }]]
      : variant.backend === "gcp" && variant.credentials === "impersonation"
        ? [[name, { impersonatorKey: secure() }]]
        : [],
  );
  if (secrets.length > 0) {
    config["zenml-remote-storage:storeSecrets"] = Object.fromEntries(secrets);
  }
  if (opts.zenml) {
    config["zenml-remote-storage:zenml"] = { serverUrl: "http://127.0.0.1:8080" };
    config["zenml-remote-storage:zenmlApiKey"] = secure();
  }
  return config;
}

/** N stores of one backend (default identity mode), or of all four in turn. */
export function sizedStores(mix: Mix, n: number): { name: string; variant: Variant }[] {
  return Array.from({ length: n }, (_, i) => {
    const backend = mix === "mixed" ? BACKENDS[i % BACKENDS.length] : mix;
    return {
      name: `${PREFIX[backend]}-store-${String(i + 1).padStart(3, "0")}`,
      variant: { backend, credentials: DEFAULT_CREDENTIALS[backend] },
    };
  });
}

/** The stack config file's text. */
export function stackConfigYaml(config: Json): string {
  return stringify({ config }, { lineWidth: 0 });
}

export const PLACEHOLDER_SECRET = "placeholder-secret";

function hasSecure(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as Json).secure === "string" && Object.keys(value).length === 1) return true;
  return Object.values(value as Json).some(hasSecure);
}

function replaceSecure(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (hasSecure(value) && typeof (value as Json).secure === "string") return PLACEHOLDER_SECRET;
  if (Array.isArray(value)) return value.map(replaceSecure);
  return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, replaceSecure(v)]));
}

/**
 * The runtime config the engine would hand the program: every value a string
 * (structured values as JSON), `secure:` values as placeholders, their keys secret.
 */
export function runtimeConfig(config: Json): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const out: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (hasSecure(value)) secretKeys.push(key);
    const plain = replaceSecure(value);
    out[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
  }
  return { config: out, secretKeys };
}
