// plan --offline, in process: the REAL program (src/index.ts) under Pulumi's mock
// runtime with placeholder outputs — no cloud, no Pulumi CLI, no credentials.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan } from "../../../src/automation/commands/plan";
import { labelledGrant } from "../../../src/plan/access";
import type { PlanReport } from "../../../src/plan/report";
import { fakes, snapshot } from "./support/fakes";

let report: PlanReport;
let text: string;
let root: string;
let before: Record<string, string>;

beforeAll(async () => {
  const f = fakes({ env: {} });
  root = f.root;
  before = snapshot(root);
  const outcome = await plan({ offline: true, stack: "aws-dev", credentials: "iam-role" }, f.deps);
  report = outcome.data;
  text = outcome.text;
});

describe("plan --offline (aws-dev example, iam-role from a flag)", () => {
  it("writes nothing and needs no passphrase", () => {
    expect(snapshot(root)).toEqual(before);
  });

  it("lists what would be created for the store, with its security inputs", () => {
    expect(report.stores.map((s) => s.name)).toEqual(["s3-store"]);
    const store = report.stores[0];
    expect(store.component).toBe("zenml-remote-storage:aws:S3ArtifactStore");
    const types = store.resources.map((r) => r.type).sort();
    expect(types).toEqual(
      [
        "aws:iam/accessKey:AccessKey",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/user:User",
        "aws:iam/userPolicy:UserPolicy",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ].sort(),
    );
    const pab = store.resources.find((r) => r.type.endsWith("BucketPublicAccessBlock"))!;
    expect(pab.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const bucket = store.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.tags).toBeUndefined();
    expect(store.registration).toMatchObject({
      backend: "aws",
      auth: { kind: "connector", method: "iam-role", resourceType: "s3-bucket" },
    });
  });

  it("reports who may do what: the role on the bucket, the user only assuming the role", () => {
    const grants = report.access.grants.map(labelledGrant);
    const role = grants.filter(
      (g) => g.principal.includes("[Role s3-store-role]") && g.kind === "identity policy",
    );
    expect(role.map((g) => g.actions)).toEqual([
      ["s3:ListBucket", "s3:GetBucketVersioning", "s3:ListBucketVersions"],
      ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
    ]);
    expect(role[0].resources[0]).toMatch(
      /^arn:aws:s3:::zenml-s3-store-plc[0-9a-f]{7} \[Bucket s3-store-bucket\]$/,
    );
    expect(role[1].resources[0]).toMatch(
      /^arn:aws:s3:::zenml-s3-store-plc[0-9a-f]{7}\/\* \[Bucket s3-store-bucket\]$/,
    );
    const user = grants.filter((g) => g.principal.startsWith("IAM user"));
    expect(user).toHaveLength(1);
    expect(user[0].actions).toEqual(["sts:AssumeRole"]);
    expect(user[0].resources[0]).toMatch(/\[Role s3-store-role\]$/);
    const trust = grants.filter((g) => g.kind === "trust policy");
    expect(trust).toHaveLength(1);
    expect(trust[0].resources[0]).toMatch(/\[Role s3-store-role\]$/);
    const tls = grants.find((g) => g.kind === "resource policy")!;
    expect(tls).toMatchObject({
      principal: "anyone (*)",
      effect: "Deny",
      actions: ["s3:*"],
      conditions: ["aws:SecureTransport Bool false"],
    });
    expect(report.access.warnings).toEqual([]);
    expect(report.access.credentials).toHaveLength(1);
    expect(report.access.credentials[0].via).toBe("aws:iam/accessKey:AccessKey s3-store-key");
  });

  it("never shows a credential value, even a placeholder one", () => {
    expect(text).not.toContain("placeholder-secret");
    expect(JSON.stringify(report)).not.toContain("placeholder-secret");
    expect(text).toContain("Nothing was created.");
  });
});

describe("plan --offline of every example stack, with no secret set", () => {
  const examples = ["aws-dev", "gcp-dev", "azure-dev", "minio-dev"];

  it.each(examples)(
    "%s plans, and names each store secret it planned with a placeholder",
    async (stack) => {
      const f = fakes({ env: {} });
      const outcome = await plan({ offline: true, stack }, f.deps);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.data.stores.length).toBeGreaterThan(0);
      const unset = outcome.data.notes.filter((n) => n.startsWith("storeSecrets."));
      if (stack === "minio-dev") {
        expect(unset).toEqual([
          "storeSecrets.minio-store.accessKeyId is not set: planned with a placeholder; set it before provision: pulumi config set --secret --path 'storeSecrets.minio-store.accessKeyId' <value>",
          "storeSecrets.minio-store.secretAccessKey is not set: planned with a placeholder; set it before provision: pulumi config set --secret --path 'storeSecrets.minio-store.secretAccessKey' <value>",
        ]);
      } else {
        expect(unset).toEqual([]);
      }
    },
  );

  it("plans a GCP impersonation store without its key, and refuses store secrets in plain text", async () => {
    const f = fakes({ env: {} });
    const config = path.join(f.root, "imp.yaml");
    fs.writeFileSync(
      config,
      [
        "config:",
        "  gcp:project: ml-platform-prod",
        "  gcp:region: europe-west1",
        "  zenml-remote-storage:stores:",
        "    - name: gcs-imp",
        "      backend: gcp",
        "      credentials: impersonation",
        "      impersonator: serviceAccount:src@ml-platform-prod.iam.gserviceaccount.com",
        "",
      ].join("\n"),
    );
    const outcome = await plan({ offline: true, config }, f.deps);
    expect(outcome.data.notes).toContain(
      "storeSecrets.gcs-imp.impersonatorKey is not set: planned with a placeholder; set it before provision: pulumi config set --secret --path 'storeSecrets.gcs-imp.impersonatorKey' <value>",
    );
    fs.appendFileSync(
      config,
      "  zenml-remote-storage:storeSecrets:\n    gcs-imp:\n      impersonatorKey: plain-text\n",
    );
    await expect(plan({ offline: true, config }, f.deps)).rejects.toThrow(
      "holds plain text; remove it from the stack file and store it encrypted: pulumi config set --secret --path 'storeSecrets.<store>.<field>' <value>",
    );
  });
});
