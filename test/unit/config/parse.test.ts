import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors";
import { parseDeployment, type RawDeployment } from "../../../src/config/parse";

/** Provider defaults the valid cases may rely on (aws:region, gcp:project, gcp:region). */
const PROVIDER_CONFIG = {
  "aws:region": "us-west-2",
  "gcp:project": "my-project-1",
  "gcp:region": "europe-west1",
};

const aws = (over: Record<string, unknown> = {}) => ({
  name: "s3-store",
  backend: "aws",
  region: "eu-west-1",
  ...over,
});

describe("parseDeployment: valid input", () => {
  it("fills every default for the common one-store case", () => {
    expect(parseDeployment({ stores: [aws()] })).toEqual({
      stores: [
        {
          name: "s3-store",
          stackName: "s3-store",
          backend: "aws",
          credentials: "access-key",
          region: "eu-west-1",
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
        },
      ],
      zenml: { adoptExisting: false },
    });
  });

  it.each<[string, RawDeployment, Record<string, unknown>]>([
    ["region from aws:region", { stores: [aws({ region: undefined })] }, { region: "us-west-2" }],
    ["iam-role", { stores: [aws({ credentials: "iam-role" })] }, { credentials: "iam-role" }],
    [
      "named, versioned, KMS, force-destroy bucket",
      {
        stores: [
          aws({
            bucket: {
              name: "my.zenml-artifacts",
              versioning: true,
              noncurrentVersionExpirationDays: 14,
              forceDestroy: true,
              encryptionKey: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
            },
          }),
        ],
      },
      {
        bucket: {
          name: "my.zenml-artifacts",
          adopt: false,
          forceDestroy: true,
          versioning: true,
          noncurrentVersionExpirationDays: 14,
          abortIncompleteUploadDays: 7,
          encryptionKey: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
        },
      },
    ],
    [
      "adopted bucket",
      { stores: [aws({ bucket: { name: "existing", adopt: true } })] },
      { bucket: expect.objectContaining({ name: "existing", adopt: true }) },
    ],
    [
      "tags",
      { stores: [aws({ tags: { team: "ml", "cost-center": "42" } })] },
      { tags: { team: "ml", "cost-center": "42" } },
    ],
    [
      "stack name from zenml.stackName",
      { stores: [aws()], zenml: { stackName: "prod" } },
      { stackName: "prod" },
    ],
    ["store's own stack name", { stores: [aws({ stackName: "mine" })] }, { stackName: "mine" }],
    [
      "gcp bucket with underscores",
      { stores: [{ name: "gcs", backend: "gcp", bucket: { name: "zenml_artifacts-1" } }] },
      { backend: "gcp", credentials: "service-account-key" },
    ],
    [
      "azure container",
      {
        stores: [
          {
            name: "blob",
            backend: "azure",
            credentials: "sas",
            location: "westeurope",
            sasExpiry: "2031-01-31T00:00:00Z",
            bucket: { name: "zenml-artifacts" },
          },
        ],
      },
      { backend: "azure", credentials: "sas" },
    ],
    [
      "s3-compatible bucket",
      {
        stores: [
          {
            name: "minio",
            backend: "s3-compatible",
            endpoint: "https://minio.example.com",
            bucket: { name: "zenml" },
          },
        ],
      },
      { backend: "s3-compatible", credentials: "minio" },
    ],
  ])("accepts %s", (_, raw, expected) => {
    const [store] = parseDeployment(raw, { providerConfig: PROVIDER_CONFIG }).stores;
    expect(store).toMatchObject(expected);
  });

  it("accepts several stores on several backends, each with its own stack", () => {
    const parsed = parseDeployment(
      {
        stores: [
          aws(),
          aws({ name: "s3-b", bucket: { name: "other-bucket" } }),
          { name: "gcs", backend: "gcp" },
        ],
      },
      { providerConfig: PROVIDER_CONFIG },
    );
    expect(parsed.stores.map((s) => [s.name, s.stackName])).toEqual([
      ["s3-store", "s3-store"],
      ["s3-b", "s3-b"],
      ["gcs", "gcs"],
    ]);
  });

  it("strips a trailing slash from the server URL", () => {
    expect(
      parseDeployment({ stores: [aws()], zenml: { serverUrl: "https://zenml.example.com/" } })
        .zenml,
    ).toEqual({ serverUrl: "https://zenml.example.com", adoptExisting: false });
  });
});

