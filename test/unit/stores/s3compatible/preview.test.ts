/**
 * The program with a generated MinIO bucket in preview (mock runtime, provider
 * outputs unknown): every resource is still registered, nothing crashes on an
 * unknown bucket name, and credentials stay secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, isKnown, ofType, settle, type Registered } from "../../support/mocks";

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    preview: true,
    config: {
      "zenml-remote-storage:stores": [
        {
          name: "minio-preview",
          backend: "s3-compatible",
          endpoint: "https://minio.example.com",
          bucket: { versioning: true },
        },
      ],
      "zenml-remote-storage:storeSecrets": {
        "minio-preview": { accessKeyId: "admin", secretAccessKey: "preview-admin-secret" },
      },
    },
  });
  program = await (await import("../../../../src/index")).default();
  await settle();
});

describe("the program with a minio store in preview", () => {
  it("registers every MinIO resource although the bucket name is unknown", () => {
    for (const type of [
      "pulumi:providers:minio",
      "minio:index/s3Bucket:S3Bucket",
      "minio:index/s3BucketVersioning:S3BucketVersioning",
      "minio:index/ilmPolicy:IlmPolicy",
      "minio:index/iamPolicy:IamPolicy",
      "minio:index/iamUser:IamUser",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
      "minio:index/iamServiceAccount:IamServiceAccount",
    ]) {
      expect(ofType(registered, type)).toHaveLength(1);
    }
  });

  it("leaves bucket-derived outputs unknown and credentials secret", async () => {
    const store = pulumi.output(program.stores)["minio-preview"];
    expect(await isKnown(store.path)).toBe(false);
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
  });
});
