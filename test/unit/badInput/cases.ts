/**
 * The bad-input matrix, as data: stack config values, stack config files,
 * the passphrase environment, CLI flags and the stack YAML `register` reads.
 * Each case is run by matrix.test.ts through the real CLI entry (see harness.ts
 * for what every case must show). ZenML server answers are in servers.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { BadInput, Category, FileSpec } from "./harness";

type Json = Record<string, unknown>;

/** A stack config file `stacks/Pulumi.bad.yaml` holding `config`. */
function stackConfig(config: Json): Record<string, FileSpec> {
  return { "stacks/Pulumi.bad.yaml": stringify({ config }) };
}

/** A valid store of each backend, with `over` merged in (undefined removes a key). */
const BASE: Record<string, Json> = {
  aws: { name: "s3-store", backend: "aws", region: "eu-west-1" },
  gcp: { name: "gcs-store", backend: "gcp", project: "my-project-123", location: "europe-west1" },
  azure: { name: "az-store", backend: "azure", location: "westeurope" },
  "s3-compatible": {
    name: "minio-store",
    backend: "s3-compatible",
    endpoint: "https://minio.example.com:9000",
  },
};

function store(backend: keyof typeof BASE, over: Json = {}): Json {
  const out: Json = { ...BASE[backend] };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

const PROVISION_BAD = ["provision", "--stack", "bad", "--yes"] as const;
const SOURCE = "\\(stacks/Pulumi\\.bad\\.yaml\\)";

/** `zenml-remote-storage:<key> (stacks/Pulumi.bad.yaml): <rule>` as a pattern. */
function keyLine(key: string, rule: string): RegExp {
  const k = key.replace(/[.[\]]/g, (c) => `\\${c}`);
  return new RegExp(`^error: zenml-remote-storage:${k} ${SOURCE}: ${rule}`);
}

/** One bad stack config: the stores (and extra config), provision on it. */
function configCase(
  category: Category,
  name: string,
  stores: unknown,
  line: RegExp,
  extra: Json = {},
): BadInput {
  return {
    name,
    category,
    argv: PROVISION_BAD,
    files: stackConfig({ "zenml-remote-storage:stores": stores, ...extra }),
    line,
  };
}

const NAMES = "stack config: names" as const;
const TYPES = "stack config: types" as const;
const UNKNOWN = "stack config: unknown keys" as const;
const CONFLICTS = "stack config: conflicts" as const;
const VALUES = "stack config: values" as const;

export const STACK_CONFIG_CASES: readonly BadInput[] = [
  // Invalid names, per backend.
  configCase(
    NAMES,
    "aws bucket with upper case and underscore",
    [store("aws", { bucket: { name: "My_Bucket" } })],
    keyLine(
      "stores[0].bucket.name",
      '"My_Bucket" may contain only lower-case letters, digits, dots and hyphens',
    ),
  ),
  configCase(
    NAMES,
    "aws bucket with the reserved xn-- prefix",
    [store("aws", { bucket: { name: "xn--artifacts" } })],
    keyLine("stores[0].bucket.name", '"xn--artifacts" must not start with the reserved prefix'),
  ),
  configCase(
    NAMES,
    "aws bucket named like an IP address",
    [store("aws", { bucket: { name: "192.168.10.1" } })],
    keyLine("stores[0].bucket.name", '"192.168.10.1" must not be formatted as an IP address'),
  ),
  configCase(
    NAMES,
    "aws bucket with the reserved -s3alias suffix",
    [store("aws", { bucket: { name: "artifacts-s3alias" } })],
    keyLine(
      "stores[0].bucket.name",
      '"artifacts-s3alias" must not end with the reserved suffix "-s3alias"',
    ),
  ),
  configCase(
    NAMES,
    "aws bucket with two adjacent dots",
    [store("aws", { bucket: { name: "my..bucket" } })],
    keyLine("stores[0].bucket.name", '"my..bucket" must not contain two adjacent dots'),
  ),
  configCase(
    NAMES,
    "gcs bucket with a dot (ZenML refuses them)",
    [store("gcp", { bucket: { name: "my.bucket" } })],
    keyLine("stores[0].bucket.name", '"my.bucket" may contain only .*ZenML\'s gcs-bucket ids'),
  ),
  configCase(
    NAMES,
    "gcs bucket starting with goog",
    [store("gcp", { bucket: { name: "goog-artifacts" } })],
    keyLine("stores[0].bucket.name", '"goog-artifacts" must not start with "goog"'),
  ),
  configCase(
    NAMES,
    "gcs bucket containing google",
    [store("gcp", { bucket: { name: "my-google-artifacts" } })],
    keyLine("stores[0].bucket.name", '"my-google-artifacts" must not contain "google"'),
  ),
  configCase(
    NAMES,
    "gcp store name that would make a refused generated bucket name",
    [store("gcp", { name: "my-google-store" })],
    keyLine(
      "stores[0].name",
      '"my-google-store" cannot be part of a generated GCS bucket name, .*; set bucket.name',
    ),
  ),
  configCase(
    NAMES,
    "azure container with two adjacent hyphens",
    [store("azure", { bucket: { name: "my--container" } })],
    keyLine("stores[0].bucket.name", '"my--container" must not contain two adjacent hyphens'),
  ),
  configCase(
    NAMES,
    "azure container with an upper-case letter",
    [store("azure", { bucket: { name: "Artifacts" } })],
    keyLine(
      "stores[0].bucket.name",
      '"Artifacts" may contain only lower-case letters, digits and hyphens',
    ),
  ),
  configCase(
    NAMES,
    "azure storage account with an underscore",
    [store("azure", { storageAccount: { name: "zenml_store" } })],
    keyLine("stores[0].storageAccount.name", '"zenml_store" '),
  ),
  configCase(
    NAMES,
    "azure resource group ending with a dot",
    [store("azure", { resourceGroup: { name: "zenml-rg." } })],
    keyLine("stores[0].resourceGroup.name", '"zenml-rg\\." '),
  ),
  configCase(
    NAMES,
    "s3-compatible bucket of two characters",
    [store("s3-compatible", { bucket: { name: "ab" } })],
    keyLine("stores[0].bucket.name", '"ab" must be 3 to 63 characters long'),
  ),
  configCase(
    NAMES,
    "store name with upper case",
    [store("aws", { name: "S3-Store" })],
    keyLine("stores[0].name", '"S3-Store" must be 3-40 characters of lower-case letters'),
  ),
  configCase(
    NAMES,
    "two stores with the same name",
    [store("aws"), store("aws", { stackName: "other" })],
    keyLine("stores[1].name", '"s3-store" is already used by stores\\[0\\]'),
  ),
  configCase(
    NAMES,
    "two stores with the same ZenML stack",
    [store("aws", { stackName: "ml" }), store("gcp", { stackName: "ml" })],
    keyLine("stores[1].stackName", '"ml" is already used by stores\\[0\\]'),
  ),
  configCase(
    NAMES,
    "two stores with the same bucket",
    [
      store("aws", { bucket: { name: "shared-bucket" } }),
      store("aws", { name: "s3-other", bucket: { name: "shared-bucket" } }),
    ],
    keyLine("stores[1].bucket.name", '"shared-bucket" is already used by stores\\[0\\]'),
  ),
  configCase(
    NAMES,
    "gcp project id with upper case",
    [store("gcp", { project: "My-Project" })],
    keyLine("stores[0].project", '"My-Project" is not a GCP project id'),
  ),

  // Wrong types.
  configCase(
    TYPES,
    "versioning as a string",
    [store("aws", { bucket: { versioning: "yes" } })],
    keyLine("stores[0].bucket.versioning", "must be true or false"),
  ),
  configCase(
    TYPES,
    "days as a string",
    [store("aws", { bucket: { abortIncompleteUploadDays: "7" } })],
    keyLine(
      "stores[0].bucket.abortIncompleteUploadDays",
      "must be a whole number of days from 1 to 3650",
    ),
  ),
  configCase(
    TYPES,
    "days of zero",
    [store("aws", { bucket: { abortIncompleteUploadDays: 0 } })],
    keyLine(
      "stores[0].bucket.abortIncompleteUploadDays",
      "must be a whole number of days from 1 to 3650",
    ),
  ),
  configCase(
    TYPES,
    "tags as a list",
    [store("aws", { tags: ["team", "ml"] })],
    keyLine("stores[0].tags", "must be an object of string keys and values"),
  ),
  configCase(
    TYPES,
    "a tag value that is a number",
    [store("aws", { tags: { cost: 5 } })],
    keyLine("stores[0].tags.cost", "must be a string"),
  ),
  configCase(
    TYPES,
    "stores as a map",
    { name: "s3-store", backend: "aws" },
    keyLine("stores", "must be a list with at least one store"),
  ),
  configCase(TYPES, "an empty store list", [], keyLine("stores", "must be a list")),
  configCase(
    TYPES,
    "a store that is a string",
    ["s3-store"],
    keyLine("stores[0]", "must be an object"),
  ),
  configCase(TYPES, "zenml as a string", [store("aws")], keyLine("zenml", "must be an object"), {
    "zenml-remote-storage:zenml": "https://zenml.example.com",
  }),
  configCase(
    TYPES,
    "bucket as a string",
    [store("aws", { bucket: "my-bucket" })],
    keyLine("stores[0].bucket", "must be an object"),
  ),
  configCase(
    TYPES,
    "backend as a number",
    [store("aws", { backend: 5 })],
    keyLine("stores[0].backend", "unknown backend 5; expected one of: aws, gcp, azure"),
  ),
  configCase(
    TYPES,
    "store name as a number",
    [store("aws", { name: 123 })],
    keyLine("stores[0].name", "must be a non-empty string"),
  ),
  configCase(
    TYPES,
    "azure soft delete of 400 days",
    [store("azure", { storageAccount: { softDeleteDays: 400 } })],
    keyLine(
      "stores[0].storageAccount.softDeleteDays",
      "must be a whole number of days from 1 to 365",
    ),
  ),
  configCase(
    TYPES,
    "azure premium SKU",
    [store("azure", { storageAccount: { sku: "Premium_LRS" } })],
    keyLine("stores[0].storageAccount.sku", 'unknown storage SKU "Premium_LRS"'),
  ),

  // Unknown keys.
  configCase(
    UNKNOWN,
    "unknown store key",
    [store("aws", { colour: "blue" })],
    keyLine("stores[0].colour", "unknown key; allowed: name, backend"),
  ),
  configCase(
    UNKNOWN,
    "misspelt bucket key",
    [store("aws", { bucket: { versionning: true } })],
    keyLine("stores[0].bucket.versionning", "unknown key; allowed: name, adopt"),
  ),
  configCase(
    UNKNOWN,
    "unknown zenml key",
    [store("aws")],
    keyLine("zenml.url", "unknown key; allowed: serverUrl, stackName, adoptExisting"),
    { "zenml-remote-storage:zenml": { url: "https://zenml.example.com" } },
  ),
  configCase(
    UNKNOWN,
    "a gcp key on an aws store",
    [store("aws", { project: "my-project-123" })],
    keyLine("stores[0].project", "unknown key"),
  ),
  configCase(
    UNKNOWN,
    "an azure resource group key that does not exist",
    [store("azure", { resourceGroup: { location: "westeurope" } })],
    keyLine("stores[0].resourceGroup.location", "unknown key"),
  ),

  // Conflicting options.
  configCase(
    CONFLICTS,
    "adopted bucket with versioning",
    [store("aws", { bucket: { name: "existing-bucket", adopt: true, versioning: true } })],
    keyLine("stores[0].bucket.versioning", "only applies to a bucket this project creates"),
  ),
  configCase(
    CONFLICTS,
    "adopt without a bucket name",
    [store("aws", { bucket: { adopt: true } })],
    keyLine("stores[0].bucket.name", "is required when adopt is true"),
  ),
  configCase(
    CONFLICTS,
    "noncurrent version expiry without versioning",
    [store("aws", { bucket: { noncurrentVersionExpirationDays: 30 } })],
    keyLine(
      "stores[0].bucket.noncurrentVersionExpirationDays",
      "only applies when versioning is true",
    ),
  ),
  configCase(
    CONFLICTS,
    "sasExpiry with a service principal",
    [store("azure", { sasExpiry: "2099-01-01T00:00:00Z" })],
    keyLine("stores[0].sasExpiry", "only applies with credentials sas"),
  ),
  configCase(
    CONFLICTS,
    "clientSecretExpiry with a SAS",
    [
      store("azure", {
        credentials: "sas",
        sasExpiry: "2099-01-01T00:00:00Z",
        clientSecretExpiry: "2099-01-01T00:00:00Z",
      }),
    ],
    keyLine("stores[0].clientSecretExpiry", "only applies with credentials service-principal"),
  ),
  configCase(
    CONFLICTS,
    "a SAS store without sasExpiry",
    [store("azure", { credentials: "sas" })],
    keyLine("stores[0].sasExpiry", "is required with credentials sas"),
  ),
  configCase(
    CONFLICTS,
    "an impersonator with service-account-key",
    [store("gcp", { impersonator: "serviceAccount:src@p.iam.gserviceaccount.com" })],
    keyLine("stores[0].impersonator", "only applies when credentials is impersonation"),
  ),
  configCase(
    CONFLICTS,
    "impersonation without an impersonator",
    [store("gcp", { credentials: "impersonation" })],
    keyLine("stores[0].impersonator", "is required with credentials impersonation"),
  ),
  configCase(
    CONFLICTS,
    "a MinIO KMS key with existing credentials",
    [
      store("s3-compatible", {
        credentials: "existing-credentials",
        bucket: { name: "artifacts" },
        kmsKeyId: "zenml-key",
      }),
    ],
    keyLine("stores[0].kmsKeyId", "only applies in minio mode"),
  ),
  configCase(
    CONFLICTS,
    "existing credentials without a bucket",
    [store("s3-compatible", { credentials: "existing-credentials" })],
    keyLine("stores[0].bucket.name", "is required with existing-credentials"),
  ),
  configCase(
    CONFLICTS,
    "adopted azure container in a created resource group",
    [
      store("azure", {
        bucket: { name: "artifacts", adopt: true },
        storageAccount: { name: "zenmlacct1" },
      }),
    ],
    keyLine("stores[0].resourceGroup.adopt", "must be true when bucket.adopt is true"),
  ),
  configCase(
    CONFLICTS,
    "zenml.stackName with two stores",
    [store("aws"), store("gcp")],
    keyLine("zenml.stackName", "applies to a single store"),
    { "zenml-remote-storage:zenml": { stackName: "ml" } },
  ),
  configCase(
    CONFLICTS,
    "abortIncompleteUploadDays on azure",
    [store("azure", { bucket: { abortIncompleteUploadDays: 7 } })],
    keyLine("stores[0].bucket.abortIncompleteUploadDays", "does not apply to Azure"),
  ),
  configCase(
    CONFLICTS,
    "grantEncryptionKeyAccess without a key",
    [store("gcp", { grantEncryptionKeyAccess: false })],
    keyLine("stores[0].grantEncryptionKeyAccess", "only applies when bucket.encryptionKey is set"),
  ),
  configCase(
    CONFLICTS,
    "bucket.encryptionKey on s3-compatible",
    [store("s3-compatible", { bucket: { encryptionKey: "zenml-key" } })],
    keyLine("stores[0].bucket.encryptionKey", "is not supported for backend s3-compatible"),
  ),
  configCase(
    CONFLICTS,
    "a credential mode of another backend",
    [store("aws", { credentials: "sas" })],
    keyLine("stores[0].credentials", 'unknown credential mode for backend aws "sas"'),
  ),

  // Bad values.
  configCase(
    VALUES,
    "sasExpiry in the past",
    [store("azure", { credentials: "sas", sasExpiry: "2020-01-01T00:00:00Z" })],
    keyLine("stores[0].sasExpiry", '"2020-01-01T00:00:00Z" is in the past'),
  ),
  configCase(
    VALUES,
    "sasExpiry that is not a timestamp",
    [store("azure", { credentials: "sas", sasExpiry: "tomorrow" })],
    keyLine("stores[0].sasExpiry", '"tomorrow" must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ'),
  ),
  configCase(
    VALUES,
    "sasExpiry on 30 February",
    [store("azure", { credentials: "sas", sasExpiry: "2099-02-30T00:00:00Z" })],
    keyLine("stores[0].sasExpiry", '"2099-02-30T00:00:00Z" is not a valid date and time'),
  ),
  configCase(
    VALUES,
    "clientSecretExpiry in the past",
    [store("azure", { clientSecretExpiry: "2001-01-01T00:00:00Z" })],
    keyLine("stores[0].clientSecretExpiry", '"2001-01-01T00:00:00Z" is in the past'),
  ),
  configCase(
    VALUES,
    "s3-compatible endpoint over ftp",
    [store("s3-compatible", { endpoint: "ftp://minio.example.com" })],
    keyLine("stores[0].endpoint", "must be an https:// \\(or, with allowHttp, http://\\) URL"),
  ),
  configCase(
    VALUES,
    "s3-compatible endpoint with credentials in it",
    [store("s3-compatible", { endpoint: "https://admin:hunter2@minio.example.com" })],
    keyLine("stores[0].endpoint", "must not hold credentials"),
  ),
  configCase(
    VALUES,
    "s3-compatible endpoint with a path",
    [store("s3-compatible", { endpoint: "https://minio.example.com/artifacts" })],
    keyLine("stores[0].endpoint", "must be the server's root URL"),
  ),
  configCase(
    VALUES,
    "s3-compatible plain http without allowHttp",
    [store("s3-compatible", { endpoint: "http://minio.example.com:9000" })],
    keyLine("stores[0].endpoint", "is plain http; use https, or set allowHttp: true"),
  ),
  configCase(
    VALUES,
    "s3-compatible region with spaces",
    [store("s3-compatible", { region: "US East" })],
    keyLine("stores[0].region", '"US East" must be 1-63 lower-case letters'),
  ),
  configCase(
    VALUES,
    "zenml.serverUrl that is not a URL",
    [store("aws")],
    keyLine("zenml.serverUrl", '"zenml.example.com" is not a URL'),
    { "zenml-remote-storage:zenml": { serverUrl: "zenml.example.com" } },
  ),
  configCase(
    VALUES,
    "zenml.serverUrl with a password in it",
    [store("aws")],
    keyLine("zenml.serverUrl", "must not hold credentials"),
    { "zenml-remote-storage:zenml": { serverUrl: "https://admin:hunter2@zenml.example.com" } },
  ),
  configCase(
    VALUES,
    "aws KMS alias instead of a key ARN",
    [store("aws", { bucket: { encryptionKey: "arn:aws:kms:eu-west-1:123456789012:alias/zenml" } })],
    keyLine("stores[0].bucket.encryptionKey", "must be a KMS key ARN"),
  ),
  configCase(
    VALUES,
    "gcp key ring in another location",
    [
      store("gcp", {
        bucket: {
          encryptionKey: "projects/p/locations/us-east1/keyRings/r/cryptoKeys/k",
        },
      }),
    ],
    keyLine(
      "stores[0].bucket.encryptionKey",
      "is a key in us-east1; a bucket in europe-west1 needs a key ring in europe-west1",
    ),
  ),
  configCase(
    VALUES,
    "azure key that is not a Key Vault URL",
    [store("azure", { bucket: { encryptionKey: "https://example.com/keys/k" } })],
    keyLine("stores[0].bucket.encryptionKey", "must be a Key Vault key URL"),
  ),
  configCase(
    VALUES,
    "gcs location that does not exist",
    [store("gcp", { location: "mars-north1x" })],
    keyLine("stores[0].location", '"mars-north1x" is not a GCS location'),
  ),
  configCase(
    VALUES,
    "azure location with a space",
    [store("azure", { location: "West Europe" })],
    keyLine("stores[0].location", '"West Europe" is not an Azure region name'),
  ),
  configCase(
    VALUES,
    "impersonator key in the stores list (it moved to storeSecrets)",
    [
      store("gcp", {
        credentials: "impersonation",
        impersonator: "serviceAccount:src@my-project-123.iam.gserviceaccount.com",
        impersonatorKey: "not-a-key",
      }),
    ],
    keyLine("stores[0].impersonatorKey", "moved: the key goes in storeSecrets"),
  ),
  configCase(
    VALUES,
    "store secrets as plain text in the stack file",
    [store("s3-compatible", { endpoint: "https://minio.example.com" })],
    keyLine(
      "storeSecrets",
      "holds plain text; remove it from the stack file and store it encrypted: pulumi config set --secret --path 'storeSecrets.<store>.<field>' <value>",
    ),
    { "zenml-remote-storage:storeSecrets": { anything: { accessKeyId: "plain-text-key" } } },
  ),
  configCase(
    VALUES,
    "aws store without any region",
    [store("aws", { region: undefined })],
    keyLine("stores[0].region", "is required when aws:region is not set"),
  ),
];

const FILES = "files: malformed or unreadable" as const;
const BAD_FILE = "stacks/Pulumi.bad.yaml";
const fileLine = (rule: string): RegExp =>
  new RegExp(`^error: --stack: \\S+/stacks/Pulumi\\.bad\\.yaml ${rule}`);

export const FILE_CASES: readonly BadInput[] = [
  {
    name: "the stack config is a directory (unreadable)",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: { dir: true } },
    line: /^error: --stack: cannot read \S+\/stacks\/Pulumi\.bad\.yaml: EISDIR/,
  },
  {
    name: "the stack config is a dangling symlink",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: { symlink: "/nonexistent/Pulumi.bad.yaml" } },
    line: keyLine("stores", "must be a list with at least one store"),
  },
  {
    name: "an unclosed flow sequence",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "config:\n  zenml-remote-storage:stores: [1, 2\n" },
    line: fileLine("is not valid YAML: "),
  },
  {
    name: "tabs as indentation",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "config:\n\tzenml-remote-storage:stores: []\n" },
    line: fileLine("is not valid YAML: Tabs are not allowed as indentation"),
  },
  {
    name: "a duplicate key",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n" },
    line: fileLine("is not valid YAML: Map keys must be unique"),
  },
  {
    name: "a list at the top",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "- config\n- stores\n" },
    line: fileLine('must be a YAML mapping with a "config" key'),
  },
  {
    name: "config as a list",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "config:\n  - zenml-remote-storage:stores\n" },
    line: /^error: --stack: "config" in \S+\/stacks\/Pulumi\.bad\.yaml must be a mapping/,
  },
  {
    name: "binary garbage",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: { bytes: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a]) } },
    line: fileLine('must be a YAML mapping with a "config" key'),
  },
  {
    name: "a YAML alias bomb",
    category: FILES,
    argv: PROVISION_BAD,
    files: {
      [BAD_FILE]: [
        "config:",
        '  a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...["b", "c", "d", "e", "f", "g"].map(
          (k, i) => `  ${k}: &${k} [${Array(9).fill(`*${"abcdef"[i]}`).join(",")}]`,
        ),
        "",
      ].join("\n"),
    },
    line: fileLine("is not valid YAML: Excessive alias count"),
  },
  {
    name: "an empty file",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "" },
    line: keyLine("stores", "must be a list with at least one store"),
  },
  {
    name: "stores as an encrypted value",
    category: FILES,
    argv: PROVISION_BAD,
    files: { [BAD_FILE]: "config:\n  zenml-remote-storage:stores:\n    secure: v1:abcdef\n" },
    line: keyLine("stores", "must be a list with at least one store"),
  },
  {
    name: "plan --config of a directory",
    category: FILES,
    argv: ({ root }) => ["plan", "--offline", "--config", path.join(root, "stacks")],
    line: /^error: --config: \S+\/stacks does not exist or is not a file$/,
  },
  {
    name: "plan --config of a dangling symlink",
    category: FILES,
    argv: ({ root }) => [
      "plan",
      "--offline",
      "--config",
      path.join(root, "stacks/Pulumi.gone.yaml"),
    ],
    files: { "stacks/Pulumi.gone.yaml": { symlink: "/nonexistent/x.yaml" } },
    line: /^error: --config: \S+\/Pulumi\.gone\.yaml does not exist or is not a file$/,
  },
  {
    name: "plan --config of malformed YAML",
    category: FILES,
    argv: ({ root }) => [
      "plan",
      "--offline",
      "--config",
      path.join(root, "stacks/Pulumi.bad.yaml"),
    ],
    files: { [BAD_FILE]: "config: {a: 1\n" },
    line: /^error: --config: \S+\/stacks\/Pulumi\.bad\.yaml is not valid YAML: /,
  },
];

