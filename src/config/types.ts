/** The typed configuration of one deployment, produced by `parseDeployment`. */
import type { AwsCredentialMode, AwsStoreConfig } from "./backends/aws";
import type { AzureCredentialMode, AzureStoreConfig } from "./backends/azure";
import type { GcpCredentialMode, GcpStoreConfig } from "./backends/gcp";
import type { S3CompatibleCredentialMode, S3CompatibleStoreConfig } from "./backends/s3Compatible";
import type { Backend } from "./base";

export * from "./base";
export type { AwsStoreConfig, AzureStoreConfig, GcpStoreConfig, S3CompatibleStoreConfig };

interface CredentialModes {
  readonly aws: AwsCredentialMode;
  readonly gcp: GcpCredentialMode;
  readonly azure: AzureCredentialMode;
  readonly "s3-compatible": S3CompatibleCredentialMode;
}

/** A backend's identity modes (`credentials` values), from its descriptor's mode table. */
export type CredentialMode<B extends Backend = Backend> = CredentialModes[B];

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