describe("parseDeployment: invalid input names the key and the rule", () => {
  it.each<[string, RawDeployment, string]>([
    ["no stores", { stores: undefined }, "stores: must be a list with at least one store"],
    ["empty stores", { stores: [] }, "stores: must be a list with at least one store"],
    ["store not an object", { stores: ["s3"] }, "stores[0]: must be an object"],
    [
      "unknown backend",
      { stores: [aws({ backend: "ftp" })] },
      'stores[0].backend: unknown backend "ftp"; expected one of: aws, gcp, azure, s3-compatible',
    ],
    [
      "missing backend",
      { stores: [{ name: "x1" }] },
      "stores[0].backend: unknown backend undefined",
    ],
    ["missing name", { stores: [aws({ name: undefined })] }, "stores[0].name: is required"],
    [
      "bad store name",
      { stores: [aws({ name: "S3_Store" })] },
      'stores[0].name: "S3_Store" must be 3-40 characters',
    ],
    [
      "name not a string",
      { stores: [aws({ name: 42 })] },
      "stores[0].name: must be a non-empty string",
    ],
    [
      "unknown store key",
      { stores: [aws({ bucketName: "x" })] },
      "stores[0].bucketName: unknown key",
    ],
    ["gcp-only key on aws", { stores: [aws({ project: "p" })] }, "stores[0].project: unknown key"],
    [
      "unknown credential mode",
      { stores: [aws({ credentials: "password" })] },
      'stores[0].credentials: unknown credential mode for backend aws "password"',
    ],
    [
      "credential mode of another backend",
      { stores: [aws({ credentials: "sas" })] },
      'stores[0].credentials: unknown credential mode for backend aws "sas"',
    ],
    [
      "no region",
      { stores: [aws({ region: undefined })] },
      "stores[0].region: is required when aws:region is not set",
    ],
    [
      "bad region",
      { stores: [aws({ region: "Europe" })] },
      'stores[0].region: "Europe" is not an AWS region name',
    ],
    [
      "S3 name too short",
      { stores: [aws({ bucket: { name: "ab" } })] },
      'stores[0].bucket.name: "ab" must be 3 to 63 characters long',
    ],
    [
      "S3 name upper case",
      { stores: [aws({ bucket: { name: "MyBucket" } })] },
      "may contain only lower-case letters, digits, dots and hyphens",
    ],
    [
      "S3 name with underscore",
      { stores: [aws({ bucket: { name: "my_bucket" } })] },
      "may contain only lower-case letters, digits, dots and hyphens",
    ],
    [
      "S3 name ends with hyphen",
      { stores: [aws({ bucket: { name: "bucket-" } })] },
      "must start and end with a letter or digit",
    ],
    [
      "S3 name with two dots",
      { stores: [aws({ bucket: { name: "my..bucket" } })] },
      "must not contain two adjacent dots",
    ],
    [
      "S3 name as IP address",
      { stores: [aws({ bucket: { name: "192.168.5.4" } })] },
      "must not be formatted as an IP address",
    ],
    [
      "S3 reserved prefix",
      { stores: [aws({ bucket: { name: "xn--bucket" } })] },
      'must not start with the reserved prefix "xn--"',
    ],
    [
      "S3 reserved suffix",
      { stores: [aws({ bucket: { name: "bucket-s3alias" } })] },
      'must not end with the reserved suffix "-s3alias"',
    ],
    [
      "GCS name with dots",
      { stores: [{ name: "gcs", backend: "gcp", bucket: { name: "my.bucket" } }] },
      "ZenML's gcs-bucket ids refuse dots",
    ],
    [
      "GCS name starting goog",
      { stores: [{ name: "gcs", backend: "gcp", bucket: { name: "googlestuff" } }] },
      'must not start with "goog"',
    ],
    [
      "GCS name containing google",
      { stores: [{ name: "gcs", backend: "gcp", bucket: { name: "my-g00gle-bucket" } }] },
      'must not contain "google"',
    ],
    [
      "Azure container with two hyphens",
      { stores: [{ name: "blob", backend: "azure", bucket: { name: "my--container" } }] },
      "must not contain two adjacent hyphens",
    ],
    [
      "Azure container with dots",
      { stores: [{ name: "blob", backend: "azure", bucket: { name: "my.container" } }] },
      "may contain only lower-case letters, digits and hyphens",
    ],
    [
      "MinIO name as IP",
      { stores: [{ name: "minio", backend: "s3-compatible", bucket: { name: "10.0.0.1" } }] },
      "must not be formatted as an IP address",
    ],
    [
      "duplicate store names",
      { stores: [aws(), aws({ bucket: { name: "other" } })] },
      'stores[1].name: "s3-store" is already used by stores[0]',
    ],
    [
      "duplicate stack names",
      { stores: [aws({ stackName: "s" }), aws({ name: "s3-b", stackName: "s" })] },
      'stores[1].stackName: "s" is already used by stores[0]',
    ],
    [
      "duplicate bucket names",
      {
        stores: [
          aws({ bucket: { name: "same" } }),
          aws({ name: "s3-b", bucket: { name: "same" } }),
        ],
      },
      'stores[1].bucket.name: "same" is already used by stores[0]',
    ],
    [
      "adopt without name",
      { stores: [aws({ bucket: { adopt: true } })] },
      "stores[0].bucket.name: is required when adopt is true",
    ],
    [
      "adopt with forceDestroy",
      { stores: [aws({ bucket: { name: "b12", adopt: true, forceDestroy: false } })] },
      "stores[0].bucket.forceDestroy: only applies to a bucket this project creates",
    ],
    [
      "adopt with versioning",
      { stores: [aws({ bucket: { name: "b12", adopt: true, versioning: true } })] },
      "stores[0].bucket.versioning: only applies to a bucket this project creates",
    ],
    [
      "adopt with encryption key",
      {
        stores: [
          aws({
            bucket: {
              name: "b12",
              adopt: true,
              encryptionKey: "arn:aws:kms:eu-west-1:123456789012:key/k",
            },
          }),
        ],
      },
      "stores[0].bucket.encryptionKey: only applies to a bucket this project creates",
    ],
    [
      "noncurrent expiry without versioning",
      { stores: [aws({ bucket: { noncurrentVersionExpirationDays: 5 } })] },
      "stores[0].bucket.noncurrentVersionExpirationDays: only applies when versioning is true",
    ],
    [
      "zero days",
      { stores: [aws({ bucket: { abortIncompleteUploadDays: 0 } })] },
      "stores[0].bucket.abortIncompleteUploadDays: must be a whole number of days from 1 to 3650",
    ],
    [
      "fractional days",
      { stores: [aws({ bucket: { abortIncompleteUploadDays: 1.5 } })] },
      "must be a whole number of days",
    ],
    [
      "versioning not boolean",
      { stores: [aws({ bucket: { versioning: "yes" } })] },
      "stores[0].bucket.versioning: must be true or false",
    ],
    [
      "unknown bucket key",
      { stores: [aws({ bucket: { publicRead: true } })] },
      "stores[0].bucket.publicRead: unknown key",
    ],
    [
      "KMS alias instead of key ARN",
      { stores: [aws({ bucket: { encryptionKey: "alias/zenml" } })] },
      "stores[0].bucket.encryptionKey: must be a KMS key ARN",
    ],
    [
      "GCP key in wrong form",
      { stores: [{ name: "gcs", backend: "gcp", bucket: { encryptionKey: "my-key" } }] },
      "must be a Cloud KMS key name",
    ],
    [
      "encryption key on s3-compatible",
      { stores: [{ name: "minio", backend: "s3-compatible", bucket: { encryptionKey: "k" } }] },
      "is not supported for backend s3-compatible",
    ],
    [
      "tag value not a string",
      { stores: [aws({ tags: { team: 5 } })] },
      "stores[0].tags.team: must be a string",
    ],
    [
      "AWS reserved tag prefix",
      { stores: [aws({ tags: { "aws:team": "x" } })] },
      'must not start with "aws:"',
    ],
    [
      "GCP label upper case",
      { stores: [{ name: "gcs", backend: "gcp", tags: { Team: "ml" } }] },
      "GCP labels need lower-case keys",
    ],
    [
      "zenml not an object",
      { stores: [aws()], zenml: "https://zenml" },
      "zenml: must be an object",
    ],
    [
      "server URL not a URL",
      { stores: [aws()], zenml: { serverUrl: "zenml.example.com" } },
      'zenml.serverUrl: "zenml.example.com" is not a URL',
    ],
    [
      "server URL not http",
      { stores: [aws()], zenml: { serverUrl: "ftp://zenml.example.com" } },
      "zenml.serverUrl: must be an http:// or https:// URL",
    ],
    [
      "server URL with credentials",
      { stores: [aws()], zenml: { serverUrl: "https://u:p@zenml.example.com" } },
      "zenml.serverUrl: must not hold credentials",
    ],
    ["unknown zenml key", { stores: [aws()], zenml: { apiKey: "k" } }, "zenml.apiKey: unknown key"],
    [
      "stack name with several stores",
      { stores: [aws(), aws({ name: "s3-b" })], zenml: { stackName: "one" } },
      "zenml.stackName: applies to a single store",
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
});
