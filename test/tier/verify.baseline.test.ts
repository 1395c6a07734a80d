/**
 * `verify --baseline` against moto, the GCS emulator and Azurite: buckets provisioned
 * the way this project provisions them, and buckets made without its hardening.
 *
 * REAL: every read of the live settings (the AWS SDK's Get* calls on moto's S3 API with
 * moto's admin key as the operator's ambient credentials; @google-cloud/storage's
 * buckets.get on the emulator with an operator's service-account key as Application
 * Default Credentials, exchanged at the emulator's front; @azure/storage-blob's container
 * properties on Azurite with the account key from AZURE_STORAGE_CONNECTION_STRING), the
 * comparison, the `verify` command, its text, JSON and exit code, and the storage probe
 * that runs before the audit.
 * EMULATED: the clouds. moto, the GCS emulator and Azurite store and return the settings
 * they are given; they do not enforce most of them. The Pulumi engine and providers are
 * replaced by mocks that create in the emulators what the program asks for
 * (test/support/awsEmulator.ts, gcsEmulator.ts); the bucket policy the program asks for
 * (tlsOnlyBucketPolicy) is applied by this test with the admin key, as the provider
 * would (the moto-backed mocks leave it out, see awsEmulator.ts).
 * WHAT THE EMULATORS CANNOT SHOW: Azurite has no management plane, so the Azure account's
 * settings (allow blob public access, HTTPS only, minimum TLS, versioning) are reported
 * "not checked" with --endpoint-url; only the container's public access level is read.
 * moto cannot tell TLS from plain HTTP: with the TLS-only policy in place it refuses the
 * probe over its plain-HTTP endpoint (as AWS would refuse a plain-HTTP request).
 */
