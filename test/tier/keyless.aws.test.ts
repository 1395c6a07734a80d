/**
 * AWS keyless (`implicit`) acceptance. Real: moto's server (S3 + IAM + STS, IAM
 * enforcement on), a ZenML 0.98 server and client, a ZenML pipeline, this
 * project's program and documents. Emulated: AWS itself (moto) and the Pulumi
 * engine/provider (test/support/awsEmulator.ts maps each resource to its AWS call).
 * The ZenML server runs with the ambient credentials of a "server" principal (a
 * moto IAM user whose only permission is sts:AssumeRole, standing in for an IRSA /
 * Pod Identity role) and ZENML_ENABLE_IMPLICIT_AUTH_METHODS=true; the store's role
 * trusts exactly that principal. The pipeline client holds no AWS credential at all.
 * moto 5.2.5 with IAM enforcement on evaluates role trust policies on AssumeRole
 * (moto/iam/access_control.py `_check_role_trust_relationship`): a second user with
 * exactly the server principal's permissions (sts:AssumeRole on *) is refused the
 * role because the trust does not name it. Real AWS evaluates more (conditions,
 * IRSA's web-identity federation, ZenML Pro's cross-account role); that part is only
 * asserted as data, exactly, in test/unit/stores/keyless/aws.test.ts.
 */
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyStoreRegistration } from "../../src/zenml/apply";
import { ZenmlClient } from "../../src/zenml/client";
import { storeDocuments } from "../../src/zenml/documents";
import { storeRegistration, type StoreFacts } from "../../src/zenml/model";
import { expectArtifactsInBucket, expectRoleConfinedToBucket, refused } from "../support/awsAccess";
import { iamClient, provisionOnMoto, s3Client, type Created } from "../support/awsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { connectorAuth, connectorRegistration } from "../support/registrations";
import {
  motoAdmin,
  runPipeline,
  startMoto,
  startZenmlServer,
  type AwsKey,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";

let moto: MotoServer;
let zenml: ZenmlServer;
let client: ZenmlClient;
let created: Created[];
let store: StoreFacts;
let credentials: Record<string, string>;
let server: AwsKey & { arn: string };
let bystander: AwsKey & { arn: string };
let otherBucket: string;
const transcript: string[] = [];
const leaks = new LeakCheck();
const NAME = "keyless-s3";

function keyOf(r: Record<string, unknown>): AwsKey & { arn: string } {
  return {
    accessKeyId: String(r.accessKeyId),
    secretAccessKey: String(r.secretAccessKey),
    arn: String(r.arn),
  };
}

beforeAll(async () => {
  leaks.captureOutput().text("transcript", transcript);
  moto = await startMoto();
  server = keyOf(await motoAdmin(moto, ["create-assumer", "zenml-server"]));
  bystander = keyOf(await motoAdmin(moto, ["create-assumer", "bystander"]));
  otherBucket = String((await motoAdmin(moto, ["create-bucket", "keyless-other"])).bucket);
  const provisioned = await provisionOnMoto(moto, {
    "zenml-remote-storage:stores": [
      {
        name: NAME,
        backend: "aws",
        region: moto.region,
        credentials: "implicit",
        trustedPrincipals: [server.arn],
      },
    ],
  });
  created = provisioned.created;
  store = (provisioned.outputs.stores as Record<string, StoreFacts>)[NAME];
  credentials = (provisioned.outputs.credentials as Record<string, Record<string, string>>)[NAME];
  zenml = await startZenmlServer({
    auth: true,
    awsEndpointUrl: moto.endpoint,
    serverEnv: {
      ZENML_ENABLE_IMPLICIT_AUTH_METHODS: "true",
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    },
  });
  client = new ZenmlClient({
    url: zenml.url,
    auth: { apiKey: zenml.apiKey! },
    log: (l) => transcript.push(l),
  });
  leaks
    .secret("server principal's secret key", server.secretAccessKey)
    .secret("bystander's secret key", bystander.secretAccessKey)
    .secret("ZenML API key", zenml.apiKey)
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .log(zenml.logFile)
    .log(moto.logFile);
}, 900_000);

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
});

