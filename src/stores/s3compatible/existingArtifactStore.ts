import * as pulumi from "@pulumi/pulumi";
import { normaliseEndpoint, type S3KeyPair } from "../../config/backends/s3Compatible";
import type { StoreOutputs } from "../outputs";
import { isPlainHttp, plainHttpWarning, s3CompatibleSecretName } from "./facts";
import { s3CompatibleRegistration } from "./registration";

export interface ExistingS3CompatibleArtifactStoreArgs {
  /** The server's S3 API URL, e.g. `https://s3.eu-central-1.wasabisys.com` (plain, validated here). */
  readonly endpoint: string;
  /** Accept a plain-http endpoint (a warning is logged); https otherwise. */
  readonly allowHttp?: boolean;
  /** The region the server expects in signatures (`auto` on Cloudflare R2). */
  readonly region: pulumi.Input<string>;
  /** Tell ZenML to use path-style requests (`<endpoint>/<bucket>`). */
  readonly pathStyle?: boolean;
  /** The existing bucket the keys give access to. */
  readonly bucketName: pulumi.Input<string>;
  /** The keys ZenML uses, brought by the user; kept secret. */
  readonly keyPair: pulumi.Input<S3KeyPair>;
}

/**
 * An S3-compatible bucket the user already has (Ceph RGW, SeaweedFS, Wasabi,
 * Cloudflare R2, Backblaze B2, MinIO, ...) with keys the user brings. Nothing
 * is provisioned: the component only turns the settings into ZenML's facts.
 */
export class ExistingS3CompatibleArtifactStore
  extends pulumi.ComponentResource
  implements StoreOutputs
{
  public readonly storeName: string;
  public readonly backend = "s3-compatible" as const;
  public readonly flavor = "s3" as const;
  public readonly connectorType = "aws";
  public readonly authMethod = "secret-key";
  public readonly resourceType = "s3-bucket";
  /**
   * ZenML authenticates through this ZenML secret, not the AWS connector: the
   * connector re-verifies with AWS STS whenever a pipeline asks it for a client,
   * which an S3-compatible server never answers (zenml-io/zenml#4152).
   */
  public readonly authenticationSecret: string;
  public readonly endpoint: string;
  public readonly bucketName: pulumi.Output<string>;
  public readonly path: pulumi.Output<string>;
  public readonly resourceId: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  public readonly connectorConfiguration: pulumi.Output<Record<string, string>>;
  public readonly credentials: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    args: ExistingS3CompatibleArtifactStoreArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    // Component inputs are recorded in the state too: keep the keys secret there.
    super(
      "zenml-remote-storage:s3-compatible:ExistingS3CompatibleArtifactStore",
      name,
      { ...args, keyPair: pulumi.secret(args.keyPair) },
      opts,
    );
    const checked = normaliseEndpoint(args.endpoint, args.allowHttp ?? false);
    if ("rule" in checked) {
      throw new pulumi.InputPropertyError({
        propertyPath: "endpoint",
        reason: `The endpoint ${checked.rule}.`,
      });
    }
    this.storeName = name;
    this.authenticationSecret = s3CompatibleSecretName(name);
    this.endpoint = checked.endpoint;
    if (isPlainHttp(this.endpoint))
      void pulumi.log.warn(plainHttpWarning(name, this.endpoint), this);
    this.bucketName = pulumi.output(args.bucketName);

    const registration = s3CompatibleRegistration({
      bucketName: this.bucketName,
      endpoint: this.endpoint,
      region: args.region,
      pathStyle: args.pathStyle ?? false,
      keyPair: pulumi.secret(args.keyPair),
    });
    this.path = registration.path;
    this.resourceId = registration.resourceId;
    this.artifactStoreConfiguration = registration.artifactStoreConfiguration;
    this.connectorConfiguration = registration.connectorConfiguration;
    this.credentials = registration.credentials;

    this.registerOutputs({
      bucketName: this.bucketName,
      path: this.path,
      resourceId: this.resourceId,
      artifactStoreConfiguration: this.artifactStoreConfiguration,
      connectorConfiguration: this.connectorConfiguration,
      credentials: this.credentials,
    });
  }
}