import {
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baselineAuditorFor } from "../../src/verify/baseline";
import type { Expectation } from "../../src/verify/baseline/compare";
import { provision } from "../../src/automation/commands/provision";
import { verify } from "../../src/automation/commands/verify";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { verifierFor } from "../../src/verify";
import { tlsOnlyBucketPolicy } from "../../src/stores/aws/policies";
import type { StoreUnderTest } from "../../src/verify/types";
import { provisionOnMoto, s3Client, type Created } from "../support/awsEmulator";
import {
  azuriteAdmin,
  randomAccountKey,
  signServiceSas,
  startAzurite,
  type Azurite,
} from "../support/azurite";
import {
  mintServiceAccountKey,
  provisionOnGcsEmulator,
  startGcsEmulator,
  type GcsEmulator,
} from "../support/gcsEmulator";
import { AZURITE_LOGS_SAS_URLS, expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { startMoto, type MotoServer } from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";

const GCP_PROJECT = "zrs-baseline";
const DEFAULTS: Expectation = {
  versioning: false,
  noncurrentVersionExpirationDays: 30,
  abortIncompleteUploadDays: 7,
};

let moto: MotoServer;
let emu: GcsEmulator;
let azurite: Azurite;
let f: Fakes;
let deps: Deps;
let created: Created[] = [];
let stack = "";
const savedEnv = { ...process.env };
const leaks = new LeakCheck();
const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-baseline-"));

function stackFile(): StackConfigFile {
  return StackConfigFile.read(path.join(f.root, "stacks", `Pulumi.${stack}.yaml`));
}

/** The lines of the audit for `store`, as the command printed them. */
function auditLines(text: string, store: string): string[] {
  const from = text.split("\n").findIndex((l) => l.startsWith("Baseline audit:"));
  return text
    .split("\n")
    .slice(from + 1)
    .filter((l) => l.startsWith(`  ${store}`));
}

beforeAll(async () => {
  leaks.captureOutput();
  [moto, emu] = [await startMoto(), await startGcsEmulator()];
  f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase" } });
  f.workspace.upHook = async () => {
    const config = stackFile().config;
    const backend = JSON.stringify(config["zenml-remote-storage:stores"]);
    const provisioned = backend.includes('"gcp"')
      ? await provisionOnGcsEmulator(emu, config)
      : await provisionOnMoto(moto, config);
    created = provisioned.created;
    // Resources whose inputs resolve after the program's outputs register a moment later.
    for (let seen = -1; seen !== created.length;) {
      seen = created.length;
      await new Promise((r) => setTimeout(r, 300));
    }
    return {
      stores: { value: provisioned.outputs.stores, secret: false },
      credentials: { value: provisioned.outputs.credentials, secret: true },
    };
  };
  deps = {
    ...f.deps,
    verifierFor,
    baselineAuditorFor,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  // The operator's own credentials, where each cloud's SDK looks for them.
  process.env.AWS_ACCESS_KEY_ID = moto.admin.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = moto.admin.secretAccessKey;
  leaks
    .secret("Pulumi passphrase", "tier-passphrase")
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .text("CLI stdout", f.io.stdout)
    .text("CLI stderr", f.io.stderr)
    .log(moto.logFile)
    .log(emu.logFile)
    .dir(f.root)
    .dir(tmp);
}, 1_200_000);

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await moto?.stop();
  await emu?.stop();
  await azurite?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function provisionStore(name: string, args: Record<string, unknown>): Promise<void> {
  stack = name;
  const outcome = await provision(
    { stack: name, yes: true, verify: false, storeName: name, ...args },
    deps,
  );
  leaks.text(`provision ${name}`, `${outcome.text}\n${JSON.stringify(outcome.data)}`);
  for (const [key, value] of f.workspace.secrets) {
    if (/(secret_access_key|service_account_json)$/.test(key)) leaks.secret(key, value);
  }
  expect(outcome.exitCode).toBe(0);
}

async function verifyBaseline(name: string, endpointUrl: string) {
  const outcome = await verify(
    { stack: name, zenml: false, baseline: true, endpointUrl, verifyTimeout: 5 },
    deps,
  );
  leaks.text(`verify ${name}`, `${outcome.text}\n${JSON.stringify(outcome.data)}`);
  return outcome;
}

describe("AWS S3 on moto", () => {
  it("a bucket provisioned as the program provisions it has no deviation", async () => {
    await provisionStore("s3-hardened", {
      backend: "aws",
      region: moto.region,
      credentials: "access-key",
    });
    // The policy S3ArtifactStore attaches, from the same function.
    const bucket = String(created.find((c) => c.type === "aws:s3/bucket:Bucket")!.state.bucket);
    const arn = `arn:aws:s3:::${bucket}`;
    await s3Client(moto, moto.admin).send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify(tlsOnlyBucketPolicy({ bucketArn: arn, objectsArn: `${arn}/*` })),
      }),
    );
    const outcome = await verifyBaseline("s3-hardened", moto.endpoint);
    const audit = outcome.data.baseline!.stores[0];
    expect(audit.deviations).toEqual([]);
    expect(audit.unreadable).toEqual([]);
    expect(audit.compliant).toHaveLength(11);
    expect(outcome.data.baseline!.ok).toBe(true);
    expect(auditLines(outcome.text, "s3-hardened")).toEqual([
      "  s3-hardened (aws): 0 deviations, 11 settings as the baseline",
    ]);
    // The TLS-only policy refuses the probe on moto's plain-HTTP endpoint.
    expect(outcome.data.checks[0].storage.status).toBe("failed");
    expect(outcome.data.checks[0].storage.detail).toMatch(/^write: .*HTTP 403/);
  });

  it("a bucket made with public access allowed, no encryption and no policy: each deviation, exit 3", async () => {
    const s3 = s3Client(moto, moto.admin);
    await s3.send(new CreateBucketCommand({ Bucket: "zrs-open-bucket" }));
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: "zrs-open-bucket",
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: false,
          IgnorePublicAcls: false,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      }),
    );
    await provisionStore("s3-open", {
      backend: "aws",
      region: moto.region,
      credentials: "access-key",
      bucketName: "zrs-open-bucket",
      adoptBucket: true,
    });
    const outcome = await verifyBaseline("s3-open", moto.endpoint);
    expect(outcome.data.checks[0].storage.status).toBe("passed");
    expect(outcome.exitCode).toBe(3);
    expect(auditLines(outcome.text, "s3-open")).toEqual([
      "  s3-open (aws): 8 deviations, 3 settings as the baseline",
      "  s3-open: public access block: BlockPublicAcls: found false, expected true — new public ACLs are accepted",
      "  s3-open: public access block: IgnorePublicAcls: found false, expected true — existing public ACLs take effect",
      "  s3-open: public access block: BlockPublicPolicy: found false, expected true — a public bucket policy can be attached",
      "  s3-open: public access block: RestrictPublicBuckets: found false, expected true — a public policy gives anonymous access",
      "  s3-open: object ownership: found not set, expected BucketOwnerEnforced — ACLs stay in effect; writers may own objects",
      "  s3-open: default encryption: found none, expected AES256 — objects are not encrypted as configured",
      "  s3-open: bucket policy: TLS only: found no bucket policy, expected Deny s3:* when aws:SecureTransport is false — requests over plain HTTP are accepted",
      "  s3-open: lifecycle: abort incomplete multipart uploads: found no rule for the whole bucket, expected after 7 days — unfinished uploads are kept and billed",
    ]);
    expect(outcome.data.baseline!.deviations).toHaveLength(8);
  });

  it("S3-compatible (moto as the server): a public bucket policy is a deviation, a private bucket is not", async () => {
    const s3 = s3Client(moto, moto.admin);
    for (const Bucket of ["zrs-private", "zrs-public"]) {
      await s3.send(new CreateBucketCommand({ Bucket }));
    }
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: "zrs-public",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "PublicRead",
              Effect: "Allow",
              Principal: { AWS: ["*"] },
              Action: ["s3:GetObject"],
              Resource: ["arn:aws:s3:::zrs-public/*"],
            },
          ],
        }),
      }),
    );
    const auditor = (await baselineAuditorFor("s3-compatible"))!;
    const store = (bucket: string): StoreUnderTest => ({
      storeName: bucket,
      backend: "s3-compatible",
      path: `s3://${bucket}`,
      artifactStoreConfiguration: {
        path: `s3://${bucket}`,
        client_kwargs: { region_name: moto.region, endpoint_url: moto.endpoint },
      },
      auth: { kind: "secret", name: `${bucket}-s3-key` },
      credentials: {},
    });
    const ok = await auditor.audit(store("zrs-private"), DEFAULTS, {});
    expect(ok.deviations).toEqual([]);
    expect(ok.compliant).toEqual(["bucket policy: anonymous access", "ACL: public grants"]);
    const open = await auditor.audit(store("zrs-public"), DEFAULTS, {});
    expect(open.deviations.map((d) => `${d.setting}: ${d.found}`)).toEqual([
      "bucket policy: anonymous access: Allow to everyone (PublicRead: s3:GetObject)",
    ]);
  });
});

