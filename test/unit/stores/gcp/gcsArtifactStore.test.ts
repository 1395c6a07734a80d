/**
 * GcsArtifactStore under Pulumi's mock runtime: no GCP call is made; these tests
 * assert the exact inputs the component gives the GCP provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_GCP_PRIVATE_KEY,
  GCP_PROJECT_NUMBER,
  fakeGcpServiceAccountKeyJson,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

let registered: Registered[];
let gcs: typeof import("../../../../src/stores/gcp/gcsArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  gcs = await import("../../../../src/stores/gcp/gcsArtifactStore");
});

const PROJECT = "ml-platform-prod";
const SOURCE_EMAIL = "zenml-source@identity-proj.iam.gserviceaccount.com";
const SOURCE_KEY = fakeGcpServiceAccountKeyJson(SOURCE_EMAIL);

/** The resources one store component created, by their names. */
function childrenOf(store: string): Registered[] {
  return registered.filter((r) => r.name === store || r.name.startsWith(`${store}-`));
}

function typesOf(store: string): string[] {
  return childrenOf(store)
    .map((r) => r.type)
    .sort();
}

/** Every IAM grant a store made, as [type, scope, role, member]. */
function grantsOf(store: string): [string, string, string, string][] {
  return childrenOf(store)
    .filter((r) => /IAM(Member|Binding|Policy)$/.test(r.type))
    .map((r): [string, string, string, string] => [
      r.type,
      r.inputs.bucket ?? r.inputs.serviceAccountId ?? r.inputs.cryptoKeyId,
      r.inputs.role,
      r.inputs.member,
    ])
    .sort();
}

