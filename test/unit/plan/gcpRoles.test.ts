// The hard-coded permissions of the predefined GCP roles the GCP store grants.
import { describe, expect, it } from "vitest";
import { GCP_ROLE_PERMISSIONS } from "../../../src/plan/gcpRoles";
import { WORKLOAD_IDENTITY_USER_ROLE } from "../../../src/stores/gcp/federation";
import {
  KMS_ENCRYPTER_DECRYPTER_ROLE,
  TOKEN_CREATOR_ROLE,
  ZENML_BUCKET_ROLES,
  ZENML_GCS_PERMISSIONS,
} from "../../../src/stores/gcp/iam";

const GRANTED = [
  ...ZENML_BUCKET_ROLES,
  TOKEN_CREATOR_ROLE,
  KMS_ENCRYPTER_DECRYPTER_ROLE,
  WORKLOAD_IDENTITY_USER_ROLE,
];

describe("GCP_ROLE_PERMISSIONS", () => {
  it.each(GRANTED)("lists the permissions of %s, a role the GCP store grants", (role) => {
    const permissions = GCP_ROLE_PERMISSIONS[role];
    expect(permissions.length).toBeGreaterThan(0);
    expect([...permissions].sort()).toEqual([...new Set(permissions)].sort());
  });

  it("holds no role the store does not grant", () => {
    expect(Object.keys(GCP_ROLE_PERMISSIONS).sort()).toEqual([...GRANTED].sort());
  });

  it("the bucket roles together carry every permission ZenML needs on the bucket", () => {
    const carried = new Set(ZENML_BUCKET_ROLES.flatMap((r) => GCP_ROLE_PERMISSIONS[r]));
    expect(ZENML_GCS_PERMISSIONS.filter((p) => !carried.has(p))).toEqual([]);
  });

  it.each([
    ["roles/storage.legacyBucketReader", ["storage.buckets.get", "storage.objects.list"]],
    ["roles/iam.workloadIdentityUser", ["iam.serviceAccounts.getAccessToken"]],
    [
      "roles/iam.serviceAccountTokenCreator",
      ["iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.signJwt"],
    ],
    [
      "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      ["cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"],
    ],
  ])("%s carries %j", (role, permissions) => {
    expect(GCP_ROLE_PERMISSIONS[role]).toEqual(expect.arrayContaining(permissions));
  });

  it("storage.objectUser grants no bucket or IAM-policy permission", () => {
    const perms = GCP_ROLE_PERMISSIONS["roles/storage.objectUser"];
    expect(perms.filter((p) => p.startsWith("storage.buckets.") || /IamPolicy$/.test(p))).toEqual(
      [],
    );
  });
});
