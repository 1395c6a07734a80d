// The baseline audit's pure comparisons (src/verify/baseline/compare.ts) and the
// readers' pure mappings of SDK answers, as tables. No SDK call is made here.
import { describe, expect, it } from "vitest";
import { azureAccountSettingsOf, azureTargetOf } from "../../../src/verify/baseline/azure";
import {
  anonymousAllows,
  auditAzure,
  auditGcs,
  auditS3,
  auditS3Compatible,
  hasTlsOnlyDeny,
  type AzureSettings,
  type Expectation,
  type GcsSettings,
  type PolicyStatement,
  type S3Settings,
} from "../../../src/verify/baseline/compare";
import { gcsSettingsOf } from "../../../src/verify/baseline/gcs";
import { tlsOnlyBucketPolicy } from "../../../src/stores/aws/policies";

const DEFAULTS: Expectation = {
  versioning: false,
  noncurrentVersionExpirationDays: 30,
  abortIncompleteUploadDays: 7,
};
const BUCKET = "zenml-s3-store-abc";
/** The statement S3ArtifactStore attaches, built by the project's own policy function. */
const TLS_ONLY = tlsOnlyBucketPolicy({
  bucketArn: `arn:aws:s3:::${BUCKET}`,
  objectsArn: `arn:aws:s3:::${BUCKET}/*`,
}).Statement as unknown as PolicyStatement[];

const COMPLIANT_S3: S3Settings = {
  publicAccessBlock: {
    value: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  },
  objectOwnership: { value: "BucketOwnerEnforced" },
  encryption: { value: { algorithm: "AES256" } },
  policy: { value: TLS_ONLY },
  lifecycle: {
    value: [{ enabled: true, wholeBucket: true, abortIncompleteUploadDays: 7 }],
  },
  versioning: { value: null },
  aclGrantees: { value: [] },
};

describe("hasTlsOnlyDeny", () => {
  const deny = TLS_ONLY[0];
  it.each<[string, PolicyStatement[], boolean]>([
    ["the project's statement", [deny], true],
    [
      "boolean false instead of the string",
      [{ ...deny, Condition: { Bool: { "aws:SecureTransport": false } } }],
      true,
    ],
    ["principal {AWS: *}", [{ ...deny, Principal: { AWS: "*" } }], true],
    ["Allow instead of Deny", [{ ...deny, Effect: "Allow" }], false],
    [
      "true instead of false",
      [{ ...deny, Condition: { Bool: { "aws:SecureTransport": "true" } } }],
      false,
    ],
    ["objects only", [{ ...deny, Resource: `arn:aws:s3:::${BUCKET}/*` }], false],
    [
      "another bucket",
      [{ ...deny, Resource: ["arn:aws:s3:::other", "arn:aws:s3:::other/*"] }],
      false,
    ],
    ["only s3:GetObject", [{ ...deny, Action: "s3:GetObject" }], false],
    ["no statement", [], false],
  ])("%s -> %s", (_, statements, want) => {
    expect(hasTlsOnlyDeny(statements, BUCKET)).toBe(want);
  });
});

