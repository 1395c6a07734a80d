/**
 * `pulumi preview` of the shipped project and of every example stack, run the
 * way the Pulumi CLI runs it: `@pulumi/pulumi/cmd/run` spawned with the
 * language host's arguments and environment (working directory and entry
 * point from Pulumi.yaml's `main`, config from the stack file), against the
 * harness's resource monitor. Real: cmd/run, the program (through its entry
 * src/main.js and the transpile cache), the SDK's
 * serialisation (secrets, unknowns, dynamic providers' `__provider`). Emulated:
 * the engine's step generation and the provider plugins (previews call no
 * provider; the data sources answer with placeholders, placeholders.ts).
 *
 * Every preview runs exactly as a user's would: no switch of cmd/run's is set
 * (Pulumi.yaml says `typescript: false`; src/main.js transpiles, no type-check).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LanghostEngine, type RunResult } from "../support/langhost/engine";
import { getPwdMain } from "../support/langhost/project";
import { PLACEHOLDER_INVOKES } from "../support/langhost/placeholders";
import { copyProject, type ProjectCopy } from "../support/langhost/projectCopy";
import { fakeCiphertext, setStackConfigText } from "../support/langhost/stackFileEdit";
import { UNKNOWN, isSecret, type WireMap } from "../support/langhost/wire";
import { REPO_ROOT } from "../support/services";

const NS = "zenml-remote-storage";

function engineFor(root: string, stack: string): LanghostEngine {
  const engine = new LanghostEngine({ projectRoot: root, stack });
  for (const [token, handler] of Object.entries(PLACEHOLDER_INVOKES)) engine.invoke(token, handler);
  return engine;
}

/** The first line the CLI would print after `error:` (quoted in the report when a preview fails). */
function firstError(run: RunResult): string {
  return run.errors[0]?.split("\n")[0] ?? "";
}

function expectPreviewOk(run: RunResult): void {
  const detail =
    `first error: ${firstError(run)}\nall errors:\n${run.errors.join("\n---\n")}\n` +
    `program stderr (tail):\n${run.program.stderr.slice(-3000)}`;
  expect(run.errors, detail).toEqual([]);
  expect(run.program.exitCode, detail).toBe(0);
  expect(run.ok, detail).toBe(true);
}

function registered(run: RunResult, type: string, name: string) {
  const reg = run.registrations.find((r) => r.type === type && r.name === name);
  expect(reg, `${type} ${name} registered`).toBeDefined();
  return reg!;
}

describe("preview of the shipped project through cmd/run", () => {
  let run: RunResult;

  beforeAll(async () => {
    run = await engineFor(REPO_ROOT, "aws-dev").preview();
    console.log(
      `aws-dev preview: ${Math.round(run.durationMs / 1000)} s, exit ${run.program.exitCode}, ` +
        `${run.registrations.length} registrations, first error: ${JSON.stringify(firstError(run))}`,
    );
  }, 1_800_000);

  it("runs the program in the directory and with the entry point the engine derives from Pulumi.yaml", () => {
    const main = (
      parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { main?: string }
    ).main;
    const expected = getPwdMain(REPO_ROOT, main);
    const args = run.program.argv;
    expect(args[args.indexOf("--pwd") + 1]).toBe(expected.pwd);
    expect(args[args.length - 1]).toBe(expected.main);
    expect(args[args.indexOf("--root-directory") + 1]).toBe(REPO_ROOT);
    expect(args).toContain("--dry-run");
  });

  it("previews without an error", () => {
    expectPreviewOk(run);
  });

  it("registers the store, its hardened bucket and its identity", () => {
    const store = registered(run, "zenml-remote-storage:aws:S3ArtifactStore", "s3-store");
    const bucket = registered(run, "aws:s3/bucket:Bucket", "s3-store-bucket");
    expect(bucket.parent).toBe(store.urn);
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.bucketPrefix).toMatch(/^zenml-s3-store-/);
    expect(bucket.inputs.tags).toEqual({ team: "ml-platform", [`${NS}:store`]: "s3-store" });

    const block = registered(
      run,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "s3-store-public-access-block",
    );
    expect(block.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      registered(
        run,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "s3-store-ownership",
      ).inputs.rule,
    ).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    const sse = registered(
      run,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "s3-store-encryption",
    );
    expect(sse.inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
    ]);
    const lifecycle = registered(
      run,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "s3-store-lifecycle",
    );
    expect((lifecycle.inputs.rules as WireMap[])[0]).toMatchObject({
      status: "Enabled",
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    });
    // The TLS-only policy is built from the bucket's ARN, which a preview does not know yet.
    expect(
      registered(run, "aws:s3/bucketPolicy:BucketPolicy", "s3-store-tls-only").inputs.policy,
    ).toBe(UNKNOWN);
    expect(
      run.registrations.some((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning"),
    ).toBe(false);

    registered(run, "aws:iam/user:User", "s3-store-user");
    const key = registered(run, "aws:iam/accessKey:AccessKey", "s3-store-key");
    expect(key.additionalSecretOutputs).toContain("secret");
    registered(run, "aws:iam/userPolicy:UserPolicy", "s3-store-user-access");
    expect(run.registrations.some((r) => r.type === "aws:iam/role:Role")).toBe(false);
  });

  it("plans creates only, the stack's credentials output a secret", () => {
    expect(Object.keys(run.summary)).toEqual(["create"]);
    expect(isSecret(run.stackOutputs.credentials)).toBe(true);
  });
});

