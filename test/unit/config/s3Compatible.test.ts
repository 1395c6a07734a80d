import { describe, expect, it } from "vitest";
import { normaliseEndpoint } from "../../../src/config/backends/s3Compatible";
import { ConfigError } from "../../../src/config/errors";
import { parseDeployment, type RawDeployment } from "../../../src/config/parse";

const minio = (over: Record<string, unknown> = {}) => ({
  name: "minio-store",
  backend: "s3-compatible",
  endpoint: "https://minio.example.com:9000",
  ...over,
});
const existing = (over: Record<string, unknown> = {}) => ({
  name: "r2-store",
  backend: "s3-compatible",
  credentials: "existing-credentials",
  endpoint: "https://acct.r2.cloudflarestorage.com",
  region: "auto",
  bucket: { name: "zenml-artifacts" },
  ...over,
});

describe("s3-compatible stores: valid input", () => {
  it("fills every default for a minio store", () => {
    expect(parseDeployment({ stores: [minio()] }).stores[0]).toEqual({
      name: "minio-store",
      stackName: "minio-store",
      backend: "s3-compatible",
      credentials: "minio",
      endpoint: "https://minio.example.com:9000",
      region: "us-east-1",
      pathStyle: false,
      allowHttp: false,
      kmsKeyId: undefined,
      tags: {},
      bucket: {
        name: undefined,
        adopt: false,
        forceDestroy: false,
        versioning: false,
        noncurrentVersionExpirationDays: 30,
        abortIncompleteUploadDays: 7,
        encryptionKey: undefined,
      },
    });
  });

  it.each<[string, RawDeployment, Record<string, unknown>]>([
    [
      "a trailing slash and the default port dropped from the endpoint",
      { stores: [minio({ endpoint: "https://minio.example.com:443/" })] },
      { endpoint: "https://minio.example.com" },
    ],
    [
      "plain http when allowed",
      { stores: [minio({ endpoint: "http://127.0.0.1:9000", allowHttp: true })] },
      { endpoint: "http://127.0.0.1:9000", allowHttp: true },
    ],
    [
      "path style, a region and a KMS key",
      { stores: [minio({ pathStyle: true, region: "eu-west-1", kmsKeyId: "zenml-key_1.a" })] },
      { pathStyle: true, region: "eu-west-1", kmsKeyId: "zenml-key_1.a" },
    ],
    [
      "an adopted bucket",
      { stores: [minio({ bucket: { name: "existing", adopt: true } })] },
      { bucket: expect.objectContaining({ name: "existing", adopt: true }) },
    ],
    [
      "versioning with expiry",
      { stores: [minio({ bucket: { versioning: true, noncurrentVersionExpirationDays: 3 } })] },
      {
        bucket: expect.objectContaining({ versioning: true, noncurrentVersionExpirationDays: 3 }),
      },
    ],
    [
      "existing credentials (always an existing bucket)",
      { stores: [existing()] },
      {
        credentials: "existing-credentials",
        region: "auto",
        bucket: expect.objectContaining({ name: "zenml-artifacts", adopt: true }),
      },
    ],
    [
      "existing credentials with an explicit adopt",
      { stores: [existing({ bucket: { name: "b12", adopt: true } })] },
      { bucket: expect.objectContaining({ name: "b12", adopt: true }) },
    ],
    [
      "an IPv6 endpoint",
      { stores: [existing({ endpoint: "https://[2001:db8::1]:9000" })] },
      { endpoint: "https://[2001:db8::1]:9000" },
    ],
  ])("accepts %s", (_, raw, expected) => {
    expect(parseDeployment(raw).stores[0]).toMatchObject(expected);
  });
});