/** Resource types that would grant at project, folder or organisation level. */
function broadGrants(store: string): Registered[] {
  return childrenOf(store).filter((r) => /^gcp:(projects|organizations|folder)\//.test(r.type));
}

// Pulumi's wire marker for a secret value (sdk/nodejs/runtime/rpc.ts specialSigKey / specialSecretSig).
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

const BUCKET_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectUser"];

describe("GcsArtifactStore, service-account-key mode with a generated bucket name", () => {
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  let bucketName: string;
  let email: string;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("keyed", {
      project: PROJECT,
      location: "europe-west1",
      credentials: "service-account-key",
      labels: { team: "ml" },
    });
    await unwrap(store.credentials);
    await settle();
    bucketName = only(registered, "gcp:storage/bucket:Bucket", "keyed-bucket").inputs.name;
    email = only(registered, "gcp:serviceaccount/account:Account", "keyed-sa").inputs.accountId;
    email = `${email}@${PROJECT}.iam.gserviceaccount.com`;
  });

  it("creates exactly the bucket, a service account, its key and two bucket bindings", () => {
    expect(typesOf("keyed")).toEqual(
      [
        "gcp:serviceaccount/account:Account",
        "gcp:serviceaccount/key:Key",
        "gcp:storage/bucket:Bucket",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "zenml-remote-storage:gcp:GcsArtifactStore",
      ].sort(),
    );
  });

  it("generates a valid, dot-free bucket name bound to project, stack and GCP project", () => {
    expect(bucketName).toMatch(/^zenml-keyed-[0-9a-f]{8}$/);
  });

  it("hardens the bucket: uniform access, public access prevention, no versioning, no force-destroy", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "keyed-bucket");
    expect(bucket.inputs).toEqual({
      name: bucketName,
      project: PROJECT,
      location: "europe-west1",
      forceDestroy: false,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: false },
      lifecycleRules: [
        { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
      ],
      labels: { team: "ml", "managed-by": "zenml-remote-storage", "zenml-store": "keyed" },
    });
    expect("encryption" in bucket.inputs).toBe(false);
  });

  it("names the service account from project, stack and store, in the store's project", () => {
    const sa = only(registered, "gcp:serviceaccount/account:Account", "keyed-sa");
    expect(sa.inputs.accountId).toMatch(/^zenml-keyed-[0-9a-f]{8}$/);
    expect(sa.inputs.accountId.length).toBeLessThanOrEqual(30);
    expect(sa.inputs.project).toBe(PROJECT);
  });

  it("grants exactly objectUser and legacyBucketReader, on this bucket only, to this account only", () => {
    expect(grantsOf("keyed")).toEqual(
      BUCKET_ROLES.map((role) => [
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        bucketName,
        role,
        `serviceAccount:${email}`,
      ]),
    );
  });

  it("creates no project-, folder- or organisation-level IAM resource", () => {
    expect(broadGrants("keyed")).toEqual([]);
    expect(ofType(registered, "gcp:projects/iAMMember:IAMMember")).toEqual([]);
    expect(ofType(registered, "gcp:projects/iAMBinding:IAMBinding")).toEqual([]);
    expect(ofType(registered, "gcp:projects/iAMCustomRole:IAMCustomRole")).toEqual([]);
  });

  it("creates one key for the store's own service account", () => {
    const key = only(registered, "gcp:serviceaccount/key:Key", "keyed-key");
    expect(key.inputs).toEqual({
      serviceAccountId: `projects/${PROJECT}/serviceAccounts/${email}`,
    });
  });

  it("exposes ZenML's service-account connector facts", async () => {
    expect(store.flavor).toBe("gcp");
    expect(await unwrap(store.path)).toBe(`gs://${bucketName}`);
    expect(await unwrap(store.artifactStoreConfiguration)).toEqual({ path: `gs://${bucketName}` });
    expect(await unwrap(store.auth)).toEqual({
      kind: "connector",
      type: "gcp",
      method: "service-account",
      resourceType: "gcs-bucket",
      resourceId: `gs://${bucketName}`,
      configuration: { project_id: PROJECT },
    });
    expect(await pulumi.isSecret(store.auth.configuration)).toBe(false);
  });

  it("hands ZenML the decoded key JSON, as a Pulumi secret, and nothing of it in plain outputs", async () => {
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    const credentials = await unwrap(store.credentials);
    expect(Object.keys(credentials!)).toEqual(["service_account_json"]);
    const key = JSON.parse(credentials!.service_account_json);
    expect(key).toMatchObject({
      type: "service_account",
      client_email: email,
      private_key: FAKE_GCP_PRIVATE_KEY,
    });
    const plain = JSON.stringify([
      await unwrap(store.auth),
      await unwrap(store.artifactStoreConfiguration),
      await unwrap(store.path),
    ]);
    expect(plain).not.toContain("mock-gcp-private-key");
  });
});