const PASSPHRASE = "environment: passphrase" as const;
const PROVISION_AWS = ["provision", "--stack", "aws-dev", "--yes"] as const;

export const PASSPHRASE_CASES: readonly BadInput[] = [
  {
    name: "no passphrase at all",
    category: PASSPHRASE,
    argv: PROVISION_AWS,
    env: {},
    line: /^error: PULUMI_CONFIG_PASSPHRASE: is not set: /,
  },
  {
    name: "an empty passphrase",
    category: PASSPHRASE,
    argv: PROVISION_AWS,
    env: { PULUMI_CONFIG_PASSPHRASE: "" },
    line: /^error: PULUMI_CONFIG_PASSPHRASE: is empty; /,
  },
  {
    name: "the passphrase file is a directory",
    category: PASSPHRASE,
    argv: PROVISION_AWS,
    env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/" },
    line: /^error: PULUMI_CONFIG_PASSPHRASE_FILE: cannot read \/: EISDIR$/,
  },
  {
    name: "the passphrase file is a dangling symlink",
    category: PASSPHRASE,
    argv: PROVISION_AWS,
    env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/nonexistent/passphrase" },
    line: /^error: PULUMI_CONFIG_PASSPHRASE_FILE: cannot read \/nonexistent\/passphrase: ENOENT$/,
  },
  {
    name: "the passphrase file holds only whitespace",
    category: PASSPHRASE,
    argv: PROVISION_AWS,
    env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/dev/null" },
    line: /^error: PULUMI_CONFIG_PASSPHRASE_FILE: \/dev\/null is empty$/,
  },
  {
    name: "verify without a passphrase",
    category: PASSPHRASE,
    argv: ["verify", "--stack", "aws-dev"],
    env: {},
    line: /^error: PULUMI_CONFIG_PASSPHRASE: is not set/,
  },
];