describe("s3-compatible stores: invalid input names the key and the rule", () => {
  it.each<[string, RawDeployment, string]>([
    [
      "no endpoint",
      { stores: [minio({ endpoint: undefined })] },
      "stores[0].endpoint: is required: the S3 API URL of the server",
    ],
    [
      "endpoint not a URL",
      { stores: [minio({ endpoint: "minio.example.com:9000" })] },
      "stores[0].endpoint: must be an https:// (or, with allowHttp, http://) URL",
    ],
    [
      "endpoint not a URL at all",
      { stores: [minio({ endpoint: "not a url" })] },
      'stores[0].endpoint: "not a url" is not a URL',
    ],
    [
      "endpoint of another scheme",
      { stores: [minio({ endpoint: "ftp://minio.example.com" })] },
      "stores[0].endpoint: must be an https:// (or, with allowHttp, http://) URL",
    ],
    [
      "plain http without allowHttp",
      { stores: [minio({ endpoint: "http://minio.example.com:9000" })] },
      "stores[0].endpoint: is plain http; use https, or set allowHttp: true",
    ],
    [
      "plain http with allowHttp false",
      { stores: [minio({ endpoint: "http://minio:9000", allowHttp: false })] },
      "stores[0].endpoint: is plain http",
    ],
    [
      "credentials in the endpoint",
      { stores: [minio({ endpoint: "https://admin:secret@minio.example.com" })] },
      "stores[0].endpoint: must not hold credentials; put the keys in the secret config key storeSecrets.<store>",
    ],
    [
      "a path in the endpoint",
      { stores: [minio({ endpoint: "https://minio.example.com/zenml-bucket" })] },
      "stores[0].endpoint: must be the server's root URL, without a path, query or fragment",
    ],
    [
      "a query in the endpoint",
      { stores: [minio({ endpoint: "https://minio.example.com/?x=1" })] },
      "stores[0].endpoint: must be the server's root URL",
    ],
    [
      "an empty fragment in the endpoint",
      { stores: [minio({ endpoint: "https://minio.example.com/#" })] },
      "stores[0].endpoint: must be the server's root URL",
    ],
    [
      "allowHttp not a boolean",
      { stores: [minio({ allowHttp: "yes" })] },
      "stores[0].allowHttp: must be true or false",
    ],
    [
      "region with spaces",
      { stores: [minio({ region: "US East" })] },
      'stores[0].region: "US East" must be 1-63 lower-case letters, digits, hyphens or underscores',
    ],
    [
      "pathStyle not a boolean",
      { stores: [minio({ pathStyle: "path" })] },
      "stores[0].pathStyle: must be true or false",
    ],
    [
      "KMS key id with a slash",
      { stores: [minio({ kmsKeyId: "keys/zenml" })] },
      "stores[0].kmsKeyId: must be a MinIO KMS key name",
    ],
    [
      "KMS key id on an adopted bucket",
      { stores: [minio({ kmsKeyId: "k1", bucket: { name: "b12", adopt: true } })] },
      "stores[0].kmsKeyId: only applies to a bucket this project creates",
    ],
    [
      "KMS key id with existing credentials",
      { stores: [existing({ kmsKeyId: "k1" })] },
      "stores[0].kmsKeyId: only applies in minio mode",
    ],
    [
      "abortIncompleteUploadDays on MinIO",
      { stores: [minio({ bucket: { abortIncompleteUploadDays: 3 } })] },
      "stores[0].bucket.abortIncompleteUploadDays: is not configurable on MinIO",
    ],
    [
      "existing credentials without a bucket",
      { stores: [existing({ bucket: undefined })] },
      "stores[0].bucket.name: is required with existing-credentials",
    ],
    [
      "existing credentials with adopt false",
      { stores: [existing({ bucket: { name: "b12", adopt: false } })] },
      "stores[0].bucket.adopt: existing-credentials always uses an existing bucket",
    ],
    [
      "existing credentials with versioning",
      { stores: [existing({ bucket: { name: "b12", versioning: true } })] },
      "stores[0].bucket.versioning: only applies to a bucket this project creates; existing-credentials creates nothing",
    ],
    [
      "existing credentials with forceDestroy",
      { stores: [existing({ bucket: { name: "b12", forceDestroy: true } })] },
      "stores[0].bucket.forceDestroy: only applies to a bucket this project creates",
    ],
    ["an AWS-only key", { stores: [minio({ project: "p" })] }, "stores[0].project: unknown key"],
    [
      "a credential mode of another backend",
      { stores: [minio({ credentials: "access-key" })] },
      'stores[0].credentials: unknown credential mode for backend s3-compatible "access-key"',
    ],
  ])("rejects %s", (_, raw, message) => {
    let error: unknown;
    try {
      parseDeployment(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    expect((error as ConfigError).message).not.toContain("\n");
  });

  it("never echoes credentials found in an endpoint", () => {
    const checked = normaliseEndpoint("https://admin:hunter2-secret@minio.example.com", false);
    expect(JSON.stringify(checked)).not.toContain("hunter2-secret");
  });
});
