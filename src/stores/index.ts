import type * as pulumi from "@pulumi/pulumi";
import type { StoreConfig } from "../config/types";
import type { StoreOutputs } from "./outputs";

/**
 * Creates the component for one configured store. Each backend's module (and
 * so its provider SDK) is loaded only when a store of that backend exists.
 */
export async function createStore(
  store: StoreConfig,
  opts?: pulumi.ComponentResourceOptions,
): Promise<StoreOutputs> {
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
          tags: store.tags,
        },
        opts,
      );
    }
    case "gcp":
    case "azure":
    case "s3-compatible":
      throw new BackendUnavailableError(store.backend);
  }
}

/** A backend the configuration model knows but this version cannot provision yet. */
export class BackendUnavailableError extends Error {
  constructor(readonly backend: string) {
    super(`backend ${backend} cannot be provisioned by this version yet`);
  }
}
