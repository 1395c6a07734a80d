/**
 * The permissions of the predefined GCP roles this project grants (src/stores/gcp/iam.ts,
 * src/stores/gcp/federation.ts), so the access report can say what a binding allows.
 * Hard-coded from Google's IAM roles reference (cloud.google.com/iam/docs/roles-permissions,
 * storage, iam and cloudkms pages), not read from the cloud: Google adds permissions to
 * predefined roles over time, so the live role may carry more than listed here.
 */
export const GCP_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "roles/storage.objectUser": [
    "orgpolicy.policy.get",
    "resourcemanager.projects.get",
    "resourcemanager.projects.list",
    "storage.managedFolders.create",
    "storage.managedFolders.delete",
    "storage.managedFolders.get",
    "storage.managedFolders.list",
    "storage.multipartUploads.abort",
    "storage.multipartUploads.create",
    "storage.multipartUploads.list",
    "storage.multipartUploads.listParts",
    "storage.objects.create",
    "storage.objects.delete",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.restore",
    "storage.objects.update",
  ],
  "roles/storage.legacyBucketReader": ["storage.buckets.get", "storage.objects.list"],
  "roles/iam.workloadIdentityUser": [
    "iam.serviceAccounts.get",
    "iam.serviceAccounts.getAccessToken",
    "iam.serviceAccounts.getOpenIdToken",
    "iam.serviceAccounts.list",
  ],
  "roles/iam.serviceAccountTokenCreator": [
    "iam.serviceAccounts.get",
    "iam.serviceAccounts.getAccessToken",
    "iam.serviceAccounts.getOpenIdToken",
    "iam.serviceAccounts.implicitDelegation",
    "iam.serviceAccounts.list",
    "iam.serviceAccounts.signBlob",
    "iam.serviceAccounts.signJwt",
    "resourcemanager.projects.get",
    "resourcemanager.projects.list",
  ],
  "roles/cloudkms.cryptoKeyEncrypterDecrypter": [
    "cloudkms.cryptoKeyVersions.useToDecrypt",
    "cloudkms.cryptoKeyVersions.useToEncrypt",
    "cloudkms.locations.get",
    "cloudkms.locations.list",
    "resourcemanager.projects.get",
  ],
};