describe("GCS on the emulator (operator: a service-account key as Application Default Credentials)", () => {
  let operator: string;

  beforeAll(async () => {
    operator = `auditor@${GCP_PROJECT}.iam.gserviceaccount.com`;
    const key = await mintServiceAccountKey(emu, operator);
    const keyFile = path.join(tmp, "operator-key.json");
    fs.writeFileSync(keyFile, key.json, { mode: 0o600 });
    leaks.credentials("operator key", { service_account_json: key.json }).allowFile(keyFile);
    process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
  });

  it("a bucket provisioned as the program provisions it has no deviation; the probe passes", async () => {
    await provisionStore("gcs-hardened", {
      backend: "gcp",
      credentials: "service-account-key",
      storeOption: [`project=${GCP_PROJECT}`, "location=europe-west1"],
    });
    const bucket = String(created.find((c) => c.type === "gcp:storage/bucket:Bucket")!.state.name);
    await emu.bind(bucket, "roles/storage.legacyBucketReader", `serviceAccount:${operator}`);
    const outcome = await verifyBaseline("gcs-hardened", emu.endpoint);
    expect(outcome.data.checks[0].storage.status).toBe("passed");
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.baseline!.stores[0]).toMatchObject({
      deviations: [],
      unreadable: [],
      compliant: [
        "uniform bucket-level access",
        "public access prevention",
        "retention policy",
        "lifecycle: abort incomplete multipart uploads",
        "versioning",
      ],
    });
    // The settings were read by the operator's account, not the store's.
    expect(await emu.requestLog()).toContainEqual(
      expect.objectContaining({
        kind: "gcs",
        email: operator,
        method: "GET",
        path: `/storage/v1/b/${bucket}`,
        status: 200,
      }),
    );
  });

  it("a bucket with the emulator's defaults, versioning and a retention policy: each deviation, exit 3", async () => {
    const bucket = "zrs-open-gcs";
    const admin = (method: string, url: string, body: unknown) =>
      fetch(`${emu.emulatorEndpoint}${url}`, {
        method,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await admin("POST", `/storage/v1/b?project=${GCP_PROJECT}`, { name: bucket })).ok).toBe(
      true,
    );
    await admin("PATCH", `/storage/v1/b/${bucket}`, {
      versioning: { enabled: true },
      retentionPolicy: { retentionPeriod: "2592000", isLocked: false },
    });
    await emu.bind(bucket, "roles/storage.legacyBucketReader", `serviceAccount:${operator}`);
    await provisionStore("gcs-open", {
      backend: "gcp",
      credentials: "service-account-key",
      bucketName: bucket,
      adoptBucket: true,
      storeOption: [`project=${GCP_PROJECT}`],
    });
    const outcome = await verifyBaseline("gcs-open", emu.endpoint);
    expect(outcome.exitCode).toBe(3);
    expect(auditLines(outcome.text, "gcs-open")).toEqual([
      "  gcs-open (gcp): 5 deviations, 0 settings as the baseline",
      "  gcs-open: uniform bucket-level access: found off, expected on — object ACLs can grant access outside IAM",
      "  gcs-open: public access prevention: found not set, expected enforced — the bucket or its objects can be made public",
      "  gcs-open: retention policy: found 2592000 s, expected none — ZenML cannot delete or overwrite artifacts until they age",
      "  gcs-open: lifecycle: abort incomplete multipart uploads: found no rule for the whole bucket, expected after 7 days — unfinished uploads are kept and billed",
      "  gcs-open: versioning: found on, expected off — old versions are kept and billed (ZenML advises against versioning)",
    ]);
  });

  it("without the operator's read access the settings are unreadable, never compliant", async () => {
    const gcs = (await baselineAuditorFor("gcp"))!;
    const audit = await gcs.audit(
      {
        storeName: "no-access",
        backend: "gcp",
        path: "gs://zrs-not-mine",
        artifactStoreConfiguration: { path: "gs://zrs-not-mine" },
        auth: {
          kind: "connector",
          type: "gcp",
          method: "service-account",
          resourceType: "gcs-bucket",
          resourceId: "gs://zrs-not-mine",
          configuration: {},
        },
        credentials: {},
      },
      DEFAULTS,
      { endpointUrl: emu.endpoint },
    );
    expect(audit.compliant).toEqual([]);
    expect(audit.unreadable[0]).toEqual({
      setting: "uniform bucket-level access",
      reason: `HTTP 403: ${operator} does not have storage.buckets.get access to bucket zrs-not-mine.`,
    });
  });
});

