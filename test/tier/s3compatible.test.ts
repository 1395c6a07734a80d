/**
 * Acceptance test of the s3-compatible backend against real software started
 * by the test run: moto's server as the S3-compatible server (S3 + IAM, with
 * IAM enforcement on) and a real ZenML 0.98 server with authentication on.
 *
 * What is real: the buckets and the key on moto; the key's permissions, which
 * are exactly the policy document MinioArtifactStore sends to MinIO (captured
 * from the component under Pulumi's mock runtime, then attached to a moto IAM
 * user as a managed policy, like a MinIO policy + attachment); the ZenML
 * server, its REST API and this project's client and request bodies; two-step
 * ZenML pipelines; S3 refusing the key on another bucket.
 * What is not real: no MinIO server, Pulumi engine or MinIO provider runs here
 * (none can be reached); the components run under the mock runtime.
 *
 * ZenML processes get no AWS endpoint from their environment (it points at a
 * closed port): moto is reached only through the endpoint in the artifact
 * store's client_kwargs, and AWS STS is unreachable, as it is for a MinIO key.
 * That is why S3-compatible stores register the key as a ZenML secret named by
 * the artifact store's `authentication_secret` rather than as an AWS connector:
 * ZenML 0.98 re-verifies an AWS connector through STS whenever a pipeline asks
 * it for a client (zenml-io/zenml#4152), which no S3-compatible server answers.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZenmlClient } from "../../src/zenml/client";
import { registrationDocuments, usesSecret } from "../../src/zenml/documents";
import type { StoreRegistration } from "../../src/zenml/model";
import { applyStoreRegistration, type RegisteredIds } from "../../src/zenml/apply";
import {
  motoAdmin,
  parseLastJsonLine,
  runPipeline,
  runProcess,
  startMoto,
  startZenmlServer,
  venvBin,
  type AwsKey,
  type MotoServer,
  type PipelineResult,
  type ZenmlServer,
} from "../support/services";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { installMocks, only, settle, unwrap, type Registered } from "../unit/support/mocks";

const BUCKET = "zenml-s3c-artifacts";
const OTHER_BUCKET = "someone-elses-bucket";
const STORE = "s3c-store";
const STACK = "s3c-stack";
const SECRET_NAME = "s3c-store-s3-key";

/**
 * Creates a moto IAM user with managed policies attached (like a MinIO policy +
 * attachment) and an access key; prints the key and the documents attached.
 */
const CREATE_USER = `
import json, sys, boto3
endpoint, region, name = sys.argv[1:4]
iam = boto3.client("iam", endpoint_url=endpoint, region_name=region)
iam.create_user(UserName=name)
for i, policy in enumerate(sys.argv[4:]):
    arn = iam.create_policy(PolicyName=f"{name}-{i}", PolicyDocument=policy)["Policy"]["Arn"]
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
attached = []
for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
    version = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]
    attached.append(json.loads(doc) if isinstance(doc, str) else doc)
key = iam.create_access_key(UserName=name)["AccessKey"]
print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"],
                  "attached": attached}))
`;

/** Tries put, get and list on one bucket with a key; prints what S3 answered to each. */
const TRY_BUCKET = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint, region, bucket = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region,
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
out = {}
for op, call in [
    ("put", lambda: s3.put_object(Bucket=bucket, Key="probe.txt", Body=b"probe")),
    ("get", lambda: s3.get_object(Bucket=bucket, Key="probe.txt")["Body"].read()),
    ("list", lambda: s3.list_objects_v2(Bucket=bucket)),
]:
    try:
        call()
        out[op] = "allowed"
    except ClientError as e:
        out[op] = e.response["Error"]["Code"]
