import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { AWS_BACKEND } from "../../config/backends/aws";
import { s3BucketPrefix } from "../../config/names";
import { versionedCredentials, type KeyVersions } from "../../config/rotation";
import type { CredentialMode } from "../../config/types";
import type { ConnectorAuth, Live, StoreOutputs } from "../../zenml/model";
import type { BucketArgs } from "../bucketArgs";
import {
  artifactAccessPolicy,
  assumeOneRolePolicy,
  singleUserTrustPolicy,
  tlsOnlyBucketPolicy,
  trustedPrincipalsTrustPolicy,
} from "./policies";

/** An S3 store's settings; an omitted `bucketName` is generated from the prefix `zenml-<name>-`. */
export interface S3ArtifactStoreArgs extends BucketArgs {
  /** AWS region of the bucket and its settings. */
  readonly region: pulumi.Input<string>;
  /** Days after which incomplete multipart uploads are aborted. */
  readonly abortIncompleteUploadDays?: pulumi.Input<number>;
  /** KMS key ARN for SSE-KMS; SSE-S3 when omitted. */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /**
   * How ZenML authenticates: an access key, a role assumed with that key, or
   * (`implicit`) a role the ZenML server assumes with its own identity; no key.
   */
  readonly credentials: CredentialMode<"aws">;
  /** `implicit` mode: the IAM role/user ARNs the role trusts (the ZenML server's, ZenML Pro's). */
  readonly trustedPrincipals?: readonly pulumi.Input<string>[];
  /** The IAM user's name; derived from project, stack and store name when omitted. */
  readonly userName?: pulumi.Input<string>;
  /** Tags added to the bucket and IAM resources. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The access key's version and earlier keys kept next to it (rotation); version 1 alone by default. */
  readonly keyVersions?: KeyVersions;
}

/**
 * An S3 bucket hardened for ZenML artifacts, an IAM identity that can do ZenML's
 * artifact I/O on that bucket only, and everything ZenML needs to register it.
 */
export class S3ArtifactStore extends pulumi.ComponentResource implements StoreOutputs {
  public readonly storeName: string;
  public readonly backend = "aws" as const;
  public readonly flavor = AWS_BACKEND.zenml.flavor;
  /** The bucket, unless it was adopted. */
  public readonly bucket?: s3.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** The IAM user holding ZenML's key; none in `implicit` mode. */
  public readonly user?: iam.User;
  /** The access key ZenML is given (the current version); none in `implicit` mode. */
  public readonly accessKey?: iam.AccessKey;
  /** Earlier access keys still kept valid while a rotation is verified. */
  public readonly previousAccessKeys: iam.AccessKey[];
  /** The minted key's version; undefined in `implicit` mode (nothing minted). */
  public readonly credentialVersion?: string;
  /** The role ZenML assumes, in `iam-role` and `implicit` modes. */
  public readonly role?: iam.Role;
  public readonly path: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  /** ZenML's `aws` connector for the bucket: `secret-key`, or `iam-role` with the role's ARN. */
  public readonly auth: Live<ConnectorAuth, "resourceId" | "configuration">;
  public readonly credentials: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: S3ArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zenml-remote-storage:aws:S3ArtifactStore", name, args, opts);
    if (args.adoptExistingBucket && args.bucketName === undefined) {
      throw new pulumi.InputPropertyError({
        propertyPath: "bucketName",
        reason: "An adopted bucket needs its name.",
      });
    }
    this.storeName = name;
    const parent = { parent: this };
    const tags = pulumi.output(args.tags ?? {}).apply((t): Record<string, string> => ({
      ...t,
      "zenml-remote-storage:store": name,
    }));
    const partition = getPartitionOutput({}, parent).partition;

    if (args.adoptExistingBucket) {
      this.bucketName = pulumi.output(args.bucketName!);
    } else {
      this.bucket = this.createBucket(name, args, tags);
      this.bucketName = this.bucket.bucket;
    }
    this.bucketArn = pulumi.interpolate`arn:${partition}:s3:::${this.bucketName}`;
    const objectsArn = pulumi.interpolate`${this.bucketArn}/*`;
    const accessPolicy = pulumi.jsonStringify(
      artifactAccessPolicy({ bucketArn: this.bucketArn, objectsArn, kmsKeyArn: args.kmsKeyArn }),
    );

