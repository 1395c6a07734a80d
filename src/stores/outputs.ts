import type * as pulumi from "@pulumi/pulumi";
import type { Backend } from "../config/types";

/** ZenML artifact-store flavors this project registers. */
export type ArtifactStoreFlavor = "s3" | "gcp" | "azure";

/**
 * What every store component exposes, whatever its backend: enough for ZenML's
 * service connector and artifact store, with credentials kept as Pulumi secrets.
 */
export interface StoreOutputs {
  /** The ZenML artifact store name. */
  readonly storeName: string;
  readonly backend: Backend;
  /** ZenML artifact-store flavor. */
  readonly flavor: ArtifactStoreFlavor;
  /** The artifact store's `path`, e.g. `s3://bucket`. */
  readonly path: pulumi.Output<string>;
  /** The artifact store's full configuration (including `path`); plain values only. */
  readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  /** ZenML service connector type, e.g. `aws`. */
  readonly connectorType: string;
  /** ZenML service connector auth method, e.g. `secret-key`. */
  readonly authMethod: string;
  /** ZenML resource type, e.g. `s3-bucket`. */
  readonly resourceType: string;
  /** ZenML resource id, e.g. `s3://bucket`. */
  readonly resourceId: pulumi.Output<string>;
  /** The connector's plain (non-secret) configuration. */
  readonly connectorConfiguration: pulumi.Output<Record<string, string>>;
  /** The connector's secret fields; always a Pulumi secret. */
  readonly credentials: pulumi.Output<Record<string, string>>;
  /**
   * Set when ZenML authenticates through a ZenML secret of this name instead of
   * a service connector (Azure `sas` mode, S3-compatible servers): `credentials` are then the secret's
   * values, `artifactStoreConfiguration` names it as `authentication_secret`,
   * and there is no connector: `connectorType`, `authMethod` and `resourceType`
   * are empty strings and `connectorConfiguration` is `{}`.
   */
  readonly authenticationSecret?: string;
  /**
   * The version of the credential this project minted for ZenML (`1`, `2`,
   * `3-20260101`, …; see src/config/rotation.ts); undefined when the store uses
   * credentials it did not mint (impersonation, SAS, existing keys).
   */
  readonly credentialVersion?: string;
}
