import { describe, expect, it } from "vitest";
import {
  isPlainHttp,
  minioServerSettings,
  s3BucketArns,
  s3CompatibleArtifactStoreConfiguration,
  s3CompatibleConnectorSecrets,
} from "../../../../src/stores/s3compatible/facts";

describe("minioServerSettings", () => {
  it.each([
    ["https://minio.example.com:9000", { server: "minio.example.com:9000", ssl: true }],
    ["https://minio.example.com", { server: "minio.example.com", ssl: true }],
    ["http://127.0.0.1:9000", { server: "127.0.0.1:9000", ssl: false }],
    ["http://[::1]:9000", { server: "[::1]:9000", ssl: false }],
  ])("%s", (endpoint, expected) => {
    expect(minioServerSettings(endpoint)).toEqual(expected);
    expect(isPlainHttp(endpoint)).toBe(!expected.ssl);
  });
});

describe("s3BucketArns", () => {
  it("names the bucket and its objects, never every bucket", () => {
    expect(s3BucketArns("zenml")).toEqual({
      bucketArn: "arn:aws:s3:::zenml",
      objectsArn: "arn:aws:s3:::zenml/*",
    });
  });
});

describe("ZenML settings for an S3-compatible server", () => {
  it.each<[boolean, Record<string, unknown>]>([
    [
      false,
      {
        path: "s3://b12",
        client_kwargs: { endpoint_url: "https://s3.example.com", region_name: "auto" },
      },
    ],
    [
      true,
      {
        path: "s3://b12",
        client_kwargs: { endpoint_url: "https://s3.example.com", region_name: "auto" },
        config_kwargs: { s3: { addressing_style: "path" } },
      },
    ],
  ])("artifact store with pathStyle %s", (pathStyle, expected) => {
    expect(
      s3CompatibleArtifactStoreConfiguration({
        path: "s3://b12",
        endpoint: "https://s3.example.com",
        region: "auto",
        pathStyle,
      }),
    ).toEqual(expected);
  });

  it("the ZenML secret's values: the key pair in ZenML's AWS secret fields", () => {
    expect(s3CompatibleConnectorSecrets({ accessKeyId: "id", secretAccessKey: "sk" })).toEqual({
      aws_access_key_id: "id",
      aws_secret_access_key: "sk",
    });
  });
});
