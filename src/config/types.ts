/** The typed configuration of one deployment, produced by `parseDeployment`. */
import type { AwsStoreConfig } from "./backends/aws";
import type { AzureStoreConfig } from "./backends/azure";
import type { GcpStoreConfig } from "./backends/gcp";
import type { S3CompatibleStoreConfig } from "./backends/s3Compatible";

export * from "./base";
export { isKeyless } from "./backends";
export type { AwsStoreConfig, AzureStoreConfig, GcpStoreConfig, S3CompatibleStoreConfig };

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
