/**
 * What the store's service account may do, as data. Everything is granted on the one
 * bucket (bucket-level IAM, never project-level), through predefined roles.
 */

/**
 * The permissions ZenML's `gcs-bucket` connector and the `gcp` artifact store use on a
 * known bucket: artifact I/O through gcsfs, and `storage.buckets.get` for connector
 * verification (`get_bucket`) and gcsfs's bucket-level `info`/`exists`. ZenML's docs also
 * list `storage.buckets.list`; it is only used to discover buckets when the connector has
 * no resource id, and it cannot be granted on a bucket, so it is left out.
 */
export const ZENML_GCS_PERMISSIONS = [
  "storage.buckets.get",
  "storage.objects.create",
  "storage.objects.delete",
  "storage.objects.get",
  "storage.objects.list",
  "storage.objects.update",
] as const;

/**
 * The roles bound on the bucket for the store's service account.
 *
 * - `roles/storage.objectUser`: objects create/delete/get/list/update (plus restore, and
 *   multipart-upload and managed-folder operations, all inside this bucket). It lacks
 *   `storage.buckets.get`.
 * - `roles/storage.legacyBucketReader`: exactly `storage.buckets.get` and
 *   `storage.objects.list` (bucket metadata, never its IAM policy).
 *
 * Why predefined roles and not a custom role with exactly the six permissions: a custom
 * role is a project-level object, so the deployer would need `roles/iam.roleAdmin` on the
 * project, and one more project-level object would outlive each store (a deleted custom
 * role's id stays reserved for up to 37 days); predefined roles also follow Google's
 * changes to what GCS operations require. The few extra permissions above reach nothing
 * outside this one bucket. `roles/storage.objectAdmin` is not used: it adds object IAM
 * (`storage.objects.getIamPolicy`/`setIamPolicy`), which ZenML never needs.
 */
export const ZENML_BUCKET_ROLES = [
  "roles/storage.objectUser",
  "roles/storage.legacyBucketReader",
] as const;

/** The role that lets a principal mint access tokens for one service account. */
export const TOKEN_CREATOR_ROLE = "roles/iam.serviceAccountTokenCreator";

/** The role the Cloud Storage service agent needs on a customer-managed key (CMEK). */
export const KMS_ENCRYPTER_DECRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

/** A child-resource suffix for a role binding: `roles/storage.objectUser` -> `object-user`. */
export function bindingSuffix(role: string): string {
  return role.replace(/^roles\/[a-zA-Z]+\./, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
