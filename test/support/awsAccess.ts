/**
 * The least-privilege proofs shared by the AWS acceptance tests (in-process
 * and through the language host): what a minted key or an assumed role may do
 * in moto, with IAM enforcement on, and what moto refuses it. Every call here
 * is a real signed request to moto.
 */
import { ListUsersCommand } from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { expect } from "vitest";
import { iamClient, s3Client } from "./awsEmulator";
import type { AwsKey, MotoServer, PipelineResult } from "./services";

/** The access key ZenML is given, from the store's `credentials` output. */
export function awsKeyOf(credentials: Readonly<Record<string, string>>): AwsKey {
  return {
    accessKeyId: credentials.aws_access_key_id,
    secretAccessKey: credentials.aws_secret_access_key,
  };
}

/** Every object key in `bucket`, listed with moto's admin key. */
export async function objectKeys(moto: MotoServer, bucket: string): Promise<string[]> {
  const listed = await s3Client(moto, moto.admin).send(
    new ListObjectsV2Command({ Bucket: bucket }),
  );
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/** The pipeline's artifacts are under `s3://bucket/` and really there. */
export async function expectArtifactsInBucket(
  moto: MotoServer,
  run: PipelineResult,
  bucket: string,
): Promise<void> {
  const keys = await objectKeys(moto, bucket);
  expect(run.artifact_uris.length).toBeGreaterThanOrEqual(2);
  for (const uri of run.artifact_uris) {
    expect(uri.startsWith(`s3://${bucket}/`)).toBe(true);
    const prefix = uri.slice(`s3://${bucket}/`.length);
    expect(keys.some((k) => k.startsWith(prefix))).toBe(true);
  }
}

/** The error name of a call that must be refused (fails the test if it succeeds). */
export async function refused(action: Promise<unknown>): Promise<string> {
  const error = (await action.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; Code?: string } | undefined;
  expect(error, "the call should have been refused").toBeDefined();
  return error!.name ?? error!.Code ?? "unknown";
}

/** Access-key mode: the key writes, reads and deletes in `own`; moto refuses it on `other`, on listing buckets and on IAM. */
export async function expectKeyConfinedToBucket(
  moto: MotoServer,
  key: AwsKey,
  own: string,
  other: string,
): Promise<void> {
  const s3 = s3Client(moto, key);
  await s3.send(new PutObjectCommand({ Bucket: own, Key: "probe.txt", Body: "probe" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: own, Key: "probe.txt" }));
  expect(await got.Body!.transformToString()).toBe("probe");
  await s3.send(new DeleteObjectCommand({ Bucket: own, Key: "probe.txt" }));
  expect(await refused(s3.send(new PutObjectCommand({ Bucket: other, Key: "x", Body: "x" })))).toBe(
    "AccessDenied",
  );
  expect(await refused(s3.send(new ListObjectsV2Command({ Bucket: other })))).toBe("AccessDenied");
  expect(await refused(s3.send(new ListBucketsCommand({})))).toBe("AccessDenied");
  expect(await refused(iamClient(moto, key).send(new ListUsersCommand({})))).toMatch(
    /AccessDenied/,
  );
}

/**
 * IAM-role mode: the user's own key cannot touch the bucket, only assume the
 * role; the role's session lists `own` (which holds objects by now) and is
 * refused on `other`, on listing buckets and on a bucket created afterwards.
 */
export async function expectRoleConfinedToBucket(
  moto: MotoServer,
  userKey: AwsKey,
  roleArn: string,
  own: string,
  other: string,
): Promise<void> {
  expect(
    await refused(s3Client(moto, userKey).send(new ListObjectsV2Command({ Bucket: own }))),
  ).toBe("AccessDenied");
  const sts = new STSClient({ endpoint: moto.endpoint, region: moto.region, credentials: userKey });
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "probe" }),
  );
  const c = assumed.Credentials!;
  const roleS3 = s3Client(
    moto,
    { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! },
    c.SessionToken,
  );
  const listed = await roleS3.send(new ListObjectsV2Command({ Bucket: own }));
  expect(listed.KeyCount).toBeGreaterThan(0);
  expect(await refused(roleS3.send(new ListObjectsV2Command({ Bucket: other })))).toBe(
    "AccessDenied",
  );
  expect(await refused(roleS3.send(new ListBucketsCommand({})))).toBe("AccessDenied");
  const unrelated = `unrelated-${own.slice(0, 40)}`.replace(/-+$/, "");
  await s3Client(moto, moto.admin).send(new CreateBucketCommand({ Bucket: unrelated }));
  expect(
    await refused(roleS3.send(new PutObjectCommand({ Bucket: unrelated, Key: "x", Body: "x" }))),
  ).toBe("AccessDenied");
}