describe("GcsArtifactStore, impersonation mode", () => {
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  let email: string;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("imp", {
      project: PROJECT,
      location: "EU",
      bucketName: "team-artifacts",
      credentials: "impersonation",
      impersonator: `serviceAccount:${SOURCE_EMAIL}`,
      impersonatorKey: SOURCE_KEY,
    });
    await unwrap(store.credentials);
    await settle();
    const accountId = only(registered, "gcp:serviceaccount/account:Account", "imp-sa").inputs
      .accountId;
    email = `${accountId}@${PROJECT}.iam.gserviceaccount.com`;
  });

  it("creates no key for the store's service account", () => {
    expect(ofType(childrenOf("imp"), "gcp:serviceaccount/key:Key")).toEqual([]);
    expect(store.key).toBeUndefined();
    expect(typesOf("imp")).toEqual(
      [
        "gcp:serviceaccount/account:Account",
        "gcp:serviceaccount/iAMMember:IAMMember",
        "gcp:storage/bucket:Bucket",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "zenml-remote-storage:gcp:GcsArtifactStore",
      ].sort(),
    );
  });

  it("lets only the impersonator mint tokens, for this one service account", () => {
    const grant = only(registered, "gcp:serviceaccount/iAMMember:IAMMember", "imp-token-creator");
    expect(grant.inputs).toEqual({
      serviceAccountId: `projects/${PROJECT}/serviceAccounts/${email}`,
      role: "roles/iam.serviceAccountTokenCreator",
      member: `serviceAccount:${SOURCE_EMAIL}`,
    });
  });

  it("grants the bucket roles to the store's account, never to the impersonator", () => {
    expect(grantsOf("imp")).toEqual(
      [
        ...BUCKET_ROLES.map((role): [string, string, string, string] => [
          "gcp:storage/bucketIAMMember:BucketIAMMember",
          "team-artifacts",
          role,
          `serviceAccount:${email}`,
        ]),
        [
          "gcp:serviceaccount/iAMMember:IAMMember",
          `projects/${PROJECT}/serviceAccounts/${email}`,
          "roles/iam.serviceAccountTokenCreator",
          `serviceAccount:${SOURCE_EMAIL}`,
        ] as [string, string, string, string],
      ].sort(),
    );
    expect(broadGrants("imp")).toEqual([]);
  });

  it("uses the given bucket name and location", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "imp-bucket");
    expect(bucket.inputs.name).toBe("team-artifacts");
    expect(bucket.inputs.location).toBe("EU");
  });

  it("exposes ZenML's impersonation connector: target principal plain, source key secret", async () => {
    expect(await unwrap(store.auth)).toMatchObject({
      kind: "connector",
      method: "impersonation",
      configuration: { project_id: PROJECT, target_principal: email },
    });
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(await unwrap(store.credentials)).toEqual({ service_account_json: SOURCE_KEY });
  });

  it("records the impersonator's key in the component's inputs only as a secret", () => {
    const component = only(registered, "zenml-remote-storage:gcp:GcsArtifactStore", "imp");
    // The mock monitor passes a secret input on in Pulumi's wire form: the secret signature.
    expect(component.inputs.impersonatorKey).toEqual({
      [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE,
      value: SOURCE_KEY,
    });
  });

  it("refuses impersonation without an impersonator or its key", () => {
    expect(
      () =>
        new gcs.GcsArtifactStore("noimp", {
          project: PROJECT,
          location: "EU",
          credentials: "impersonation",
          impersonatorKey: SOURCE_KEY,
        }),
    ).toThrow(/needs the impersonator and its service-account key/);
    expect(
      () =>
        new gcs.GcsArtifactStore("nokey", {
          project: PROJECT,
          location: "EU",
          credentials: "impersonation",
          impersonator: `serviceAccount:${SOURCE_EMAIL}`,
        }),
    ).toThrow(/needs the impersonator and its service-account key/);
  });

  it("refuses an impersonator in service-account-key mode", () => {
    expect(
      () =>
        new gcs.GcsArtifactStore("mixed", {
          project: PROJECT,
          location: "EU",
          credentials: "service-account-key",
          impersonator: `serviceAccount:${SOURCE_EMAIL}`,
        }),
    ).toThrow(/Only impersonation mode takes an impersonator/);
  });
});

