import { describe, expect, it } from "vitest";
import {
  gcpServiceAccountId,
  gcsBucketHash,
  gcsBucketName,
  kmsLocationFor,
  parseIamMember,
  parseServiceAccountKey,
} from "../../../src/config/backends/gcp";
import { ConfigError } from "../../../src/config/errors";
import { BACKEND_DESCRIPTORS } from "../../../src/config/backends";
import { parseDeployment, type RawDeployment } from "../../../src/config/parse";
import { fakeGcpServiceAccountKeyJson } from "../support/mocks";

const SOURCE = "zenml-source@identity-proj.iam.gserviceaccount.com";
const KEY_JSON = fakeGcpServiceAccountKeyJson(SOURCE);
const KEY_B64 = Buffer.from(KEY_JSON).toString("base64");
const PROVIDER = { "gcp:project": "ml-platform-prod", "gcp:region": "europe-west1" };

const gcp = (over: Record<string, unknown> = {}) => ({
  name: "gcs-store",
  backend: "gcp",
  ...over,
});
const impersonation = (over: Record<string, unknown> = {}) =>
  gcp({
    credentials: "impersonation",
    impersonator: `serviceAccount:${SOURCE}`,
    ...over,
  });

function parseOne(store: Record<string, unknown>, provider: Record<string, string> = PROVIDER) {
  return parseDeployment({ stores: [store] }, { providerConfig: provider }).stores[0];
}

