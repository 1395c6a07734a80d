/**
 * `storeSecrets`, the one secret config key for every secret a store's user
 * brings (S3-compatible keys, the GCP impersonator's key): its shape against
 * the configured stores, the keys it replaced, and plain text refused. Errors
 * name keys, never values.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors";
import { loadDeployment } from "../../../src/config/load";
import { parseDeployment } from "../../../src/config/parse";
import { checkStoreSecrets, impersonatorKeyJson } from "../../../src/config/storeSecrets";
import { setProgramConfig } from "../../support/programConfig";
import { fakeGcpServiceAccountKeyJson } from "../support/mocks";

const SOURCE = "zenml-source@identity-proj.iam.gserviceaccount.com";
const KEY_JSON = fakeGcpServiceAccountKeyJson(SOURCE);
const KEY_B64 = Buffer.from(KEY_JSON).toString("base64");
const PAIR = { accessKeyId: "AKID0001", secretAccessKey: "very-secret-value-0001" };
const PROVIDER = { "gcp:project": "ml-platform-prod", "gcp:region": "europe-west1" };

const STORES = parseDeployment(
  {
    stores: [
      { name: "minio", backend: "s3-compatible", endpoint: "https://minio.example.com" },
      {
        name: "r2-store",
        backend: "s3-compatible",
        credentials: "existing-credentials",
        endpoint: "https://acct.r2.cloudflarestorage.com",
        bucket: { name: "zenml" },
      },
      {
        name: "imp-store",
        backend: "gcp",
        credentials: "impersonation",
        impersonator: `serviceAccount:${SOURCE}`,
      },
      { name: "keyed-store", backend: "gcp" },
    ],
  },
  { providerConfig: PROVIDER },
).stores;
const ALL = { minio: PAIR, "r2-store": PAIR, "imp-store": { impersonatorKey: KEY_JSON } };

function errorOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("checkStoreSecrets", () => {
  it.each<[string, unknown, readonly string[]]>([
    ["every store's secrets", ALL, ["minio", "r2-store", "imp-store", "keyed-store"]],
    [
      "the impersonator's key as base64",
      { "imp-store": { impersonatorKey: KEY_B64 } },
      ["imp-store"],
    ],
    ["no key when no store takes a secret", undefined, ["keyed-store"]],
  ])("accepts %s", (_, raw, names) => {
    expect(() =>
      checkStoreSecrets(
        raw,
        STORES.filter((s) => names.includes(s.name)),
      ),
    ).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    [
      "missing for a store that needs it",
      undefined,
      "storeSecrets.minio.accessKeyId: is required (the S3 access key id (minio mode: the MinIO admin's)): pulumi config set --secret --path 'storeSecrets.minio.accessKeyId' <value>",
    ],
    ["not an object", "minio", "storeSecrets: must be an object keyed by store name"],
    [
      "a store missing",
      { ...ALL, "r2-store": undefined },
      "storeSecrets.r2-store.accessKeyId: is required",
    ],
    ["an unknown store", { ...ALL, zz: PAIR }, "storeSecrets.zz: names no configured store"],
    [
      "a store that takes no secret",
      { ...ALL, "keyed-store": PAIR },
      "storeSecrets.keyed-store: store keyed-store (gcp, service-account-key) takes no secret; remove it",
    ],
    [
      "an empty secret",
      { ...ALL, minio: { ...PAIR, secretAccessKey: "" } },
      "storeSecrets.minio.secretAccessKey: is required",
    ],
    [
      "a misspelt field",
      { ...ALL, minio: { ...PAIR, secretKey: "very-secret-value-0001" } },
      "storeSecrets.minio.secretKey: unknown key; allowed: accessKeyId, secretAccessKey",
    ],
    [
      "an S3 field on the GCP store",
      { ...ALL, "imp-store": { ...PAIR } },
      "storeSecrets.imp-store.accessKeyId: unknown key; allowed: impersonatorKey",
    ],
    [
      "a key that is not JSON",
      { ...ALL, "imp-store": { impersonatorKey: "not a key!" } },
      "storeSecrets.imp-store.impersonatorKey: must be a service-account key JSON, or base64 of it",
    ],
    [
      "a user-account credential instead of a service-account key",
      {
        ...ALL,
        "imp-store": {
          impersonatorKey: JSON.stringify({ type: "authorized_user", client_id: "x" }),
        },
      },
      'storeSecrets.imp-store.impersonatorKey: must be a service-account key ("type": "service_account")',
    ],
    [
      "a key missing fields ZenML requires",
      {
        ...ALL,
        "imp-store": {
          impersonatorKey: JSON.stringify({ ...JSON.parse(KEY_JSON), token_uri: undefined }),
        },
      },
      "storeSecrets.imp-store.impersonatorKey: is a service-account key without the field(s) ZenML requires: token_uri",
    ],
    [
      "a key of another account than the impersonator",
      {
        ...ALL,
        "imp-store": {
          impersonatorKey: fakeGcpServiceAccountKeyJson(
            "other@identity-proj.iam.gserviceaccount.com",
          ),
        },
      },
      `storeSecrets.imp-store.impersonatorKey: is a key of other@identity-proj.iam.gserviceaccount.com, not of the impersonator ${SOURCE}`,
    ],
  ])("refuses %s, without echoing a value", (_, raw, message) => {
    const error = errorOf(() => checkStoreSecrets(raw, STORES));
    expect(error).toContain(message);
    expect(error).not.toContain("\n");
    for (const value of ["very-secret-value", "AKID0001", "PRIVATE KEY", "mock-gcp-private-key"])
      expect(error).not.toContain(value);
  });

  it("hands the program the key as JSON, however it was given", () => {
    expect(impersonatorKeyJson(KEY_B64)).toBe(KEY_JSON);
    expect(impersonatorKeyJson(KEY_JSON)).toBe(KEY_JSON);
  });
});

describe("loadDeployment and the secret keys", () => {
  const stores = [
    { name: "minio", backend: "s3-compatible", endpoint: "https://minio.example.com" },
  ];
  const NS = "zenml-remote-storage";

  function loadError(): string {
    try {
      loadDeployment();
    } catch (err) {
      expect(pulumi.RunError.isInstance(err)).toBe(true);
      return (err as Error).message;
    }
    throw new Error("expected loadDeployment to refuse");
  }

  it("accepts the stores when storeSecrets holds their keys, encrypted", () => {
    setProgramConfig({ [`${NS}:stores`]: stores, [`${NS}:storeSecrets`]: { minio: PAIR } });
    expect(loadDeployment().stores[0]).toMatchObject({ name: "minio" });
  });

  it.each([
    ["storeSecrets", { minio: PAIR }, "--path 'storeSecrets.<store>.<field>' <value>"],
    ["zenmlApiKey", "ZENKEY_plain-text-key", "zenmlApiKey <value>"],
  ])("refuses %s as plain text in the stack file, naming the command", (key, value, command) => {
    setProgramConfig(
      {
        [`${NS}:stores`]: stores,
        [`${NS}:storeSecrets`]: { minio: PAIR },
        [`${NS}:${key}`]: value,
      },
      [`${NS}:${key}`],
    );
    const message = loadError();
    expect(message).toBe(
      `invalid config ${NS}:${key}: holds plain text; remove it from the stack file and store it encrypted: pulumi config set --secret ${command}`,
    );
    expect(message).not.toContain("very-secret-value");
    expect(message).not.toContain("ZENKEY_plain");
  });

  it("names where the old s3CompatibleCredentials key's values go now", () => {
    setProgramConfig({
      [`${NS}:stores`]: stores,
      [`${NS}:s3CompatibleCredentials`]: { minio: PAIR },
    });
    expect(loadError()).toBe(
      `invalid config ${NS}:s3CompatibleCredentials: moved: each store's keys go in storeSecrets.<store>.accessKeyId and .secretAccessKey (pulumi config set --secret --path 'storeSecrets.<store>.accessKeyId' <value>)`,
    );
  });
});
