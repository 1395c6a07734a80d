import type * as pulumi from "@pulumi/pulumi";
import { s3CompatibleKeyPair, storeSecret } from "../config/load";
import { impersonatorKeyJson } from "../config/storeSecrets";
import { keyVersions } from "../config/rotation";
import type { StoreConfig } from "../config/types";
import type { StoreOutputs } from "../zenml/model";

/**
 * Creates the component for one configured store. Each backend's module (and
 * so its provider SDK) is loaded only when a store of that backend exists.
 */
export async function createStore(
  store: StoreConfig,
  opts?: pulumi.ComponentResourceOptions,
  nowMs: number = Date.now(),
): Promise<StoreOutputs> {
  // Which key version is current now (rotation period) and which earlier ones are kept.
  const versions = keyVersions(store.rotation, nowMs);
  switch (store.backend) {
    case "aws": {
      const { S3ArtifactStore } = await import("./aws/s3ArtifactStore");
      return new S3ArtifactStore(
        store.name,
        {
          region: store.region,
          bucketName: store.bucket.name,
          adoptExistingBucket: store.bucket.adopt,
          forceDestroy: store.bucket.forceDestroy,
          versioning: store.bucket.versioning,
          noncurrentVersionExpirationDays: store.bucket.noncurrentVersionExpirationDays,
          abortIncompleteUploadDays: store.bucket.abortIncompleteUploadDays,
          kmsKeyArn: store.bucket.encryptionKey,
          credentials: store.credentials,
          trustedPrincipals: store.trustedPrincipals,
          tags: store.tags,
          keyVersions: versions,
        },
        opts,
      );
    }
    case "s3-compatible": {
      // The MinIO admin key (minio) or ZenML's key (existing-credentials); a Pulumi secret.
      const keyPair = s3CompatibleKeyPair(store.name);
      const server = {
        endpoint: store.endpoint,
        allowHttp: store.allowHttp,
        region: store.region,
        pathStyle: store.pathStyle,
      };
      if (store.credentials === "existing-credentials") {
        const { ExistingS3CompatibleArtifactStore } =
          await import("./s3compatible/existingArtifactStore");
        return new ExistingS3CompatibleArtifactStore(
          store.name,
          { ...server, bucketName: store.bucket.name!, keyPair },
          opts,
        );
      }
      const { MinioArtifactStore } = await import("./s3compatible/minioArtifactStore");
      return new MinioArtifactStore(
        store.name,
        {
          ...server,
          adminCredentials: keyPair,
          bucketName: store.bucket.name,
          adoptExistingBucket: store.bucket.adopt,
          forceDestroy: store.bucket.forceDestroy,
          versioning: store.bucket.versioning,
          noncurrentVersionExpirationDays: store.bucket.noncurrentVersionExpirationDays,
          kmsKeyId: store.kmsKeyId,
          tags: store.tags,
          keyVersions: versions,
        },
        opts,
      );
    }
    case "gcp": {
      const { GcsArtifactStore } = await import("./gcp/gcsArtifactStore");
      return new GcsArtifactStore(
        store.name,
        {
          project: store.project,
          location: store.location,
          bucketName: store.bucket.name,
          adoptExistingBucket: store.bucket.adopt,
          forceDestroy: store.bucket.forceDestroy,
          versioning: store.bucket.versioning,
          noncurrentVersionExpirationDays: store.bucket.noncurrentVersionExpirationDays,
          abortIncompleteUploadDays: store.bucket.abortIncompleteUploadDays,
          kmsKeyName: store.bucket.encryptionKey,
          grantKmsKeyAccess: store.grantEncryptionKeyAccess,
          credentials: store.credentials,
          impersonator: store.impersonator,
          impersonatorKey:
            store.credentials === "impersonation"
              ? storeSecret(store.name).apply((s) => impersonatorKeyJson(s.impersonatorKey))
              : undefined,
          federation: store.federation,
          serverServiceAccount: store.serverServiceAccount,
          labels: store.tags,
          keyVersions: versions,
        },
        opts,
      );
    }
    case "azure": {
      const { AzureBlobArtifactStore } = await import("./azure/blobArtifactStore");
      return new AzureBlobArtifactStore(
        store.name,
        {
          location: store.location,
          resourceGroupName: store.resourceGroup.name,
          adoptResourceGroup: store.resourceGroup.adopt,
          storageAccountName: store.storageAccount.name,
          adoptExistingContainer: store.bucket.adopt,
          containerName: store.bucket.name,
          sku: store.storageAccount.sku,
          infrastructureEncryption: store.storageAccount.infrastructureEncryption,
          softDeleteDays: store.storageAccount.softDeleteDays,
          versioning: store.bucket.versioning,
          noncurrentVersionExpirationDays: store.bucket.noncurrentVersionExpirationDays,
          encryptionKeyUrl: store.bucket.encryptionKey,
          keyVaultResourceGroupName: store.keyVaultResourceGroup,
          forceDestroy: store.bucket.forceDestroy,
          credentials: store.credentials,
          sasExpiry: store.sasExpiry,
          clientSecretExpiry: store.clientSecretExpiry,
          identity: store.identity,
          tags: store.tags,
          keyVersions: versions,
        },
        opts,
      );
    }
  }
}
