/**
 * What every backend's config shares: the backends, bucket options and a
 * store's common fields. Each backend's modes and rules are in its descriptor
 * (./backends/<backend>.ts); ./types.ts joins their results (so no import runs back).
 */
export const BACKENDS = ["aws", "gcp", "azure", "s3-compatible"] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BucketOptions {
  /** The bucket (or container) name; undefined means generated. */
  readonly name?: string;
  /** Use an existing bucket by name instead of creating one. */
  readonly adopt: boolean;
  /** Let `pulumi destroy` delete a bucket that still holds objects. */
  readonly forceDestroy: boolean;
  /** Object versioning; ZenML advises against it. */
  readonly versioning: boolean;
  /** Days after which noncurrent versions expire (only with versioning). */
  readonly noncurrentVersionExpirationDays: number;
  /** Days after which incomplete multipart uploads are aborted. */
  readonly abortIncompleteUploadDays: number;
  /** A customer-managed encryption key; undefined means the provider-managed key. */
  readonly encryptionKey?: string;
}

/** A store's credential rotation settings (see ./rotation.ts). */
export interface CredentialRotation {
  /** The key's generation: 1 at first, bumped by `rotate`; a new generation is a new key. */
  readonly generation: number;
  /** Mint a new key at the first update after each period of this many days (from 1970-01-01 UTC). */
  readonly periodDays?: number;
  /** Versions of earlier keys kept valid next to the current one (set by `rotate` while it verifies). */
  readonly keep: readonly string[];
}

/** What every store has, whatever its backend. */
export interface StoreBase {
  /** The ZenML artifact store name; also the base of every derived resource name. */
  readonly name: string;
  /** The ZenML stack that uses this store. */
  readonly stackName: string;
  readonly bucket: BucketOptions;
  /** Cloud tags (labels on GCP) added to every resource that takes them. */
  readonly tags: Readonly<Record<string, string>>;
  /** Credential rotation; undefined means generation 1, no period, nothing kept. */
  readonly rotation?: CredentialRotation;
}

/** A store's common fields plus its (already validated) credential mode. */
export type StoreBaseWith<M extends string> = StoreBase & {
  readonly credentials: M;
};

/** Values from other namespaces that fill defaults, by full key (e.g. `aws:region`). */
export interface ConfigContext {
  readonly providerConfig: Readonly<Record<string, string | undefined>>;
}
