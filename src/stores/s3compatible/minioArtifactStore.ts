import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { S3_COMPATIBLE_BACKEND, type S3KeyPair } from "../../config/backends/s3Compatible";
import { s3BucketPrefix } from "../../config/names";
import { versionedCredentials, type KeyVersions } from "../../config/rotation";
import { artifactAccessPolicy } from "../aws/policies";
import type { SecretAuth, StoreOutputs } from "../../zenml/model";
import type { BucketArgs } from "../bucketArgs";
import { minioServerSettings, type S3CompatibleServerArgs } from "./facts";
import { checkedEndpoint, s3CompatibleOutputs } from "./outputs";

/**
 * A MinIO store's settings (`endpoint` e.g. `https://minio.example.com:9000`); an omitted
 * `bucketName` is generated from the prefix `zenml-<name>-`.
 */
export interface MinioArtifactStoreArgs extends S3CompatibleServerArgs, BucketArgs {
  /** A MinIO user allowed to manage buckets, policies, users and service accounts; kept secret. */
  readonly adminCredentials: pulumi.Input<S3KeyPair>;
  /** A MinIO KMS (KES) key name for SSE-KMS on the bucket; the server default when omitted. */
  readonly kmsKeyId?: pulumi.Input<string>;
  /** The MinIO user's (and policy's) name; derived from project, stack and store when omitted. */
  readonly userName?: pulumi.Input<string>;
  /** Tags on the MinIO user (the provider cannot tag buckets). */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The service account's version and earlier ones kept next to it (rotation); version 1 alone by default. */
  readonly keyVersions?: KeyVersions;
}

/**
 * A bucket on an existing MinIO server, a MinIO user whose policy allows
 * ZenML's artifact I/O on that bucket only, a service account (the key ZenML
 * uses) and everything ZenML needs to register it. Every child talks to the
 * server through one explicit provider built from the endpoint and the secret
 * admin credentials.
 */
export class MinioArtifactStore extends pulumi.ComponentResource implements StoreOutputs {
  public readonly storeName: string;
  public readonly backend = "s3-compatible" as const;
  public readonly flavor = S3_COMPATIBLE_BACKEND.zenml.flavor;
  /** A ZenML secret, not a connector (see ./outputs.ts). */
  public readonly auth: SecretAuth;
  public readonly endpoint: string;
  public readonly provider: minio.Provider;
  /** The bucket, unless it was adopted. */
  public readonly bucket?: minio.S3Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly policy: minio.IamPolicy;
  public readonly user: minio.IamUser;
  /** The service account whose key ZenML is given (the current version). */
  public readonly serviceAccount: minio.IamServiceAccount;
  /** Earlier service accounts still kept valid while a rotation is verified. */
  public readonly previousServiceAccounts: minio.IamServiceAccount[];
  public readonly credentialVersion: string;
  public readonly path: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  public readonly credentials: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MinioArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    // Component inputs are recorded in the state too: keep the admin key secret there.
    super(
      "zenml-remote-storage:s3-compatible:MinioArtifactStore",
      name,
      { ...args, adminCredentials: pulumi.secret(args.adminCredentials) },
      opts,
    );
    if (args.adoptExistingBucket && args.bucketName === undefined) {
      throw new pulumi.InputPropertyError({
        propertyPath: "bucketName",
        reason: "An adopted bucket needs its name.",
      });
    }
    this.storeName = name;
    this.endpoint = checkedEndpoint(name, args, this);

    const admin = pulumi.secret(args.adminCredentials);
    const { server, ssl } = minioServerSettings(this.endpoint);
    this.provider = new minio.Provider(
      `${name}-minio`,
      {
        minioServer: server,
        minioSsl: ssl,
        minioInsecure: false,
        minioRegion: args.region,
        minioUser: pulumi.secret(admin.accessKeyId),
        minioPassword: pulumi.secret(admin.secretAccessKey),
      },
      { parent: this },
    );
    const child = { parent: this, provider: this.provider };

    if (args.adoptExistingBucket) {
      this.bucketName = pulumi.output(args.bucketName!);
    } else {
      this.bucket = this.createBucket(name, args, child);
      this.bucketName = this.bucket.bucket;
    }

    const policyDocument = pulumi.jsonStringify(
      artifactAccessPolicy({
        bucketArn: pulumi.interpolate`arn:aws:s3:::${this.bucketName}`,
        objectsArn: pulumi.interpolate`arn:aws:s3:::${this.bucketName}/*`,
      }),
    );
    const userName =
      args.userName ??
      S3_COMPATIBLE_BACKEND.names.identity(pulumi.getProject(), pulumi.getStack(), name);
    this.policy = new minio.IamPolicy(
      `${name}-policy`,
      { name: userName, policy: policyDocument },
      child,
    );
    const tags = pulumi.output(args.tags ?? {}).apply((t): Record<string, string> => ({
      ...t,
      "zenml-remote-storage:store": name,
    }));
    this.user = new minio.IamUser(`${name}-user`, { name: userName, tags }, child);
    new minio.IamUserPolicyAttachment(
      `${name}-user-access`,
      { userName: this.user.name, policyName: this.policy.name },
      child,
    );
    // The key ZenML uses: a service account of the user, revocable and rotatable
    // on its own, restricted by the same policy even if the user later gets more.
    // One service account per key version (see versionedCredentials).
    const serviceAccounts = versionedCredentials(
      args.keyVersions,
      `${name}-key`,
      (keyName) =>
        new minio.IamServiceAccount(
          keyName,
          // Created alongside the attachment: a service account's access is the
          // intersection of its own policy and its user's, which the update completes.
          { targetUser: this.user.name, policy: policyDocument },
          child,
        ),
    );
    this.credentialVersion = serviceAccounts.version;
    this.serviceAccount = serviceAccounts.current;
    this.previousServiceAccounts = serviceAccounts.previous;

    const zenmlOutputs = s3CompatibleOutputs({
      storeName: name,
      bucketName: this.bucketName,
      endpoint: this.endpoint,
      region: args.region,
      pathStyle: args.pathStyle ?? false,
      keyPair: pulumi
        .all([this.serviceAccount.accessKey, this.serviceAccount.secretKey])
        .apply(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey })),
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
      credentialVersion: this.credentialVersion,
    });
  }

  private createBucket(
    name: string,
    args: MinioArtifactStoreArgs,
    child: pulumi.CustomResourceOptions,
  ): minio.S3Bucket {
    const bucket = new minio.S3Bucket(
      `${name}-bucket`,
      {
        ...(args.bucketName !== undefined
          ? { bucket: args.bucketName }
          : { bucketPrefix: s3BucketPrefix(name) }),
        acl: "private",
        forceDestroy: args.forceDestroy ?? false,
      },
      child,
    );
    if (args.kmsKeyId !== undefined) {
      new minio.S3BucketServerSideEncryption(
        `${name}-encryption`,
        { bucket: bucket.bucket, encryptionType: "aws:kms", kmsKeyId: args.kmsKeyId },
        child,
      );
    }
    if (args.versioning) {
      const versioning = new minio.S3BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
        child,
      );
      new minio.IlmPolicy(
        `${name}-lifecycle`,
        {
          bucket: bucket.bucket,
          rules: [
            {
              id: "expire-noncurrent-versions",
              status: "Enabled",
              noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
            },
          ],
        },
        { ...child, dependsOn: [versioning] },
      );
    }
    return bucket;
  }
}
