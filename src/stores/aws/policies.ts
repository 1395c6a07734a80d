import type * as pulumi from "@pulumi/pulumi";

/** An IAM policy document whose strings may still be Pulumi outputs. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?:
    "*" | { readonly AWS: pulumi.Input<string> | readonly pulumi.Input<string>[] };
  readonly Action: string | readonly string[];
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Condition?: Record<string, Record<string, pulumi.Input<string>>>;
}

/**
 * The S3 actions ZenML's `s3-bucket` connector and `s3` artifact store use,
 * split by the resource each applies to.
 */
export const ZENML_BUCKET_ACTIONS = [
  "s3:ListBucket",
  "s3:GetBucketVersioning",
  "s3:ListBucketVersions",
] as const;
export const ZENML_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
] as const;
/** What SSE-KMS needs on the key for reading and writing objects. */
export const KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Least-privilege access for ZenML's artifact I/O on one bucket (and its KMS key). */
export function artifactAccessPolicy(args: {
  bucketArn: pulumi.Input<string>;
  objectsArn: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string>;
}): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ZenmlBucket",
      Effect: "Allow",
      Action: [...ZENML_BUCKET_ACTIONS],
      Resource: args.bucketArn,
    },
    {
      Sid: "ZenmlObjects",
      Effect: "Allow",
      Action: [...ZENML_OBJECT_ACTIONS],
      Resource: args.objectsArn,
    },
  ];
  if (args.kmsKeyArn !== undefined) {
    statements.push({
      Sid: "ZenmlKmsKey",
      Effect: "Allow",
      Action: [...KMS_ACTIONS],
      Resource: args.kmsKeyArn,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Bucket policy refusing every request that does not use TLS. */
export function tlsOnlyBucketPolicy(args: {
  bucketArn: pulumi.Input<string>;
  objectsArn: pulumi.Input<string>;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [args.bucketArn, args.objectsArn],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * Trust policy letting exactly one IAM user assume the role: the user itself is
 * the principal, so IAM binds the trust to that user's unique id and a user
 * re-created under the same name does not inherit it.
 */
export function singleUserTrustPolicy(userArn: pulumi.Input<string>): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeByZenmlUserOnly",
        Effect: "Allow",
        Principal: { AWS: userArn },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/** User policy allowing `sts:AssumeRole` on one role only. */
export function assumeOneRolePolicy(roleArn: pulumi.Input<string>): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AssumeZenmlRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn },
    ],
  };
}

/**
 * Trust policy of an `implicit` store's role: exactly the listed principals (the ZenML
 * server's role or user, ZenML Pro's workspace role) may assume it, nothing else. ZenML's
 * connector passes no external ID (0.98 `AWSServiceConnector`: `sts.assume_role(RoleArn,
 * RoleSessionName, DurationSeconds, Policy)`), so none is required here.
 */
export function trustedPrincipalsTrustPolicy(
  principals: readonly pulumi.Input<string>[],
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeByZenmlServerOnly",
        Effect: "Allow",
        Principal: { AWS: principals.length === 1 ? principals[0] : [...principals] },
        Action: "sts:AssumeRole",
      },
    ],
  };
}