describe("GcsArtifactStore with versioning, CMEK and forceDestroy", () => {
  const kmsKeyName = `projects/${PROJECT}/locations/europe-west1/keyRings/zenml/cryptoKeys/artifacts`;
  const agent = `serviceAccount:service-${GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
  beforeAll(async () => {
    const store = new gcs.GcsArtifactStore("cmek", {
      project: PROJECT,
      location: "europe-west1",
      credentials: "service-account-key",
      versioning: true,
      noncurrentVersionExpirationDays: 14,
      abortIncompleteUploadDays: 3,
      kmsKeyName,
      forceDestroy: true,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("turns versioning on and deletes noncurrent versions after the given days", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "cmek-bucket");
    expect(bucket.inputs.versioning).toEqual({ enabled: true });
    expect(bucket.inputs.lifecycleRules).toEqual([
      { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 3 } },
      {
        action: { type: "Delete" },
        condition: { withState: "ARCHIVED", daysSinceNoncurrentTime: 14 },
      },
    ]);
  });

  it("encrypts with the customer key by default", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "cmek-bucket");
    expect(bucket.inputs.encryption).toEqual({ defaultKmsKeyName: kmsKeyName });
  });

  it("sets forceDestroy only because it was asked", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "cmek-bucket");
    expect(bucket.inputs.forceDestroy).toBe(true);
  });

  it("grants the GCS service agent encrypt/decrypt on that one key, not the store's account", () => {
    const grant = only(
      registered,
      "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
      "cmek-kms-agent",
    );
    expect(grant.inputs).toEqual({
      cryptoKeyId: kmsKeyName,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: agent,
    });
    expect(broadGrants("cmek")).toEqual([]);
  });
});

describe("GcsArtifactStore with CMEK and no key grant", () => {
  beforeAll(async () => {
    const store = new gcs.GcsArtifactStore("cmek-nogrant", {
      project: PROJECT,
      location: "europe-west1",
      credentials: "service-account-key",
      kmsKeyName: `projects/${PROJECT}/locations/europe-west1/keyRings/zenml/cryptoKeys/a`,
      grantKmsKeyAccess: false,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("uses the key but grants nothing on it", () => {
    const bucket = only(registered, "gcp:storage/bucket:Bucket", "cmek-nogrant-bucket");
    expect(bucket.inputs.encryption.defaultKmsKeyName).toMatch(/cryptoKeys\/a$/);
    expect(
      ofType(childrenOf("cmek-nogrant"), "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"),
    ).toEqual([]);
  });
});

describe("GcsArtifactStore adopting an existing bucket", () => {
  let store: InstanceType<typeof gcs.GcsArtifactStore>;
  beforeAll(async () => {
    store = new gcs.GcsArtifactStore("adopted", {
      project: PROJECT,
      bucketName: "existing-bucket",
      adoptExistingBucket: true,
      credentials: "service-account-key",
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("creates no bucket resource and changes none", () => {
    expect(ofType(childrenOf("adopted"), "gcp:storage/bucket:Bucket")).toEqual([]);
    expect(store.bucket).toBeUndefined();
  });

  it("still binds the roles additively on that bucket and points ZenML at it", async () => {
    const members = ofType(childrenOf("adopted"), "gcp:storage/bucketIAMMember:BucketIAMMember");
    expect(members.map((m) => [m.inputs.bucket, m.inputs.role]).sort()).toEqual(
      BUCKET_ROLES.map((role) => ["existing-bucket", role]),
    );
    // Authoritative bindings would remove other members' access to an adopted bucket.
    expect(ofType(registered, "gcp:storage/bucketIAMBinding:BucketIAMBinding")).toEqual([]);
    expect(ofType(registered, "gcp:storage/bucketIAMPolicy:BucketIAMPolicy")).toEqual([]);
    expect(await unwrap(store.path)).toBe("gs://existing-bucket");
  });

  it("refuses adoption without a bucket name, and a new bucket without a location", () => {
    expect(
      () =>
        new gcs.GcsArtifactStore("nameless", {
          project: PROJECT,
          adoptExistingBucket: true,
          credentials: "service-account-key",
        }),
    ).toThrow(/adopted bucket needs its name/);
    expect(
      () =>
        new gcs.GcsArtifactStore("nowhere", {
          project: PROJECT,
          credentials: "service-account-key",
        }),
    ).toThrow(/new bucket needs a location/);
  });
});

describe("decodeServiceAccountKey", () => {
  it("turns @pulumi/gcp's base64 privateKey into the key file JSON", () => {
    const json = fakeGcpServiceAccountKeyJson(SOURCE_EMAIL);
    expect(gcs.decodeServiceAccountKey(Buffer.from(json).toString("base64"))).toBe(json);
  });
});