    const region = pulumi.output(args.region);
    let configuration: pulumi.Output<Record<string, string>>;
    if (args.credentials === "implicit") {
      // No user and no key: the ZenML server assumes the role with its own identity.
      const principals = args.trustedPrincipals ?? [];
      if (principals.length === 0) {
        throw new pulumi.InputPropertyError({
          propertyPath: "trustedPrincipals",
          reason: "The implicit mode needs the principal(s) the role trusts.",
        });
      }
      this.previousAccessKeys = [];
      this.role = new iam.Role(
        `${name}-role`,
        {
          assumeRolePolicy: pulumi.jsonStringify(trustedPrincipalsTrustPolicy(principals)),
          tags,
        },
        parent,
      );
      new iam.RolePolicy(
        `${name}-role-access`,
        { role: this.role.name, policy: accessPolicy },
        parent,
      );
      configuration = pulumi
        .all([region, this.role.arn])
        .apply(([r, roleArn]): Record<string, string> => ({ region: r, role_arn: roleArn }));
      this.credentials = pulumi.secret(pulumi.output({} as Record<string, string>));
    } else {
      const userName =
        args.userName ?? AWS_BACKEND.names.identity(pulumi.getProject(), pulumi.getStack(), name);
      const user = new iam.User(`${name}-user`, { name: userName, tags }, parent);
      this.user = user;
      const keys = versionedCredentials(
        args.keyVersions,
        `${name}-key`,
        (keyName) => new iam.AccessKey(keyName, { user: user.name }, parent),
      );
      const current = keys.current;
      this.credentialVersion = keys.version;
      this.accessKey = current;
      this.previousAccessKeys = keys.previous;

      if (args.credentials === "iam-role") {
        // Naming the user as principal makes the role wait for the user: IAM checks
        // that a principal exists when the trust policy is written.
        this.role = new iam.Role(
          `${name}-role`,
          { assumeRolePolicy: pulumi.jsonStringify(singleUserTrustPolicy(user.arn)), tags },
          parent,
        );
        new iam.RolePolicy(
          `${name}-role-access`,
          { role: this.role.name, policy: accessPolicy },
          parent,
        );
        new iam.UserPolicy(
          `${name}-user-assume-role`,
          { user: user.name, policy: pulumi.jsonStringify(assumeOneRolePolicy(this.role.arn)) },
          parent,
        );
        configuration = pulumi
          .all([region, this.role.arn])
          .apply(([r, roleArn]): Record<string, string> => ({ region: r, role_arn: roleArn }));
      } else {
        new iam.UserPolicy(
          `${name}-user-access`,
          { user: user.name, policy: accessPolicy },
          parent,
        );
        configuration = region.apply((r): Record<string, string> => ({ region: r }));
      }
      // The provider already marks `secret` as secret; wrapping again keeps it so under mocks too.
      this.credentials = pulumi.secret(
        pulumi.all([current.id, current.secret]).apply(([id, secret]): Record<string, string> => ({
          aws_access_key_id: id,
          aws_secret_access_key: secret,
        })),
      );
    }

    this.path = pulumi.interpolate`s3://${this.bucketName}`;
    this.auth = {
      kind: "connector",
      type: "aws",
      method: connectorMethod(args.credentials),
      resourceType: "s3-bucket",
      resourceId: this.path,
      configuration,
    };
    this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
      path,
    }));
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
    args: S3ArtifactStoreArgs,
    tags: pulumi.Output<Record<string, string>>,
  ): s3.Bucket {
    const parent = { parent: this };
    const region = args.region;
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        region,
        ...(args.bucketName !== undefined
          ? { bucket: args.bucketName }
          : { bucketPrefix: s3BucketPrefix(name) }),
        forceDestroy: args.forceDestroy ?? false,
        tags,
      },
      parent,
    );
    new s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        region,
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { region, bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        region,
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault:
              args.kmsKeyArn !== undefined
                ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }
                : { sseAlgorithm: "AES256" },
            bucketKeyEnabled: true,
          },
        ],
      },
      parent,
    );
    new s3.BucketPolicy(
      `${name}-tls-only`,
      {
        region,
        bucket: bucket.id,
        policy: pulumi.jsonStringify(
          tlsOnlyBucketPolicy({
            bucketArn: bucket.arn,
            objectsArn: pulumi.interpolate`${bucket.arn}/*`,
          }),
        ),
      },
      parent,
    );
    if (args.versioning) {
      new s3.BucketVersioning(
        `${name}-versioning`,
        { region, bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        parent,
      );
    }
    new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        region,
        bucket: bucket.id,
        rules: [
          {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: {
              daysAfterInitiation: args.abortIncompleteUploadDays ?? 7,
            },
          },
          ...(args.versioning
            ? [
                {
                  id: "expire-noncurrent-versions",
                  status: "Enabled",
                  filter: {},
                  noncurrentVersionExpiration: {
                    noncurrentDays: args.noncurrentVersionExpirationDays ?? 30,
                  },
                },
              ]
            : []),
        ],
      },
      parent,
    );
    return bucket;
  }
}

/** ZenML's `aws` connector auth method for a credential mode. */
export function connectorMethod(
  mode: CredentialMode<"aws">,
): "secret-key" | "iam-role" | "implicit" {
  return mode === "access-key" ? "secret-key" : mode;
}