describe("AWS implicit mode on moto and a real ZenML server", () => {
  it("provisioned a bucket, a role and its policy in moto, and no IAM user or access key", () => {
    const types = created.filter((c) => c.type.startsWith("aws:iam/")).map((c) => c.type);
    expect(types.sort()).toEqual(["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
    expect(created.filter((c) => c.type === "aws:s3/bucket:Bucket")).toHaveLength(1);
  });

  it("exports no credential: the store's credentials output is an empty map", () => {
    expect(credentials).toEqual({});
    expect(store.auth).toMatchObject({ kind: "connector", type: "aws", method: "implicit" });
    expect(Object.keys(connectorAuth(store).configuration).sort()).toEqual(["region", "role_arn"]);
  });

  it("the role stored in moto trusts exactly the server principal", async () => {
    const roleName = connectorAuth(store).configuration.role_arn.split("/").pop()!;
    const role = await iamClient(moto, moto.admin).send(new GetRoleCommand({ RoleName: roleName }));
    const doc = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
    expect(doc.Statement).toEqual([
      {
        Sid: "AssumeByZenmlServerOnly",
        Effect: "Allow",
        Principal: { AWS: server.arn },
        Action: "sts:AssumeRole",
      },
    ]);
  });

  it("registers with no secret, and ZenML verifies the connector by assuming the role with the server's own identity (STS on moto)", async () => {
    const docs = storeDocuments(connectorRegistration(storeRegistration(NAME, store, credentials)));
    const ids = await applyStoreRegistration(client, docs);
    const error = await client.verifyConnector(ids.credentialsId, `${NAME}-connector`, {
      type: "s3-bucket",
      id: store.path,
    });
    expect(error).toBeUndefined();
  });

  it("runs a real pipeline whose artifacts land in the store's bucket; the client holds no AWS key", async () => {
    expect(zenml.env.AWS_ACCESS_KEY_ID).toBeUndefined();
    const run = await runPipeline(zenml.env, { stack: NAME });
    transcript.push(JSON.stringify(run));
    expect(run.status).toBe("completed");
    expect(run.loaded).toBe("hello from step 1 -> sum=6");
    await expectArtifactsInBucket(moto, run, store.path.replace("s3://", ""));
  });

  it("the server principal itself cannot touch the bucket; the role's session reaches only its bucket", async () => {
    await expectRoleConfinedToBucket(
      moto,
      server,
      connectorAuth(store).configuration.role_arn,
      store.path.replace("s3://", ""),
      otherBucket,
    );
  });

  it("moto refuses AssumeRole to a principal without sts:AssumeRole of its own", async () => {
    const noSts = await motoAdmin(moto, [
      "create-bucket-user",
      "--bucket",
      otherBucket,
      "no-sts-user",
    ]);
    leaks.secret("no-sts user's secret key", String(noSts.secretAccessKey));
    const sts = new STSClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: keyOf(noSts),
    });
    expect(
      await refused(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: connectorAuth(store).configuration.role_arn,
            RoleSessionName: "intruder",
          }),
        ),
      ),
    ).toMatch(/AccessDenied/);
  });

  it("moto refuses the role to a principal the trust does not name, though its own policy allows sts:AssumeRole on *", async () => {
    const sts = new STSClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: bystander,
    });
    expect(
      await refused(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: connectorAuth(store).configuration.role_arn,
            RoleSessionName: "bystander",
          }),
        ),
      ),
    ).toMatch(/AccessDenied/);
  });

  it("the named server principal, with the same permissions, is given the role (positive control)", async () => {
    const sts = new STSClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: server,
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: connectorAuth(store).configuration.role_arn,
        RoleSessionName: "server",
      }),
    );
    const c = assumed.Credentials!;
    const s3 = s3Client(
      moto,
      { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey! },
      c.SessionToken,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: store.path.slice(5) }));
    expect(listed.KeyCount).toBeGreaterThan(0);
  });

  it("leak check: no server, bystander, admin or ZenML secret in output, service logs or files", () => {
    expectNoLeaks(leaks, { texts: 1, logs: 2 });
  });
});
