/**
 * The whole Pulumi program (src/index.ts) with two s3-compatible stores, under
 * Pulumi's mock runtime: config -> createStore -> components -> outputs. Checks
 * that the keys from the secret config key reach the MinIO provider and ZenML's
 * credentials as secrets only.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const ADMIN = { accessKeyId: "minioadmin", secretAccessKey: "minio-admin-pw-8e1d3c5a7b9f" };
const BROUGHT = {
  accessKeyId: "WASABIKEY00000000001",
  secretAccessKey: "wasabi-secret-2c4e6a8b0d1f",
};

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    config: {
      "zenml-remote-storage:stores": [
        {
          name: "minio-store",
          backend: "s3-compatible",
          credentials: "minio",
          endpoint: "https://minio.example.com:9000",
          pathStyle: true,
          bucket: { name: "zenml-artifacts" },
        },
        {
          name: "wasabi-store",
          backend: "s3-compatible",
          credentials: "existing-credentials",
          endpoint: "https://s3.eu-central-2.wasabisys.com",
          region: "eu-central-2",
          bucket: { name: "team-zenml" },
        },
      ],
      "zenml-remote-storage:storeSecrets": {
        "minio-store": ADMIN,
        "wasabi-store": BROUGHT,
      },
    },
  });
  program = await (await import("../../../../src/index")).default();
  await unwrap(program.credentials);
  await settle();
});

describe("the program with s3-compatible stores", () => {
  it("creates one component per mode, and MinIO resources only for the minio store", () => {
    expect(
      ofType(registered, "zenml-remote-storage:s3-compatible:MinioArtifactStore").map(
        (r) => r.name,
      ),
    ).toEqual(["minio-store"]);
    expect(
      ofType(
        registered,
        "zenml-remote-storage:s3-compatible:ExistingS3CompatibleArtifactStore",
      ).map((r) => r.name),
    ).toEqual(["wasabi-store"]);
    expect(registered.filter((r) => r.name.startsWith("wasabi-store-"))).toEqual([]);
    expect(ofType(registered, "minio:index/s3Bucket:S3Bucket")).toHaveLength(1);
  });

  it("builds the MinIO provider from the secret config key, keeping it secret", () => {
    const provider = only(registered, "pulumi:providers:minio", "minio-store-minio");
    expect(provider.inputs.minioUser).toEqual({ [SIG_KEY]: SECRET_SIG, value: ADMIN.accessKeyId });
    expect(provider.inputs.minioPassword).toEqual({
      [SIG_KEY]: SECRET_SIG,
      value: ADMIN.secretAccessKey,
    });
    expect(provider.inputs.minioRegion).toBe("us-east-1");
  });

  it("exports plain facts with the endpoint, and no key in them", async () => {
    const stores = await unwrap(pulumi.output(program.stores));
    expect(stores!["wasabi-store"]).toEqual({
      backend: "s3-compatible",
      stackName: "wasabi-store",
      flavor: "s3",
      path: "s3://team-zenml",
      artifactStoreConfiguration: {
        path: "s3://team-zenml",
        client_kwargs: {
          endpoint_url: "https://s3.eu-central-2.wasabisys.com",
          region_name: "eu-central-2",
        },
      },
      auth: { kind: "secret", name: "wasabi-store-s3-key" },
    });
    expect(await pulumi.isSecret(pulumi.output(program.stores))).toBe(false);
    const plain = JSON.stringify(stores);
    for (const secret of [
      ADMIN.secretAccessKey,
      BROUGHT.secretAccessKey,
      FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
    ]) {
      expect(plain).not.toContain(secret);
    }
  });

  it("exports ZenML's keys only as a secret: the service account's and the brought ones", async () => {
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    expect(await unwrap(program.credentials)).toEqual({
      "minio-store": {
        aws_access_key_id: "MINIOMOCKSVCACCT0001",
        aws_secret_access_key: FAKE_MINIO_SERVICE_ACCOUNT_SECRET,
      },
      "wasabi-store": {
        aws_access_key_id: BROUGHT.accessKeyId,
        aws_secret_access_key: BROUGHT.secretAccessKey,
      },
    });
  });
});
