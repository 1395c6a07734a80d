import type * as pulumi from "@pulumi/pulumi";

/** The bucket settings every store component that creates (or adopts) a bucket takes. */
export interface BucketArgs {
  /** The bucket's name; generated from the store's name when omitted. */
  readonly bucketName?: pulumi.Input<string>;
  /** Use the existing bucket `bucketName`; no bucket resource is created or changed. */
  readonly adoptExistingBucket?: boolean;
  /** Let `pulumi destroy` delete the bucket while it still holds objects. */
  readonly forceDestroy?: pulumi.Input<boolean>;
  /** Keep object versions (ZenML advises against it); noncurrent versions then expire. */
  readonly versioning?: boolean;
  /** Days after which noncurrent versions expire, when versioning is on. */
  readonly noncurrentVersionExpirationDays?: pulumi.Input<number>;
}