print(json.dumps(out))
`;

async function python(script: string, args: string[], env: Record<string, string>) {
  const r = await runProcess(venvBin("python"), ["-c", script, ...args], {
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    ...env,
  });
  if (r.code !== 0) throw new Error(`python exited ${r.code}: ${r.stderr.slice(-1500)}`);
  return parseLastJsonLine(r.stdout) as Record<string, unknown>;
}

let moto: MotoServer;
let zenml: ZenmlServer;
let registered: Registered[];
let policyDocument: string;
let zenmlKey: AwsKey;
let attachedPolicies: unknown[];
let registration: StoreRegistration;
let ids: RegisteredIds;
let client: ZenmlClient;
let run: PipelineResult;
const leaks = new LeakCheck();

beforeAll(async () => {
  leaks.captureOutput();
  // The components, under the mock runtime: no engine, no provider plugin.
  registered = await installMocks();
  const { MinioArtifactStore } = await import("../../src/stores/s3compatible/minioArtifactStore");
  const { ExistingS3CompatibleArtifactStore } =
    await import("../../src/stores/s3compatible/existingArtifactStore");

  [moto, zenml] = await Promise.all([startMoto(), startZenmlServer({ auth: true })]);
  await motoAdmin(moto, ["create-bucket", BUCKET]);
  await motoAdmin(moto, ["create-bucket", OTHER_BUCKET]);

  // 1. The policy MinioArtifactStore would send to MinIO for this bucket.
  const minioStore = new MinioArtifactStore("policy-probe", {
    endpoint: moto.endpoint,
    allowHttp: true,
    region: moto.region,
    adminCredentials: pulumi.secret({ accessKeyId: "unused", secretAccessKey: "unused" }),
    bucketName: BUCKET,
    adoptExistingBucket: true,
  });
  await unwrap(minioStore.credentials);
  await settle();
  policyDocument = only(registered, "minio:index/iamPolicy:IamPolicy", "policy-probe-policy").inputs
    .policy as string;

  // 2. A key on the S3-compatible server holding exactly that policy.
  const minted = await python(
    CREATE_USER,
    [moto.endpoint, moto.region, "zenml-s3c-user", policyDocument],
    {
      AWS_ACCESS_KEY_ID: moto.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey,
    },
  );
  zenmlKey = {
    accessKeyId: String(minted.accessKeyId),
    secretAccessKey: String(minted.secretAccessKey),
  };
  attachedPolicies = minted.attached as unknown[];

  // 3. The existing-credentials store with that key, and ZenML's documents from its outputs.
  const store = new ExistingS3CompatibleArtifactStore(STORE, {
    endpoint: moto.endpoint,
    allowHttp: true,
    region: moto.region,
    pathStyle: true,
    bucketName: BUCKET,
    keyPair: zenmlKey,
  });
  registration = {
    storeName: STORE,
    stackName: STACK,
    backend: store.backend,
    flavor: store.flavor,
    path: (await unwrap(store.path))!,
    artifactStoreConfiguration: (await unwrap(store.artifactStoreConfiguration))!,
    auth: store.auth,
    credentials: (await unwrap(store.credentials))!,
  };

  // 4. Registered in the real ZenML server by this project's client from its documents.
  client = new ZenmlClient({ url: zenml.url, auth: { apiKey: zenml.apiKey! } });
  ids = await applyStoreRegistration(client, registrationDocuments(registration));

  // 5. A real pipeline on that stack.
  run = await runPipeline(zenml.env, { stack: STACK });
  leaks
    .secret("ZenML's S3 secret key", zenmlKey.secretAccessKey)
    .credentials(STORE, registration.credentials)
    .secret("ZenML API key", zenml.apiKey)
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .text("pipeline run", JSON.stringify(run))
    .log(zenml.logFile)
    .log(moto.logFile);
});

afterAll(async () => {
  await Promise.all([zenml?.stop(), moto?.stop()]);
});

describe("s3-compatible acceptance on moto (S3 + IAM enforcement) and a real ZenML server", () => {
  it("gives the key exactly ZenML's S3 actions on this one bucket", () => {
    expect(attachedPolicies).toEqual([JSON.parse(policyDocument)]);
    expect(JSON.parse(policyDocument)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ZenmlBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
          Resource: `arn:aws:s3:::${BUCKET}`,
        },
        {
          Sid: "ZenmlObjects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    });
  });

  it("registers the key as a ZenML secret and an s3 store with client_kwargs that names it", async () => {
    expect(usesSecret(registrationDocuments(registration))).toBe(true);
    const secret = await client.get("secret", ids.credentialsId);
    expect(secret.name).toBe(SECRET_NAME);
    const store = await client.get("component", ids.artifactStoreId);
    expect(store.metadata?.configuration).toEqual({
      path: `s3://${BUCKET}`,
      client_kwargs: { endpoint_url: moto.endpoint, region_name: moto.region },
      config_kwargs: { s3: { addressing_style: "path" } },
      authentication_secret: SECRET_NAME,
    });
    expect(JSON.stringify(store)).not.toContain(zenmlKey.secretAccessKey);
  });

  it("runs a real pipeline whose artifacts land in the bucket", async () => {
    expect(run.status).toBe("completed");
    expect(run.stack).toBe(STACK);
    expect(run.artifact_store_path).toBe(`s3://${BUCKET}`);
    expect(run.loaded).toBe("hello from step 1 -> sum=6");
    expect(run.artifact_uris.length).toBeGreaterThanOrEqual(2);
    const { keys } = (await motoAdmin(moto, ["list-objects", BUCKET])) as { keys: string[] };
    for (const uri of run.artifact_uris) {
      expect(uri.startsWith(`s3://${BUCKET}/`)).toBe(true);
      const prefix = uri.slice(`s3://${BUCKET}/`.length);
      expect(keys.some((k) => k.startsWith(`${prefix}/`) || k === prefix)).toBe(true);
    }
    const { keys: others } = (await motoAdmin(moto, ["list-objects", OTHER_BUCKET])) as {
      keys: string[];
    };
    expect(others).toEqual([]);
  });

  it("lets the key read and write its bucket, and S3 refuses it on another bucket", async () => {
    const asZenml = {
      AWS_ACCESS_KEY_ID: zenmlKey.accessKeyId,
      AWS_SECRET_ACCESS_KEY: zenmlKey.secretAccessKey,
    };
    expect(await python(TRY_BUCKET, [moto.endpoint, moto.region, BUCKET], asZenml)).toEqual({
      put: "allowed",
      get: "allowed",
      list: "allowed",
    });
    expect(await python(TRY_BUCKET, [moto.endpoint, moto.region, OTHER_BUCKET], asZenml)).toEqual({
      put: "AccessDenied",
      get: "AccessDenied",
      list: "AccessDenied",
    });
  });

  it("leak check: no key in output, service logs or files written", () => {
    expectNoLeaks(leaks, { texts: 2, logs: 2 });
  });
});