describe("preview of every example stack through cmd/run", () => {
  let copy: ProjectCopy;

  beforeAll(() => {
    copy = copyProject(REPO_ROOT);
  });
  afterAll(() => copy?.remove());

  const examples = fs
    .readdirSync(path.join(REPO_ROOT, "stacks"))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);

  it("finds the examples", () => {
    expect(examples.sort()).toEqual(["aws-dev", "azure-dev", "gcp-dev", "minio-dev"]);
  });

  /**
   * Secure values an example needs before it can run: the MinIO store's admin
   * key (src/config/storeSecrets.ts: `storeSecrets.<store>`).
   * They are set as `pulumi config set --secret --path` would, with placeholder plaintexts.
   */
  const SECRETS: Record<string, Record<string, string>> = {
    "minio-dev": {
      [`${NS}:storeSecrets.minio-store.accessKeyId`]: "placeholder-admin",
      [`${NS}:storeSecrets.minio-store.secretAccessKey`]: "placeholder-admin-password",
    },
  };

  for (const stack of ["aws-dev", "azure-dev", "gcp-dev", "minio-dev"]) {
    it(`previews ${stack} without an error`, async () => {
      const plaintexts = SECRETS[stack] ?? {};
      const file = path.join(copy.root, "stacks", `Pulumi.${stack}.yaml`);
      for (const [key, value] of Object.entries(plaintexts)) {
        const text = setStackConfigText(
          fs.readFileSync(file, "utf8"),
          NS,
          key,
          { secure: fakeCiphertext(value) },
          { path: true },
        );
        fs.writeFileSync(file, text);
      }
      const run = await engineFor(copy.root, stack).preview({ plaintexts });
      console.log(
        `${stack} preview: ${Math.round(run.durationMs / 1000)} s, first error: ${JSON.stringify(firstError(run))}`,
      );
      expectPreviewOk(run);
      expect(run.summary.create).toBeGreaterThan(2);
      expect(run.registrations.filter((r) => r.custom).length).toBeGreaterThan(0);
      for (const value of Object.values(plaintexts)) {
        expect(run.program.stdout + run.program.stderr).not.toContain(value);
      }
    }, 900_000);
  }
});

describe("preview from a production install (npm ci --omit=dev)", () => {
  let copy: ProjectCopy;
  let run: RunResult;

  beforeAll(async () => {
    copy = copyProject(REPO_ROOT, { production: true });
    // npm installs ts-node as @pulumi/pulumi's optional peer; the program must not need it.
    fs.rmSync(path.join(copy.root, "node_modules", "ts-node"), { recursive: true });
    run = await engineFor(copy.root, "aws-dev").preview();
  }, 1_800_000);
  afterAll(() => copy?.remove());

  it("has no devDependencies and no ts-node, but TypeScript, which the program's entry transpiles with", () => {
    const installed = (name: string): boolean =>
      fs.existsSync(path.join(copy.root, "node_modules", name, "package.json"));
    expect(installed("vitest")).toBe(false);
    expect(installed("eslint")).toBe(false);
    expect(installed("typescript")).toBe(true);
    expect(installed("ts-node")).toBe(false);
  });

  it("previews the shipped aws-dev stack without an error", () => {
    expectPreviewOk(run);
    expect(run.registrations.some((r) => r.type === "aws:s3/bucket:Bucket")).toBe(true);
  });
});