describe("Azure Blob on Azurite (operator: the account key in AZURE_STORAGE_CONNECTION_STRING)", () => {
  const accountKey = randomAccountKey();
  const accountName = "zrsbaseline";

  beforeAll(async () => {
    azurite = await startAzurite({ accountName, accountKey });
    tls.setDefaultCACertificates([
      ...tls.getCACertificates("default"),
      fs.readFileSync(azurite.caFile, "utf8"),
    ]);
    await azuriteAdmin(azurite, "create-container", "private-artifacts");
    const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
    await new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(accountName, accountKey),
    )
      .getContainerClient("public-artifacts")
      .create({ access: "container" });
    process.env.AZURE_STORAGE_CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=${accountName};AccountKey=${accountKey};BlobEndpoint=${azurite.blobEndpoint}`;
    leaks.secret("Azurite account key", accountKey).log(azurite.logFile, AZURITE_LOGS_SAS_URLS);
  });

  /** A SAS store as the component records it; the audit uses only its endpoint. */
  function sasStore(container: string): StoreUnderTest {
    const sas = signServiceSas(
      {
        accountName,
        canonicalizedResource: `/blob/${accountName}/${container}`,
        resource: "c",
        permissions: "racwdl",
        protocols: "https",
        sharedAccessExpiryTime: "2099-01-01T00:00:00Z",
      },
      accountKey,
    );
    leaks.secret(`SAS signature (${container})`, new URLSearchParams(sas).get("sig")!);
    return {
      storeName: container,
      backend: "azure",
      path: `az://${container}`,
      artifactStoreConfiguration: { path: `az://${container}` },
      auth: { kind: "secret", name: `${container}-secret` },
      credentials: {
        connection_string: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}`,
      },
    };
  }

  it("a private container passes; the account's settings are not checked (no management plane)", async () => {
    const audit = await (await baselineAuditorFor("azure"))!.audit(
      sasStore("private-artifacts"),
      DEFAULTS,
      { endpointUrl: azurite.blobEndpoint },
    );
    leaks.text("azure private", JSON.stringify(audit));
    expect(audit.deviations).toEqual([]);
    expect(audit.compliant).toEqual(["container public access"]);
    expect(audit.notShown.map((n) => n.setting)).toEqual([
      "account: allow blob public access",
      "account: HTTPS only",
      "account: minimum TLS version",
      "versioning",
    ]);
    expect(audit.notShown[0].reason).toMatch(
      /is a blob endpoint only; account settings come from Azure Resource Manager$/,
    );
  });

  it("a container with anonymous access is a deviation", async () => {
    const audit = await (await baselineAuditorFor("azure"))!.audit(
      sasStore("public-artifacts"),
      DEFAULTS,
      { endpointUrl: azurite.blobEndpoint },
    );
    leaks.text("azure public", JSON.stringify(audit));
    expect(audit.deviations).toEqual([
      {
        store: "public-artifacts",
        setting: "container public access",
        found: "container",
        expected: "off",
        risk: "anyone can read blobs without a key",
      },
    ]);
  });
});

it("leak check: no key, secret or passphrase in output, the emulators' logs or files", () => {
  expectNoLeaks(leaks, { texts: 8, logs: 3, files: 1 });
  console.log(`test/tier/verify.baseline.test.ts: ${Math.round((Date.now() - started) / 1000)} s`);
});
