import * as pulumi from "@pulumi/pulumi";
import {
  normaliseEndpoint,
  S3_COMPATIBLE_BACKEND,
  type S3KeyPair,
} from "../../config/backends/s3Compatible";
import type { SecretAuth, StoreOutputs } from "../../zenml/model";
import { isPlainHttp, plainHttpWarning } from "./facts";
import { s3CompatibleOutputs } from "./outputs";

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
  public readonly flavor = S3_COMPATIBLE_BACKEND.zenml.flavor;
  /** A ZenML secret, not a connector (see ./outputs.ts). */
  public readonly auth: SecretAuth;
  public readonly endpoint: string;
  public readonly bucketName: pulumi.Output<string>;
  public readonly path: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
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
    this.endpoint = checked.endpoint;
    if (isPlainHttp(this.endpoint))
      void pulumi.log.warn(plainHttpWarning(name, this.endpoint), this);
    this.bucketName = pulumi.output(args.bucketName);

    const zenmlOutputs = s3CompatibleOutputs({
      storeName: name,
      bucketName: this.bucketName,
      endpoint: this.endpoint,
      region: args.region,
      pathStyle: args.pathStyle ?? false,
      keyPair: pulumi.secret(args.keyPair),
    });
    this.path = zenmlOutputs.path;
    this.artifactStoreConfiguration = zenmlOutputs.artifactStoreConfiguration;
    this.auth = zenmlOutputs.auth;
    this.credentials = zenmlOutputs.credentials;

    this.registerOutputs({
      bucketName: this.bucketName,
      path: this.path,
      artifactStoreConfiguration: this.artifactStoreConfiguration,
      auth: this.auth,
      credentials: this.credentials,
    });
  }
}