describe("anonymousAllows", () => {
  it.each<[string, PolicyStatement[], string[]]>([
    ["TLS-only deny", TLS_ONLY, []],
    [
      "public read",
      [{ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"] }],
      ["PublicRead: s3:GetObject"],
    ],
    [
      "MinIO download policy without Sid, AWS: [*], with a condition",
      [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: "s3:ListBucket",
          Condition: { StringEquals: { "s3:prefix": "x" } },
        },
      ],
      ["statement 1: s3:ListBucket (with conditions)"],
    ],
    [
      "a named principal is not anonymous",
      [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:user/u" }, Action: "s3:*" }],
      [],
    ],
  ])("%s", (_, statements, want) => {
    expect(anonymousAllows(statements)).toEqual(want);
  });
});

describe("auditS3: one deviation per setting off the baseline", () => {
  it("a bucket provisioned as S3ArtifactStore does is compliant on every setting", () => {
    const audit = auditS3("s3-store", BUCKET, COMPLIANT_S3, DEFAULTS);
    expect(audit.deviations).toEqual([]);
    expect(audit.unreadable).toEqual([]);
    expect(audit.compliant).toEqual([
      "public access block: BlockPublicAcls",
      "public access block: IgnorePublicAcls",
      "public access block: BlockPublicPolicy",
      "public access block: RestrictPublicBuckets",
      "object ownership",
      "default encryption",
      "bucket policy: TLS only",
      "bucket policy: anonymous access",
      "ACL: public grants",
      "lifecycle: abort incomplete multipart uploads",
      "versioning",
    ]);
  });

  it.each<[string, Partial<S3Settings>, Partial<Expectation>, [string, string, string][]]>([
    [
      "a bare bucket",
      {
        publicAccessBlock: { value: null },
        objectOwnership: { value: null },
        encryption: { value: null },
        policy: { value: null },
        lifecycle: { value: null },
      },
      {},
      [
        ["public access block: BlockPublicAcls", "not set", "true"],
        ["public access block: IgnorePublicAcls", "not set", "true"],
        ["public access block: BlockPublicPolicy", "not set", "true"],
        ["public access block: RestrictPublicBuckets", "not set", "true"],
        ["object ownership", "not set", "BucketOwnerEnforced"],
        ["default encryption", "none", "AES256"],
        [
          "bucket policy: TLS only",
          "no bucket policy",
          "Deny s3:* when aws:SecureTransport is false",
        ],
        [
          "lifecycle: abort incomplete multipart uploads",
          "no rule for the whole bucket",
          "after 7 days",
        ],
      ],
    ],
    [
      "public access allowed by one flag, ACLs on",
      {
        publicAccessBlock: {
          value: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: false,
            RestrictPublicBuckets: true,
          },
        },
        objectOwnership: { value: "ObjectWriter" },
        aclGrantees: { value: ["http://acs.amazonaws.com/groups/global/AllUsers"] },
      },
      {},
      [
        ["public access block: BlockPublicPolicy", "false", "true"],
        ["object ownership", "ObjectWriter", "BucketOwnerEnforced"],
        ["ACL: public grants", "AllUsers", "none"],
      ],
    ],
    [
      "a public-read statement next to the TLS one",
      {
        policy: {
          value: [
            ...TLS_ONLY,
            { Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject" },
          ],
        },
      },
      {},
      [
        [
          "bucket policy: anonymous access",
          "Allow to everyone (Public: s3:GetObject)",
          "no Allow to everyone",
        ],
      ],
    ],
    [
      "SSE-S3 where a KMS key is configured",
      {},
      { encryptionKey: "arn:aws:kms:eu-west-1:123456789012:key/k" },
      [["default encryption", "AES256", "aws:kms with arn:aws:kms:eu-west-1:123456789012:key/k"]],
    ],
    [
      "versioning configured but off, lifecycle days changed",
      {
        lifecycle: { value: [{ enabled: true, wholeBucket: true, abortIncompleteUploadDays: 30 }] },
      },
      { versioning: true },
      [
        ["lifecycle: abort incomplete multipart uploads", "after 30 days", "after 7 days"],
        ["versioning", "off", "on"],
        ["lifecycle: noncurrent versions expire", "no rule for the whole bucket", "after 30 days"],
      ],
    ],
    [
      "versioning on where it is not configured; a disabled or prefixed rule does not count",
      {
        versioning: { value: "Enabled" },
        lifecycle: {
          value: [
            { enabled: false, wholeBucket: true, abortIncompleteUploadDays: 7 },
            { enabled: true, wholeBucket: false, abortIncompleteUploadDays: 7 },
          ],
        },
      },
      {},
      [
        [
          "lifecycle: abort incomplete multipart uploads",
          "no rule for the whole bucket",
          "after 7 days",
        ],
        ["versioning", "on", "off"],
      ],
    ],
  ])("%s", (_, live, expected, want) => {
    const audit = auditS3(
      "s3-store",
      BUCKET,
      { ...COMPLIANT_S3, ...live },
      { ...DEFAULTS, ...expected },
    );
    expect(audit.deviations.map((d) => [d.setting, d.found, d.expected])).toEqual(want);
    for (const d of audit.deviations) {
      expect(d.store).toBe("s3-store");
      expect(d.risk.length).toBeGreaterThan(5);
    }
  });

  it("a setting that cannot be read is unreadable, never compliant", () => {
    const audit = auditS3(
      "s3-store",
      BUCKET,
      { ...COMPLIANT_S3, policy: { error: "AccessDenied: Access Denied" } },
      DEFAULTS,
    );
    expect(audit.unreadable).toEqual([
      { setting: "bucket policy: TLS only", reason: "AccessDenied: Access Denied" },
      { setting: "bucket policy: anonymous access", reason: "AccessDenied: Access Denied" },
    ]);
    expect(audit.compliant).not.toContain("bucket policy: TLS only");
  });
});

describe("auditS3Compatible", () => {
  it.each<[string, Pick<S3Settings, "policy" | "aclGrantees">, string[]]>([
    ["no policy, private ACL", { policy: { value: null }, aclGrantees: { value: [] } }, []],
    [
      "MinIO's public policy",
      {
        policy: {
          value: [
            {
              Effect: "Allow",
              Principal: { AWS: ["*"] },
              Action: ["s3:GetObject", "s3:PutObject"],
            },
          ],
        },
        aclGrantees: { value: [] },
      },
      ["bucket policy: anonymous access"],
    ],
  ])("%s", (_, live, want) => {
    expect(auditS3Compatible("minio-store", live).deviations.map((d) => d.setting)).toEqual(want);
  });
});

describe("gcsSettingsOf + auditGcs", () => {
  /** The bucket resource as GcsArtifactStore asks for it (JSON API field names). */
  const PROVISIONED = {
    iamConfiguration: {
      uniformBucketLevelAccess: { enabled: true },
      publicAccessPrevention: "enforced",
    },
    versioning: { enabled: false },
    lifecycle: {
      rule: [{ action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } }],
    },
  };

  it("the provisioned bucket is compliant", () => {
    const audit = auditGcs("gcs-store", gcsSettingsOf(PROVISIONED), DEFAULTS);
    expect(audit.deviations).toEqual([]);
    expect(audit.compliant).toEqual([
      "uniform bucket-level access",
      "public access prevention",
      "retention policy",
      "lifecycle: abort incomplete multipart uploads",
      "versioning",
    ]);
  });

  it.each<[string, Record<string, unknown>, Partial<Expectation>, [string, string, string][]]>([
    [
      "an emulator's default bucket (ACLs, no prevention, no rules)",
      { iamConfiguration: { uniformBucketLevelAccess: { enabled: false } } },
      {},
      [
        ["uniform bucket-level access", "off", "on"],
        ["public access prevention", "not set", "enforced"],
        [
          "lifecycle: abort incomplete multipart uploads",
          "no rule for the whole bucket",
          "after 7 days",
        ],
      ],
    ],
    [
      "inherited prevention, a locked retention policy, versioning on",
      {
        ...PROVISIONED,
        iamConfiguration: {
          uniformBucketLevelAccess: { enabled: true },
          publicAccessPrevention: "inherited",
        },
        retentionPolicy: { retentionPeriod: "86400", isLocked: true },
        versioning: { enabled: true },
      },
      {},
      [
        ["public access prevention", "inherited", "enforced"],
        ["retention policy", "86400 s (locked)", "none"],
        ["versioning", "on", "off"],
      ],
    ],
    [
      "versioning configured: the noncurrent rule and the CMEK key are checked",
      {
        ...PROVISIONED,
        versioning: { enabled: true },
        lifecycle: {
          rule: [
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } },
            {
              action: { type: "Delete" },
              condition: { withState: "ARCHIVED", daysSinceNoncurrentTime: 10 },
            },
          ],
        },
      },
      { versioning: true, encryptionKey: "projects/p/locations/l/keyRings/r/cryptoKeys/k" },
      [
        ["lifecycle: noncurrent versions expire", "after 10 days", "after 30 days"],
        [
          "default encryption key",
          "Google-managed key",
          "projects/p/locations/l/keyRings/r/cryptoKeys/k",
        ],
      ],
    ],
  ])("%s", (_, bucket, expected, want) => {
    const settings: GcsSettings = gcsSettingsOf(bucket);
    const audit = auditGcs("gcs-store", settings, { ...DEFAULTS, ...expected });
    expect(audit.deviations.map((d) => [d.setting, d.found, d.expected])).toEqual(want);
  });
});

