import * as pulumi from "@pulumi/pulumi";
import { S3_COMPATIBLE_BACKEND, type S3KeyPair } from "../../config/backends/s3Compatible";
import type { SecretAuth, StoreOutputs } from "../../zenml/model";
import type { S3CompatibleServerArgs } from "./facts";
import { checkedEndpoint, s3CompatibleOutputs } from "./outputs";

/** An existing bucket's settings (`endpoint` e.g. `https://s3.eu-central-1.wasabisys.com`). */
export interface ExistingS3CompatibleArtifactStoreArgs extends S3CompatibleServerArgs {
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
    this.storeName = name;
    this.endpoint = checkedEndpoint(name, args, this);
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
