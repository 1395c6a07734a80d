import { describe, expect, it } from "vitest";
import {
  artifactAccessPolicy,
  assumeOneRolePolicy,
  singleUserTrustPolicy,
  tlsOnlyBucketPolicy,
} from "../../../../src/stores/aws/policies";

const bucketArn = "arn:aws:s3:::zenml-artifacts";
const objectsArn = "arn:aws:s3:::zenml-artifacts/*";

describe("artifactAccessPolicy", () => {
  it("grants ZenML's bucket actions on the bucket and object actions on its objects, nothing else", () => {
    expect(artifactAccessPolicy({ bucketArn, objectsArn })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ZenmlBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
          Resource: bucketArn,
        },
        {
          Sid: "ZenmlObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          Resource: objectsArn,
        },
      ],
    });
  });

  it("adds only decrypt and data-key use of the customer KMS key", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const doc = artifactAccessPolicy({ bucketArn, objectsArn, kmsKeyArn: key });
    expect(doc.Statement).toHaveLength(3);
    expect(doc.Statement[2]).toEqual({
      Sid: "ZenmlKmsKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: key,
    });
  });

  it.each([
    ["bucket", { bucketArn, objectsArn }],
    ["kms", { bucketArn, objectsArn, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }],
  ])("never allows a wildcard action or resource (%s)", (_, args) => {
    const json = JSON.stringify(artifactAccessPolicy(args));
    expect(json).not.toMatch(/"\*"|"s3:\*"|ListAllMyBuckets|iam:|sts:/);
  });
});

describe("tlsOnlyBucketPolicy", () => {
  it("denies every S3 action without TLS on the bucket and its objects", () => {
    expect(tlsOnlyBucketPolicy({ bucketArn, objectsArn }).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objectsArn],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});

describe("role policies", () => {
  it("trusts only the one user, as the principal itself", () => {
    const userArn = "arn:aws:iam::123456789012:user/zenml-s3-store-0badf00d";
    expect(singleUserTrustPolicy(userArn)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AssumeByZenmlUserOnly",
          Effect: "Allow",
          Principal: { AWS: userArn },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(JSON.stringify(singleUserTrustPolicy(userArn))).not.toMatch(/:root|"\*"/);
  });

  it("lets the user assume that one role and no other", () => {
    const roleArn = "arn:aws:iam::123456789012:role/zenml";
    expect(assumeOneRolePolicy(roleArn).Statement).toEqual([
      { Sid: "AssumeZenmlRole", Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn },
    ]);
  });
});
