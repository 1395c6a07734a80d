/** The typed configuration of one deployment, produced by `parseDeployment`. */
import type { AwsStoreConfig } from "./backends/aws";
import type { AzureStoreConfig } from "./backends/azure";
import type { GcpStoreConfig } from "./backends/gcp";
import type { S3CompatibleStoreConfig } from "./backends/s3Compatible";
import type { CredentialRotation } from "./rotation";

export type { AwsStoreConfig, AzureStoreConfig, GcpStoreConfig, S3CompatibleStoreConfig };

export const BACKENDS = ["aws", "gcp", "azure", "s3-compatible"] as const;
export type Backend = (typeof BACKENDS)[number];

/** How ZenML authenticates to the store, per backend. */
export const CREDENTIAL_MODES = {
  aws: ["access-key", "iam-role", "implicit"],
  gcp: ["service-account-key", "impersonation", "external-account", "implicit"],
  azure: ["service-principal", "sas", "implicit"],
  "s3-compatible": ["minio", "existing-credentials"],
} as const satisfies Record<Backend, readonly string[]>;

export type CredentialMode<B extends Backend = Backend> = (typeof CREDENTIAL_MODES)[B][number];

/**
 * Modes that mint no secret anywhere: ZenML's server uses its own identity (implicit
 * authentication, `ZENML_ENABLE_IMPLICIT_AUTH_METHODS`) or a federated one.
 */
export const KEYLESS_CREDENTIALS: Readonly<Record<Backend, readonly string[]>> = {
  aws: ["implicit"],
  gcp: ["external-account", "implicit"],
  azure: ["implicit"],
  "s3-compatible": [],
};

export function isKeyless(backend: Backend, credentials: string): boolean {
  return KEYLESS_CREDENTIALS[backend].includes(credentials);
}

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
export type StoreBaseWith<B extends Backend> = StoreBase & {
  readonly credentials: CredentialMode<B>;
};

/** Values from other namespaces that fill defaults, by full key (e.g. `aws:region`). */
export interface ConfigContext {
  readonly providerConfig: Readonly<Record<string, string | undefined>>;
}

export type StoreConfig =
  AwsStoreConfig | GcpStoreConfig | AzureStoreConfig | S3CompatibleStoreConfig;

export interface ZenmlConfig {
  /** The ZenML server the program registers in; undefined means documents only. */
  readonly serverUrl?: string;
  /** Take over existing ZenML objects of the same names instead of failing. */
  readonly adoptExisting: boolean;
}

export interface DeploymentConfig {
  readonly stores: readonly StoreConfig[];
  readonly zenml: ZenmlConfig;
}
