/**
 * The AWS provider plugin, emulated against moto: each resource type's create
 * is `createInMoto` (test/support/awsEmulator.ts, moto's admin key), delete and
 * read are the matching AWS calls here. The AWS calls are real calls into
 * moto; the mapping from resource inputs to calls stands in for the AWS
 * provider, which cannot run here.
 */
import {
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
} from "@aws-sdk/client-iam";
import {
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { createInMoto, iamClient, s3Client } from "../awsEmulator";
import type { MotoServer } from "../services";
import type { HandlerResource, InvokeHandler, ResourceHandler } from "./handlers";

/** What a moto "not found" looks like across S3 and IAM. */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === "NoSuchEntity" ||
    e.name === "NotFound" ||
    e.name === "NoSuchBucket" ||
    e.$metadata?.httpStatusCode === 404
  );
}

async function emptyBucket(moto: MotoServer, bucket: string): Promise<void> {
  const s3 = s3Client(moto, moto.admin);
  for (;;) {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
  }
}

/** The AWS call that deletes one resource (what the provider's Delete does). */
async function deleteInMoto(moto: MotoServer, r: HandlerResource): Promise<void> {
  const s3 = s3Client(moto, moto.admin);
  const iam = iamClient(moto, moto.admin);
  const i = r.inputs as Record<string, string | boolean | undefined>;
  const Bucket = i.bucket as string;
  switch (r.type) {
    case "aws:s3/bucket:Bucket":
      // forceDestroy: the provider empties the bucket first; without it AWS refuses a
      // bucket that holds objects (BucketNotEmpty), and so does moto.
      if (i.forceDestroy === true) await emptyBucket(moto, r.id);
      await s3.send(new DeleteBucketCommand({ Bucket: r.id }));
      return;
    case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
      return;
    case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
      await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket }));
      return;
    case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
      return;
    case "aws:s3/bucketPolicy:BucketPolicy":
      return; // never applied in moto (see awsEmulator.ts createInMoto)
    case "aws:s3/bucketVersioning:BucketVersioning":
      // The provider suspends versioning on delete; a bucket cannot go back to unversioned.
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket,
          VersioningConfiguration: { Status: "Suspended" },
        }),
      );
      return;
    case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
      await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
      return;
    case "aws:iam/user:User":
      await iam.send(new DeleteUserCommand({ UserName: r.id }));
      return;
    case "aws:iam/accessKey:AccessKey":
      await iam.send(new DeleteAccessKeyCommand({ UserName: i.user as string, AccessKeyId: r.id }));
      return;
    case "aws:iam/userPolicy:UserPolicy":
      await iam.send(
        new DeleteUserPolicyCommand({ UserName: i.user as string, PolicyName: r.name }),
      );
      return;
    case "aws:iam/role:Role":
      await iam.send(new DeleteRoleCommand({ RoleName: r.id }));
      return;
    case "aws:iam/rolePolicy:RolePolicy":
      await iam.send(
        new DeleteRolePolicyCommand({ RoleName: i.role as string, PolicyName: r.name }),
      );
      return;
    default:
      throw new Error(`the moto handler cannot delete ${r.type}`);
  }
}

/** The AWS call that shows one resource still exists (what the provider's Read checks). */
async function existsInMoto(moto: MotoServer, r: HandlerResource): Promise<boolean> {
  const s3 = s3Client(moto, moto.admin);
  const iam = iamClient(moto, moto.admin);
  const i = r.inputs as Record<string, string | undefined>;
  try {
    switch (r.type) {
      case "aws:iam/user:User":
        await iam.send(new GetUserCommand({ UserName: r.id }));
        return true;
      case "aws:iam/accessKey:AccessKey": {
        const keys = await iam.send(new ListAccessKeysCommand({ UserName: i.user }));
        return (keys.AccessKeyMetadata ?? []).some((k) => k.AccessKeyId === r.id);
      }
      case "aws:iam/userPolicy:UserPolicy":
        await iam.send(new GetUserPolicyCommand({ UserName: i.user, PolicyName: r.name }));
        return true;
      case "aws:iam/role:Role":
        await iam.send(new GetRoleCommand({ RoleName: r.id }));
        return true;
      case "aws:iam/rolePolicy:RolePolicy":
        await iam.send(new GetRolePolicyCommand({ RoleName: i.role, PolicyName: r.name }));
        return true;
      default:
        // The bucket, and each bucket setting (which lives as long as its bucket).
        await s3.send(new HeadBucketCommand({ Bucket: i.bucket ?? r.id }));
        return true;
    }
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** `aws:*` resources created, read and deleted in moto with its admin key. */
export function motoResourceHandler(moto: MotoServer): ResourceHandler {
  return {
    async create(req) {
      return createInMoto(moto, req.type, req.name, req.inputs);
    },
    delete: (old) => deleteInMoto(moto, old),
    async read(old) {
      return (await existsInMoto(moto, old)) ? { outputs: old.outputs } : undefined;
    },
  };
}

/** The AWS data sources the program invokes, answered for moto's account. */
export function motoInvokes(moto: MotoServer): Record<string, InvokeHandler> {
  return {
    "aws:index/getPartition:getPartition": () => ({
      partition: "aws",
      dnsSuffix: "amazonaws.com",
      reverseDnsPrefix: "com.amazonaws",
      id: "aws",
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
      accountId: moto.admin.accountId,
      arn: moto.admin.arn,
      userId: "admin",
      id: moto.admin.accountId,
    }),
  };
}
