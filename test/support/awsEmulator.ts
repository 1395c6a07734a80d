/**
 * Emulator-backed provisioning: Pulumi's mock runtime with a `newResource`
 * that really creates in moto what each AWS resource of the program asks for,
 * with moto's admin key. The ids, ARNs and secrets it returns are moto's own,
 * so the credentials and policies under test are exactly the ones the program
 * produces. (No Pulumi engine or AWS provider is involved: this code stands in
 * for the provider, mapping each resource's inputs to the matching AWS call.)
 */
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type ServerSideEncryptionRule,
} from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "node:crypto";
import type { AwsKey, MotoServer } from "./services";
import { setProgramConfig } from "./programConfig";

/** What the emulator-backed mocks created, for assertions and leak checks. */
export interface Created {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

export function s3Client(moto: MotoServer, key: AwsKey, sessionToken?: string): S3Client {
  return new S3Client({
    endpoint: moto.endpoint,
    region: moto.region,
    forcePathStyle: true,
    credentials: { ...key, sessionToken },
  });
}

export function iamClient(moto: MotoServer, key: AwsKey): IAMClient {
  return new IAMClient({ endpoint: moto.endpoint, region: moto.region, credentials: key });
}

type Inputs = Record<string, unknown>;
const tagList = (tags: unknown) =>
  Object.entries((tags ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));

/** Performs one resource's creation in moto; returns the provider-computed outputs. */
export async function createInMoto(
  moto: MotoServer,
  type: string,
  name: string,
  inputs: Inputs,
): Promise<{ id: string; outputs: Inputs }> {
  const s3 = s3Client(moto, moto.admin);
  const iam = iamClient(moto, moto.admin);
  const Bucket = inputs.bucket as string;
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      // AWS turns a bucketPrefix into a unique name; do the same.
      const bucket =
        (inputs.bucket as string | undefined) ??
        `${inputs.bucketPrefix}${randomBytes(13).toString("hex")}`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(
        new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tagList(inputs.tags) } }),
      );
      return { id: bucket, outputs: { bucket, arn: `arn:aws:s3:::${bucket}` } };
    }
    case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: inputs.blockPublicAcls as boolean,
            BlockPublicPolicy: inputs.blockPublicPolicy as boolean,
            IgnorePublicAcls: inputs.ignorePublicAcls as boolean,
            RestrictPublicBuckets: inputs.restrictPublicBuckets as boolean,
          },
        }),
      );
      return { id: Bucket, outputs: {} };
    case "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
      const rule = inputs.rule as { objectOwnership: "BucketOwnerEnforced" };
      await s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket,
          OwnershipControls: { Rules: [{ ObjectOwnership: rule.objectOwnership }] },
        }),
      );
      return { id: Bucket, outputs: {} };
    }
    case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
      const rules = inputs.rules as {
        applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId?: string };
        bucketKeyEnabled: boolean;
      }[];
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: rules.map((r): ServerSideEncryptionRule => ({
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: r.applyServerSideEncryptionByDefault.sseAlgorithm as "AES256",
                KMSMasterKeyID: r.applyServerSideEncryptionByDefault.kmsMasterKeyId,
              },
              BucketKeyEnabled: r.bucketKeyEnabled,
            })),
          },
        }),
      );
      return { id: Bucket, outputs: {} };
    }
    case "aws:s3/bucketPolicy:BucketPolicy":
      // Not applied: moto treats a condition it cannot evaluate (aws:SecureTransport)
      // as matched, so the TLS-only Deny would refuse every request, TLS or not. The
      // policy's exact content is asserted by the mocks tests instead.
      return { id: Bucket, outputs: {} };
    case "aws:s3/bucketVersioning:BucketVersioning":
      await s3.send(
        new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }),
      );
      return { id: Bucket, outputs: {} };
    case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
      const rules = inputs.rules as {
        id: string;
        status: "Enabled";
        abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
        noncurrentVersionExpiration?: { noncurrentDays: number };
      }[];
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: {
            Rules: rules.map((r) => ({
              ID: r.id,
              Status: r.status,
              Filter: { Prefix: "" },
              AbortIncompleteMultipartUpload: r.abortIncompleteMultipartUpload && {
                DaysAfterInitiation: r.abortIncompleteMultipartUpload.daysAfterInitiation,
              },
              NoncurrentVersionExpiration: r.noncurrentVersionExpiration && {
                NoncurrentDays: r.noncurrentVersionExpiration.noncurrentDays,
              },
            })),
          },
        }),
      );
      return { id: Bucket, outputs: {} };
    }
    case "aws:iam/user:User": {
      const out = await iam.send(
        new CreateUserCommand({ UserName: inputs.name as string, Tags: tagList(inputs.tags) }),
      );
      return { id: out.User!.UserName!, outputs: { arn: out.User!.Arn, name: out.User!.UserName } };
    }
    case "aws:iam/accessKey:AccessKey": {
      const out = await iam.send(new CreateAccessKeyCommand({ UserName: inputs.user as string }));
      return {
        id: out.AccessKey!.AccessKeyId!,
        outputs: { secret: out.AccessKey!.SecretAccessKey },
      };
    }
    case "aws:iam/userPolicy:UserPolicy":
      await iam.send(
        new PutUserPolicyCommand({
          UserName: inputs.user as string,
          PolicyName: name,
          PolicyDocument: inputs.policy as string,
        }),
      );
      return { id: `${inputs.user}:${name}`, outputs: {} };
    case "aws:iam/role:Role": {
      const roleName = `${name}-${randomBytes(4).toString("hex")}`;
      const out = await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: inputs.assumeRolePolicy as string,
          Tags: tagList(inputs.tags),
        }),
      );
      return { id: roleName, outputs: { name: roleName, arn: out.Role!.Arn } };
    }
    case "aws:iam/rolePolicy:RolePolicy":
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: inputs.role as string,
          PolicyName: name,
          PolicyDocument: inputs.policy as string,
        }),
      );
      return { id: `${inputs.role}:${name}`, outputs: {} };
    default:
      if (type.startsWith("aws:")) throw new Error(`the moto-backed mocks cannot create ${type}`);
      return { id: `${name}-id`, outputs: {} };
  }
}

/**
 * Installs mocks backed by moto and runs the real program with `config`;
 * returns the program's outputs and what was created.
 */
export async function provisionOnMoto(
  moto: MotoServer,
  config: Record<string, unknown>,
): Promise<{ outputs: Record<string, unknown>; created: Created[] }> {
  const created: Created[] = [];
  setProgramConfig(config);
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const { id, outputs } = await createInMoto(moto, args.type, args.name, args.inputs);
        const state = { ...args.inputs, ...outputs };
        created.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id, state };
      },
      call(args) {
        if (args.token === "aws:index/getPartition:getPartition")
          return { partition: "aws", id: "aws" };
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return {
            accountId: moto.admin.accountId,
            arn: moto.admin.arn,
            userId: "admin",
            id: moto.admin.accountId,
          };
        }
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "zenml-remote-storage",
    "acceptance",
    false,
  );
  const program = (await import("../../src/index")).default;
  const result = await program();
  const outputs = await resolve(pulumi.output(result));
  return { outputs: outputs as Record<string, unknown>, created };
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((v) => done(v)));
}