describe("azureAccountSettingsOf + auditAzure", () => {
  const PROVISIONED = azureAccountSettingsOf(
    { allowBlobPublicAccess: false, enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2" },
    { isVersioningEnabled: false },
  );
  const live = (over: Partial<AzureSettings>): AzureSettings => ({
    containerPublicAccess: { value: null },
    ...PROVISIONED,
    ...over,
  });

  it("the provisioned account and container are compliant", () => {
    expect(auditAzure("az-store", live({}), DEFAULTS).deviations).toEqual([]);
  });

  it.each<[string, AzureSettings, [string, string, string][]]>([
    [
      "a public container on a permissive account",
      live({
        containerPublicAccess: { value: "container" },
        ...azureAccountSettingsOf(
          {
            allowBlobPublicAccess: true,
            enableHttpsTrafficOnly: false,
            minimumTlsVersion: "TLS1_0",
          },
          { isVersioningEnabled: true },
        ),
      }),
      [
        ["container public access", "container", "off"],
        ["account: allow blob public access", "true", "false"],
        ["account: HTTPS only", "false", "true"],
        ["account: minimum TLS version", "TLS1_0", "TLS1_2"],
        ["versioning", "on", "off"],
      ],
    ],
    [
      "properties an old account never set",
      live(azureAccountSettingsOf({}, {})),
      [
        ["account: allow blob public access", "not set", "false"],
        ["account: minimum TLS version", "TLS1_0", "TLS1_2"],
      ],
    ],
  ])("%s", (_, settings, want) => {
    const audit = auditAzure("az-store", settings, DEFAULTS);
    expect(audit.deviations.map((d) => [d.setting, d.found, d.expected])).toEqual(want);
  });

  it("settings an emulator cannot show are listed as not checked, neither compliant nor deviating", () => {
    const notShown = { notShown: "a blob endpoint only" };
    const audit = auditAzure(
      "az-store",
      live({
        allowBlobPublicAccess: notShown,
        httpsOnly: notShown,
        minimumTlsVersion: notShown,
        versioning: notShown,
      }),
      DEFAULTS,
    );
    expect(audit.compliant).toEqual(["container public access"]);
    expect(audit.deviations).toEqual([]);
    expect(audit.notShown.map((n) => n.setting)).toEqual([
      "account: allow blob public access",
      "account: HTTPS only",
      "account: minimum TLS version",
      "versioning",
    ]);
  });
});

describe("azureTargetOf: where the audit looks, never with the store's SAS", () => {
  const base = {
    storeName: "az",
    backend: "azure" as const,
    path: "az://artifacts",
    artifactStoreConfiguration: { path: "az://artifacts" },
  };
  it.each<[string, Record<string, string>, Record<string, string>, string | undefined, object]>([
    [
      "service principal: the recorded account, subscription and group",
      { storage_account: "zenmlacct", subscription_id: "sub", resource_group: "rg" },
      { client_secret: "x" },
      undefined,
      {
        container: "artifacts",
        account: "zenmlacct",
        blobEndpoint: "https://zenmlacct.blob.core.windows.net",
        subscriptionId: "sub",
        resourceGroup: "rg",
      },
    ],
    [
      "SAS: the account from the connection string's endpoint",
      {},
      {
        connection_string:
          "BlobEndpoint=https://zenmlsas.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=abc",
      },
      undefined,
      {
        container: "artifacts",
        account: "zenmlsas",
        blobEndpoint: "https://zenmlsas.blob.core.windows.net",
      },
    ],
    [
      "SAS on a path-style emulator endpoint, with an override",
      {},
      {
        connection_string:
          "BlobEndpoint=https://127.0.0.1:10000/devacct/;SharedAccessSignature=sig=abc",
      },
      "https://127.0.0.1:10001/devacct",
      {
        container: "artifacts",
        account: "devacct",
        blobEndpoint: "https://127.0.0.1:10001/devacct",
      },
    ],
  ])("%s", (_, connectorConfiguration, credentials, endpointUrl, want) => {
    const target = azureTargetOf(
      {
        ...base,
        auth:
          Object.keys(connectorConfiguration).length > 0
            ? {
                kind: "connector",
                type: "azure",
                method: "service-principal",
                resourceType: "blob-container",
                resourceId: base.path,
                configuration: connectorConfiguration,
              }
            : { kind: "secret", name: "az-secret" },
        credentials,
      },
      { endpointUrl },
    );
    expect(target).toEqual(want);
    expect(JSON.stringify(target)).not.toContain("sig=");
  });
});