describe("gcp store config: valid input", () => {
  it("fills project and location from gcp:project and gcp:region", () => {
    expect(parseOne(gcp())).toEqual({
      name: "gcs-store",
      stackName: "gcs-store",
      backend: "gcp",
      credentials: "service-account-key",
      project: "ml-platform-prod",
      location: "europe-west1",
      impersonator: undefined,
      grantEncryptionKeyAccess: true,
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

  it.each<[string, Record<string, unknown>, Record<string, string>, Record<string, unknown>]>([
    [
      "the store's own project and location",
      gcp({ project: "other-project-1", location: "us-central1" }),
      {},
      { project: "other-project-1", location: "us-central1" },
    ],
    ["a multi-region", gcp({ location: "EU" }), PROVIDER, { location: "EU" }],
    ["a dual-region", gcp({ location: "eur4" }), PROVIDER, { location: "eur4" }],
    [
      "a domain-scoped project",
      gcp({ project: "example.com:ml-prod" }),
      PROVIDER,
      { project: "example.com:ml-prod" },
    ],
    [
      "an adopted bucket without a location",
      gcp({ bucket: { name: "existing-bucket", adopt: true } }),
      { "gcp:project": "ml-platform-prod" },
      { location: undefined, bucket: expect.objectContaining({ adopt: true }) },
    ],
    [
      "impersonation by a service account (its key goes in storeSecrets)",
      impersonation(),
      PROVIDER,
      { credentials: "impersonation", impersonator: `serviceAccount:${SOURCE}` },
    ],
    [
      "impersonation by a group holding the key's account",
      impersonation({ impersonator: "group:zenml-impersonators@example.com" }),
      PROVIDER,
      { impersonator: "group:zenml-impersonators@example.com" },
    ],
    [
      "a CMEK key in the bucket's region, without the key grant",
      gcp({
        bucket: {
          encryptionKey: "projects/p1/locations/europe-west1/keyRings/r/cryptoKeys/k",
        },
        grantEncryptionKeyAccess: false,
      }),
      PROVIDER,
      { grantEncryptionKeyAccess: false },
    ],
    [
      "a CMEK key in the multi-region of an EU bucket",
      gcp({
        location: "EU",
        bucket: { encryptionKey: "projects/p1/locations/europe/keyRings/r/cryptoKeys/k" },
      }),
      PROVIDER,
      { grantEncryptionKeyAccess: true },
    ],
    [
      "GCP labels",
      gcp({ tags: { team: "ml", "cost-center": "42" } }),
      PROVIDER,
      { tags: { team: "ml", "cost-center": "42" } },
    ],
  ])("accepts %s", (_, store, provider, expected) => {
    expect(parseOne(store, provider)).toMatchObject(expected);
  });
});

describe("gcp store config: invalid input names the key and the rule", () => {
  it.each<[string, RawDeployment, Record<string, string>, string]>([
    [
      "no project anywhere",
      { stores: [gcp()] },
      { "gcp:region": "europe-west1" },
      "stores[0].project: is required when gcp:project is not set",
    ],
    [
      "bad project id",
      { stores: [gcp({ project: "My Project" })] },
      PROVIDER,
      'stores[0].project: "My Project" is not a GCP project id',
    ],
    [
      "project id too short",
      { stores: [gcp({ project: "abc" })] },
      PROVIDER,
      'stores[0].project: "abc" is not a GCP project id',
    ],
    [
      "no location anywhere",
      { stores: [gcp()] },
      { "gcp:project": "ml-platform-prod" },
      "stores[0].location: is required when gcp:region is not set",
    ],
    [
      "bad location",
      { stores: [gcp({ location: "Europe West" })] },
      PROVIDER,
      'stores[0].location: "Europe West" is not a GCS location',
    ],
    [
      "location on an adopted bucket",
      { stores: [gcp({ location: "EU", bucket: { name: "existing", adopt: true } })] },
      PROVIDER,
      "stores[0].location: only applies to a bucket this project creates",
    ],
    [
      "a store name GCS refuses in a generated bucket name",
      { stores: [gcp({ name: "google-store" })] },
      PROVIDER,
      'stores[0].name: "google-store" cannot be part of a generated GCS bucket name',
    ],
    [
      "CMEK key in another region",
      {
        stores: [
          gcp({
            bucket: { encryptionKey: "projects/p1/locations/us-east1/keyRings/r/cryptoKeys/k" },
          }),
        ],
      },
      PROVIDER,
      "stores[0].bucket.encryptionKey: is a key in us-east1; a bucket in europe-west1 needs a key ring in europe-west1",
    ],
    [
      "key grant without a key",
      { stores: [gcp({ grantEncryptionKeyAccess: false })] },
      PROVIDER,
      "stores[0].grantEncryptionKeyAccess: only applies when bucket.encryptionKey is set",
    ],
    [
      "key grant not boolean",
      {
        stores: [
          gcp({
            grantEncryptionKeyAccess: "no",
            bucket: {
              encryptionKey: "projects/p1/locations/europe-west1/keyRings/r/cryptoKeys/k",
            },
          }),
        ],
      },
      PROVIDER,
      "stores[0].grantEncryptionKeyAccess: must be true or false",
    ],
    [
      "impersonator in service-account-key mode",
      { stores: [gcp({ impersonator: `serviceAccount:${SOURCE}` })] },
      PROVIDER,
      "stores[0].impersonator: only applies when credentials is impersonation",
    ],
    [
      "the impersonator's key in the stores list (it moved to the secret key storeSecrets)",
      { stores: [impersonation({ impersonatorKey: KEY_JSON })] },
      PROVIDER,
      "stores[0].impersonatorKey: moved: the key goes in storeSecrets.gcs-store.impersonatorKey (pulumi config set --secret --path 'storeSecrets.gcs-store.impersonatorKey' <key JSON or base64>)",
    ],
    [
      "impersonation without impersonator",
      { stores: [impersonation({ impersonator: undefined })] },
      PROVIDER,
      "stores[0].impersonator: is required with credentials impersonation",
    ],
    [
      "impersonator without a member kind",
      { stores: [impersonation({ impersonator: SOURCE })] },
      PROVIDER,
      `stores[0].impersonator: "${SOURCE}" must be an IAM member: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN`,
    ],
    [
      "impersonator of an unknown kind",
      { stores: [impersonation({ impersonator: "allUsers:x" })] },
      PROVIDER,
      "must be an IAM member",
    ],
    [
      "impersonator with a bad e-mail",
      { stores: [impersonation({ impersonator: "serviceAccount:not-an-email" })] },
      PROVIDER,
      'stores[0].impersonator: "serviceAccount:not-an-email" must be serviceAccount:EMAIL',
    ],
    [
      "a user impersonator",
      { stores: [impersonation({ impersonator: "user:alice@example.com" })] },
      PROVIDER,
      'stores[0].impersonator: "user:alice@example.com" cannot be used by ZenML\'s impersonation connector',
    ],
    [
      "a domain impersonator",
      { stores: [impersonation({ impersonator: "domain:example.com" })] },
      PROVIDER,
      "cannot be used by ZenML's impersonation connector",
    ],
  ])("rejects %s", (_, raw, provider, message) => {
    let error: unknown;
    try {
      parseDeployment(raw, { providerConfig: provider });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    expect((error as ConfigError).message).not.toContain("\n");
  });
});

describe("gcp naming helpers", () => {
  it("generates bucket names GCS and ZenML accept, distinct per GCP project", () => {
    const a = gcsBucketName("artifacts", gcsBucketHash("zrs", "dev", "proj-a1", "artifacts"));
    const b = gcsBucketName("artifacts", gcsBucketHash("zrs", "dev", "proj-b1", "artifacts"));
    expect(a).toMatch(/^zenml-artifacts-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(BACKEND_DESCRIPTORS.gcp.names.bucket(a)).toBeUndefined();
    const longest = gcsBucketName("a".repeat(40), "0".repeat(8));
    expect(longest.length).toBeLessThanOrEqual(63);
    expect(BACKEND_DESCRIPTORS.gcp.names.bucket(longest)).toBeUndefined();
  });

  it.each([
    ["artifacts", /^zenml-artifacts-[0-9a-f]{8}$/],
    ["a-very-long-store-name-that-goes-on", /^zenml-a-very-long-st-[0-9a-f]{8}$/],
    ["abcdefghijklm-tail", /^zenml-abcdefghijklm-[0-9a-f]{8}$/],
  ])("service-account id for %s is 6-30 valid characters", (store, pattern) => {
    const id = gcpServiceAccountId("zenml-remote-storage", "dev", store);
    expect(id).toMatch(pattern);
    expect(id).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])$/);
    expect(id.length).toBeGreaterThanOrEqual(6);
    expect(id.length).toBeLessThanOrEqual(30);
  });

  it.each([
    ["europe-west1", "europe-west1"],
    ["US-CENTRAL1", "us-central1"],
    ["EU", "europe"],
    ["us", "us"],
    ["ASIA", "asia"],
    ["EUR4", undefined],
  ])("a bucket in %s needs a key in %s", (location, kms) => {
    expect(kmsLocationFor(location)).toBe(kms);
  });

  it.each([
    ["user:alice@example.com", { kind: "user", value: "alice@example.com" }],
    ["group:ml@example.com", { kind: "group", value: "ml@example.com" }],
    [`serviceAccount:${SOURCE}`, { kind: "serviceAccount", value: SOURCE }],
    ["domain:example.com", { kind: "domain", value: "example.com" }],
    ["domain:alice@example.com", expect.stringContaining("must be domain:DOMAIN")],
    ["user:", expect.stringContaining("must be user:EMAIL")],
    ["allAuthenticatedUsers", expect.stringContaining("must be an IAM member")],
  ])("parseIamMember(%s)", (member, expected) => {
    expect(parseIamMember(member)).toEqual(expected);
  });

  it("reads a key given as JSON or base64 and returns the JSON", () => {
    expect(parseServiceAccountKey(KEY_JSON)).toEqual({ json: KEY_JSON, clientEmail: SOURCE });
    expect(parseServiceAccountKey(KEY_B64)).toEqual({ json: KEY_JSON, clientEmail: SOURCE });
  });
});