const FLAGS = "cli flags" as const;

export const FLAG_CASES: readonly BadInput[] = [
  {
    name: "--pulumi-install-timeout that is not a number",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--pulumi-install-timeout", "soon"],
    line: /^error: --pulumi-install-timeout: must be a number of seconds from 1 to 3600$/,
  },
  {
    name: "--pulumi-install-timeout below zero",
    category: FLAGS,
    argv: ["outputs", "--stack", "aws-dev", "--pulumi-install-timeout", "-5"],
    line: /^error: --pulumi-install-timeout: must be a number of seconds from 1 to 3600$/,
  },
  {
    name: "--verify-timeout below zero",
    category: FLAGS,
    argv: ["verify", "--stack", "aws-dev", "--verify-timeout", "-1"],
    line: /^error: --verify-timeout: must be a number of seconds from 0 to 3600$/,
  },
  {
    name: "--verify-timeout of a day",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--verify-timeout", "86400"],
    line: /^error: --verify-timeout: must be a number of seconds from 0 to 3600$/,
  },
  {
    name: "--endpoint-url that is not a URL",
    category: FLAGS,
    argv: ["verify", "--stack", "aws-dev", "--endpoint-url", "not a url"],
    line: /^error: --endpoint-url: "not a url" is not a URL$/,
  },
  {
    name: "--endpoint-url over ftp",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--endpoint-url", "ftp://minio.example.com"],
    line: /^error: --endpoint-url: must be an http:\/\/ or https:\/\/ URL$/,
  },
  {
    name: "--endpoint-url with credentials on destroy",
    category: FLAGS,
    argv: ["destroy", "--stack", "aws-dev", "--yes", "--endpoint-url", "https://a:b@s3.test"],
    line: /^error: --endpoint-url: must not hold credentials$/,
  },
  {
    name: "--store-option value that is not YAML",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--store-option", "region=[eu-west-1"],
    line: /^error: --store-option: the value of region is not valid YAML: \[eu-west-1$/,
  },
  {
    name: "--store-option without a key",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--store-option", "=x"],
    line: /^error: --store-option: expected KEY=VALUE, got "=x"$/,
  },
  {
    name: "--store-option with an empty path segment",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--store-option", "bucket..name=x"],
    line: /^error: --store-option: "bucket\.\.name" is not a key/,
  },
  {
    name: "--store-option replacing bucket with a string",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--store-option", "bucket=x"],
    line: /^error: --store-option bucket: must be an object$/,
  },
  {
    name: "--store-option renaming the store",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--store-option", "name=other-store"],
    line: /^error: --store-option: cannot rename a store; use --store-name$/,
  },
  {
    name: "an empty --bucket-name",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--bucket-name", ""],
    line: /^error: --bucket-name: must be a non-empty string$/,
  },
  {
    name: "--tag without a key",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--tag", "=ml"],
    line: /^error: --tag: expected KEY=VALUE, got "=ml"$/,
  },
  {
    name: "--tag key of 129 characters",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--tag", `${"k".repeat(129)}=v`],
    line: /^error: --tag: AWS tag keys must be 1-128 characters and values at most 256$/,
  },
  {
    name: "--zenml-server without a scheme",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--zenml-server", "zenml.example.com"],
    line: /^error: --zenml-server: "zenml\.example\.com" is not a URL$/,
  },
  {
    name: "--secrets-provider default with the local file backend",
    category: FLAGS,
    argv: [...PROVISION_AWS, "--secrets-provider", "default"],
    line: /^error: --secrets-provider: "default" is Pulumi Cloud's provider and needs a Pulumi Cloud backend/,
  },
  {
    name: "--secrets-provider different from the stack's own",
    category: FLAGS,
    argv: [...PROVISION_BAD, "--secrets-provider", "awskms://alias/zenml"],
    files: {
      [BAD_FILE]: stringify({
        encryptionsalt: "v1:c2FsdA==:v1:abc:def",
        config: { "zenml-remote-storage:stores": [store("aws")] },
      }),
    },
    line: /^error: --secrets-provider: the stack already uses passphrase; change it with `pulumi stack change-secrets-provider` first$/,
  },
  {
    name: "--stack of 101 characters",
    category: FLAGS,
    argv: ["provision", "--stack", "s".repeat(101), "--yes"],
    line: /^error: --stack: "s{101}" must be 1-100 letters/,
  },
  {
    name: "--stack ..",
    category: FLAGS,
    argv: ["outputs", "--stack", ".."],
    line: /^error: --stack: "\.\." must be 1-100 letters/,
  },
  {
    name: "an empty --stack",
    category: FLAGS,
    argv: ["outputs", "--stack", ""],
    line: /^error: --stack: is required/,
  },
  {
    name: "--region on a gcp store",
    category: FLAGS,
    argv: [
      ...PROVISION_BAD,
      "--store-name",
      "gcs-store",
      "--backend",
      "gcp",
      "--region",
      "eu-west-1",
      "--store-option",
      "project=my-project-123",
      "--store-option",
      "location=europe-west1",
    ],
    line: /^error: --region: unknown key; allowed: /,
  },
  {
    name: "--credentials impersonation without an impersonator",
    category: FLAGS,
    argv: [
      ...PROVISION_BAD,
      "--store-name",
      "gcs-store",
      "--backend",
      "gcp",
      "--credentials",
      "impersonation",
      "--store-option",
      "project=my-project-123",
      "--store-option",
      "location=europe-west1",
    ],
    line: keyLine("stores[0].impersonator", "is required with credentials impersonation"),
  },
  {
    name: "--server with credentials on verify",
    category: FLAGS,
    argv: ["verify", "--stack", "aws-dev", "--server", "https://u:p@zenml.example.com"],
    line: /^error: --server: must not hold credentials/,
  },
  {
    name: "destroy without --yes and without a terminal",
    category: FLAGS,
    argv: ["destroy", "--stack", "aws-dev"],
    line: /^error: --yes: is required when not running on a terminal: destroy deletes cloud resources$/,
  },
  {
    name: "a misspelt flag",
    category: FLAGS,
    argv: ["outputs", "--stack", "aws-dev", "--show-secret"],
    line: /^error: --show-secret: unknown option; did you mean --show-secrets\?$/,
  },
];

const YAML = "stack yaml (register)" as const;
const REGISTER = ["register", "--stack", "aws-dev", "--server", "http://127.0.0.1:9"] as const;
const ZENML_YAML = "stacks/aws-dev.zenml.yaml";
const yamlLine = (rule: string): RegExp =>
  new RegExp(`^error: stacks/aws-dev\\.zenml\\.yaml: ${rule}`);

/** Edits the ZenML stack document a good provision wrote. */
function editYaml(edit: (text: string) => string): (root: string) => void {
  return (root) => {
    const p = path.join(root, ZENML_YAML);
    const text = fs.readFileSync(p, "utf8");
    const next = edit(text);
    if (next === text) throw new Error("the edit changed nothing");
    fs.writeFileSync(p, next);
  };
}

function yamlCase(name: string, edit: (text: string) => string, line: RegExp, exit = 2): BadInput {
  return {
    name,
    category: YAML,
    argv: REGISTER,
    provisioned: true,
    edit: editYaml(edit),
    line,
    exit,
  };
}

export const STACK_YAML_CASES: readonly BadInput[] = [
  yamlCase("not valid YAML", () => "components: [\n", yamlLine("is not valid YAML: ")),
  yamlCase(
    "a list instead of a document",
    () => "- s3-store\n",
    yamlLine("is not a zenml-remote-storage stack document \\(no components\\)$"),
  ),
  yamlCase(
    "no components",
    () => "version: 1\npulumi_stack: aws-dev\n",
    yamlLine("is not a zenml-remote-storage stack document \\(no components\\)$"),
  ),
  yamlCase(
    "an empty stack document",
    () => "",
    yamlLine("is not a zenml-remote-storage stack document \\(no components\\)$"),
  ),
  yamlCase(
    "a secret written inline instead of a reference",
    (t) =>
      t.replace(
        /aws_secret_access_key:\n\s+from_stack_config: \S+/,
        "aws_secret_access_key: inline-plaintext-secret",
      ),
    yamlLine(
      "secret aws_secret_access_key of connector s3-store-connector is not a from_stack_config reference$",
    ),
  ),
  yamlCase(
    "a reference to a value the stack config does not hold",
    (t) => t.replace("credentials.aws_secret_access_key", "credentials.aws_session_token"),
    /^error: the stack config has no registration\.s3-store\.credentials\.aws_session_token; run provision again$/,
    1,
  ),
  yamlCase(
    "a component naming a connector that is not in the file",
    (t) => t.replace("connector: s3-store-connector", "connector: someone-elses-connector"),
    yamlLine(
      'component s3-store names connector "someone-elses-connector", which is not in the file$',
    ),
  ),
  yamlCase(
    "a component naming a ZenML secret that is not in the file",
    (t) =>
      t
        .replace(/\n    connector: s3-store-connector/, "")
        .replace(
          "      path: s3://zenml-s3-store-abc\n",
          "      path: s3://zenml-s3-store-abc\n      authentication_secret: gone-secret\n",
        ),
    yamlLine('component s3-store names secret "gone-secret", which is not in the file$'),
  ),
  yamlCase(
    "an artifact store no stack uses",
    (t) => t.replace("artifact_store: s3-store", "artifact_store: another-store"),
    yamlLine("no stack uses artifact store s3-store$"),
  ),
  yamlCase(
    "an unknown artifact-store flavor",
    (t) => t.replace("flavor: s3", "flavor: ftp"),
    yamlLine('component s3-store has flavor "ftp"; expected one of: s3, gcp, azure$'),
  ),
  yamlCase(
    "an artifact-store path the flavor does not accept",
    (t) => t.replace("path: s3://zenml-s3-store-abc", "path: gs://zenml-s3-store-abc"),
    yamlLine(
      'component s3-store \\(flavor s3\\) has path "gs://zenml-s3-store-abc"; it must start with s3://$',
    ),
  ),
  yamlCase(
    "a document version from the future",
    (t) => t.replace("version: 1", "version: 2"),
    yamlLine("has version 2; this zenml-remote-storage reads version 1$"),
  ),
  {
    name: "the document is a directory",
    category: YAML,
    argv: REGISTER,
    provisioned: true,
    files: { [ZENML_YAML]: { dir: true } },
    line: /^error: --stack: cannot read stacks\/aws-dev\.zenml\.yaml: EISDIR$/,
  },
  {
    name: "the document is a dangling symlink",
    category: YAML,
    argv: REGISTER,
    provisioned: true,
    files: { [ZENML_YAML]: { symlink: "/nonexistent/aws-dev.zenml.yaml" } },
    line: /^error: --stack: stacks\/aws-dev\.zenml\.yaml does not exist; run provision first$/,
  },
  {
    name: "register before provision",
    category: YAML,
    argv: REGISTER,
    line: /^error: --stack: stacks\/aws-dev\.zenml\.yaml does not exist; run provision first$/,
  },
];
