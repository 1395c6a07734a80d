import { describe, expect, it } from "vitest";
import {
  bindingSuffix,
  KMS_ENCRYPTER_DECRYPTER_ROLE,
  TOKEN_CREATOR_ROLE,
  ZENML_BUCKET_ROLES,
  ZENML_GCS_PERMISSIONS,
} from "../../../../src/stores/gcp/iam";

/**
 * What each predefined role grants, as Google documents it
 * (https://cloud.google.com/iam/docs/roles-permissions/storage), restricted to the
 * storage.buckets.* and storage.objects.* permissions. This table is our reading of the
 * docs, not a query: only real GCP (`gcloud iam roles describe <role>`) can confirm it.
 */
const ROLE_STORAGE_PERMISSIONS: Record<string, readonly string[]> = {
  "roles/storage.objectUser": [
    "storage.objects.create",
    "storage.objects.delete",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.restore",
    "storage.objects.update",
  ],
  "roles/storage.legacyBucketReader": ["storage.buckets.get", "storage.objects.list"],
};

describe("the store's bucket roles", () => {
  it("are exactly objectUser and legacyBucketReader", () => {
    expect([...ZENML_BUCKET_ROLES]).toEqual([
      "roles/storage.objectUser",
      "roles/storage.legacyBucketReader",
    ]);
  });

  it("cover every permission ZenML's gcs-bucket connector needs on a known bucket", () => {
    const granted = new Set(ZENML_BUCKET_ROLES.flatMap((r) => ROLE_STORAGE_PERMISSIONS[r]));
    for (const permission of ZENML_GCS_PERMISSIONS) expect(granted).toContain(permission);
  });

  it("add no bucket-administration or IAM permission", () => {
    const granted = ZENML_BUCKET_ROLES.flatMap((r) => ROLE_STORAGE_PERMISSIONS[r]);
    const bucketLevel = granted.filter((p) => p.startsWith("storage.buckets."));
    expect(bucketLevel).toEqual(["storage.buckets.get"]);
    expect(granted.filter((p) => /IamPolicy|setIam|\.buckets\.(update|delete)/.test(p))).toEqual(
      [],
    );
  });

  it("leave out storage.buckets.list, which ZenML only needs without a resource id", () => {
    expect(ZENML_GCS_PERMISSIONS).not.toContain("storage.buckets.list");
  });

  it("the other grants are the token creator and the KMS encrypter/decrypter roles", () => {
    expect(TOKEN_CREATOR_ROLE).toBe("roles/iam.serviceAccountTokenCreator");
    expect(KMS_ENCRYPTER_DECRYPTER_ROLE).toBe("roles/cloudkms.cryptoKeyEncrypterDecrypter");
  });
});

describe("bindingSuffix", () => {
  it.each([
    ["roles/storage.objectUser", "object-user"],
    ["roles/storage.legacyBucketReader", "legacy-bucket-reader"],
    ["roles/iam.serviceAccountTokenCreator", "service-account-token-creator"],
  ])("%s -> %s", (role, suffix) => {
    expect(bindingSuffix(role)).toBe(suffix);
  });
});
