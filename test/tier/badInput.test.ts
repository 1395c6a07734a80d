/**
 * Bad inputs that need real software, each through the REAL CLI entry
 * (`main(argv, {io, deps, env})`) so the exit code and output are the user's.
 * REAL: a ZenML 0.98 server (authentication on) and this project's REST client;
 * moto (IAM enforcement on) with the S3 verifier using the minted key; Azurite
 * checking a SAS; the stack config and ZenML YAML files of a temporary project.
 * FAKE: the Pulumi workspace — its `up` runs the real program under Pulumi's mock
 * runtime with moto-backed resource creation (test/support/awsEmulator.ts), and
 * secret config values are kept in memory (no Pulumi CLI exists here).
 */
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { verifierFor } from "../../src/verify";
import { connectZenmlServer } from "../../src/automation/zenmlRegistrar";
import { main } from "../../src/cli";
import { ZenmlClient } from "../../src/zenml/client";
import { provisionOnMoto, s3Client } from "../support/awsEmulator";
import {
  azuriteAdmin,
  httpsGet,
  randomAccountKey,
  signServiceSas,
  startAzurite,
  type Azurite,
} from "../support/azurite";
import { AZURITE_LOGS_SAS_URLS, expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  freePort,
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";
import { TRACE_MARKS } from "../unit/badInput/harness";

const PASSPHRASE = "bad-input-tier-passphrase";
let moto: MotoServer;
let zenml: ZenmlServer;
let client: ZenmlClient;
const leaks = new LeakCheck();
const started = Date.now();

/** A temporary project whose fake workspace provisions into moto. */
function project(env: Record<string, string>): { f: Fakes; deps: Deps } {
  const f = fakes({ env });
  f.workspace.upHook = async () => {
    const stack = f.workspace.calls.find((c) => c.startsWith("createOrSelect "))!.split(" ")[1];
    const file = StackConfigFile.read(path.join(f.root, "stacks", `Pulumi.${stack}.yaml`));
    const { outputs } = await provisionOnMoto(moto, file.config);
    return {
      stores: { value: outputs.stores, secret: false },
      credentials: { value: outputs.credentials, secret: true },
    };
  };
  const deps: Deps = {
    ...f.deps,
    connectZenml: connectZenmlServer,
    verifierFor,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  leaks.text("CLI stdout", f.io.stdout).text("CLI stderr", f.io.stderr).dir(f.root);
  return { f, deps };
}

async function cli(
  f: Fakes,
  deps: Deps,
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  f.io.stdout.length = 0;
  f.io.stderr.length = 0;
  const code = await main(argv, { io: f.io, deps: () => deps, env });
  return { code, stdout: [...f.io.stdout], stderr: [...f.io.stderr] };
}

/** A digest of the project's stacks/ (names and bytes). */
function digest(root: string): string {
  const h = createHash("sha256");
  for (const name of fs.readdirSync(path.join(root, "stacks")).sort()) {
    h.update(name).update(fs.readFileSync(path.join(root, "stacks", name)));
  }
  return h.digest("hex");
}

/**
 * No stack trace and no error-class dump of ours. What a ZenML server says after
 * `(<status>): ` is quoted as the server wrote it — ZenML's own errors read
 * `IllegalOperationError: …` — so only our part of the line is checked for class names.
 */
function expectNoTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  const ours = text.replace(/\(\d{3}\): .*$/gm, "");
  for (const mark of TRACE_MARKS) expect(ours).not.toMatch(mark);
}

/** The names of every connector, secret, artifact store and stack the server holds. */
async function serverObjects(): Promise<string[]> {
  const headers = await zenml.authHeaders();
  const names: string[] = [];
  for (const collection of ["service_connectors", "secrets", "components", "stacks"]) {
    const r = await fetch(`${zenml.url}/api/v1/${collection}?size=100`, { headers });
    const page = (await r.json()) as { items: { name: string }[] };
    names.push(...page.items.map((i) => `${collection}/${i.name}`));
  }
  return names.sort();
}

beforeAll(async () => {
  leaks.captureOutput().secret("Pulumi passphrase", PASSPHRASE);
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  client = new ZenmlClient({ url: zenml.url, auth: { apiKey: zenml.apiKey! } });
  leaks
    .secret("ZenML API key", zenml.apiKey)
    .secret("moto admin secret", moto.admin.secretAccessKey)
    .log(zenml.logFile)
    .log(moto.logFile);
}, 1_200_000);

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
});

describe("register against a real ZenML server: one line, non-zero exit, nothing registered", () => {
  let f: Fakes;
  let deps: Deps;
  let env: Record<string, string>;
  let baseline: string[];
  let yamlPath: string;
  let original: string;

  beforeAll(async () => {
    env = { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, ZENML_STORE_API_KEY: zenml.apiKey! };
    ({ f, deps } = project(env));
    const r = await cli(
      f,
      deps,
      [
        "provision",
        "--stack",
        "reg",
        "--yes",
        "--no-verify",
        "--store-name",
        "bad-reg",
        "--backend",
        "aws",
        "--region",
        moto.region,
      ],
      env,
    );
    expect(r.code, r.stderr.join("\n")).toBe(0);
    for (const [key, value] of f.workspace.secrets) {
      if (/secret_access_key$/.test(key)) leaks.secret(key, value);
    }
    yamlPath = path.join(f.root, "stacks", "reg.zenml.yaml");
    original = fs.readFileSync(yamlPath, "utf8");
    baseline = await serverObjects();
  });

  async function expectRefused(
    argvEnv: Record<string, string>,
    line: RegExp,
    edit?: (text: string) => string,
    exit = 1,
  ): Promise<void> {
    fs.writeFileSync(yamlPath, edit ? edit(original) : original);
    const before = digest(f.root);
    const r = await cli(
      f,
      { ...deps, env: argvEnv },
      ["register", "--stack", "reg", "--server", zenml.url],
      argvEnv,
    );
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(line);
    expectNoTrace([...r.stdout, ...r.stderr].join("\n"));
    expect(r.stdout).toEqual([]);
    expect(r.code).toBe(exit);
    expect(digest(f.root)).toBe(before);
    expect(await serverObjects()).toEqual(baseline);
  }

  it("a wrong API key: the server refuses the login", async () => {
    const wrong = { ...env, ZENML_STORE_API_KEY: "ZENKEY_not-a-key-this-server-issued" };
    await expectRefused(
      wrong,
      /^error: registering bad-reg in http:\/\/127\.0\.0\.1:\d+: ZenML server \S+ refused the login \(401\): .+; check the API key or credentials$/,
    );
  });

  it("an auth method the aws connector type does not have: refused, nothing created", async () => {
    await expectRefused(
      env,
      /^error: registering bad-reg in \S+: ZenML server \S+ refused to create service connector "bad-reg-connector" \(400\): ValueError: connector configuration is not valid: "connector type 'aws' does not support the 'password' authentication method\./,
      (t) => t.replace("auth_method: secret-key", "auth_method: password"),
    );
  });

  it("a resource type the aws connector type does not have: refused, nothing created", async () => {
    await expectRefused(
      env,
      /refused to create service connector "bad-reg-connector" \(400\): ValueError: connector configuration is not valid: "connector type 'aws' does not support resource type 'gcs-bucket'\./,
      (t) => t.replace("- s3-bucket", "- gcs-bucket"),
    );
  });

  it("an artifact-store path its flavor refuses: stopped before any request (ZenML would keep the connector)", async () => {
    await expectRefused(
      env,
      /^error: stacks\/reg\.zenml\.yaml: component bad-reg \(flavor s3\) has path "gs:\/\/[^"]+"; it must start with s3:\/\/$/,
      (t) => t.replace(/path: s3:\/\//g, "path: gs://"),
      2,
    );
  });

  it("the registration then applies cleanly from the untouched document", async () => {
    fs.writeFileSync(yamlPath, original);
    const r = await cli(f, deps, ["register", "--stack", "reg", "--server", zenml.url], env);
    expect(r.code, r.stderr.join("\n")).toBe(0);
    expect(await client.findByName("stack", "bad-reg")).toBeDefined();
  });
});

describe("an adopted bucket that does not exist in moto", () => {
  const MISSING = "zrs-adopted-but-missing";
  let f: Fakes;
  let deps: Deps;
  const env = { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };

  async function buckets(): Promise<string[]> {
    const listed = await s3Client(moto, moto.admin).send(new ListBucketsCommand({}));
    return (listed.Buckets ?? []).map((b) => b.Name!);
  }

  beforeAll(() => {
    ({ f, deps } = project(env));
  });

  /** The verification report: exactly one failed line, naming the store, bucket and reason. */
  function expectOneFailure(r: { code: number; stdout: string[]; stderr: string[] }): void {
    const out = r.stdout.join("\n");
    expectNoTrace([out, ...r.stderr].join("\n"));
    expect(r.stderr.filter((l) => /^error:|fail/i.test(l))).toEqual([]);
    const failed = out.split("\n").filter((l) => /failed/.test(l));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(
      /^ {2}adopter \(aws\) storage: failed — write: NoSuchBucket \(HTTP 404\): The specified bucket does not exist.* \(after 1 attempt\)$/,
    );
    expect(r.code).toBe(3);
  }

  it("provision: the program creates the identity for it; verification fails with one clear line, exit 3", async () => {
    const r = await cli(
      f,
      deps,
      [
        "provision",
        "--stack",
        "adopt",
        "--yes",
        "--store-name",
        "adopter",
        "--backend",
        "aws",
        "--region",
        moto.region,
        "--adopt-bucket",
        "--bucket-name",
        MISSING,
        "--endpoint-url",
        moto.endpoint,
        "--verify-timeout",
        "0",
      ],
      env,
    );
    for (const [key, value] of f.workspace.secrets) {
      if (/secret_access_key$/.test(key)) leaks.secret(key, value);
    }
    expectOneFailure(r);
    expect(await buckets()).not.toContain(MISSING);
  });

  it("verify: the same line, exit 3, nothing created in moto or written to the project", async () => {
    const before = digest(f.root);
    const r = await cli(
      f,
      deps,
      [
        "verify",
        "--stack",
        "adopt",
        "--endpoint-url",
        moto.endpoint,
        "--verify-timeout",
        "0",
        "--no-zenml",
      ],
      env,
    );
    expectOneFailure(r);
    expect(r.stdout[0]).toMatch(/^Verification of stack adopt: FAILED/);
    expect(await buckets()).not.toContain(MISSING);
    expect(digest(f.root)).toBe(before);
  });
});

describe("an expired SAS on Azurite", () => {
  let azurite: Azurite | undefined;
  const accountKey = randomAccountKey();

  beforeAll(async () => {
    leaks.secret("Azurite account key", accountKey);
    azurite = await startAzurite({ accountName: "zrsexpired", accountKey, port: await freePort() });
  });
  afterAll(async () => {
    if (azurite) leaks.logNow(azurite.logFile, AZURITE_LOGS_SAS_URLS); // stop() deletes it
    await azurite?.stop();
  });

  it("Azurite refuses a container SAS whose expiry has passed (and accepts the same SAS unexpired)", async () => {
    await azuriteAdmin(azurite!, "create-container", "artifacts");
    const sasFor = (offsetMs: number): string => {
      const expiry = new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z");
      const sas = signServiceSas(
        {
          accountName: azurite!.accountName,
          canonicalizedResource: `/blob/${azurite!.accountName}/artifacts`,
          resource: "c",
          permissions: "racwdl",
          protocols: "https",
          sharedAccessExpiryTime: expiry,
        },
        accountKey,
      );
      leaks.secret(`SAS signature (${offsetMs})`, new URLSearchParams(sas).get("sig") ?? undefined);
      return sas;
    };
    const list = (sas: string) =>
      httpsGet(
        `${azurite!.blobEndpoint}artifacts?restype=container&comp=list&${sas}`,
        azurite!.caFile,
      );
    expect((await list(sasFor(3_600_000))).status).toBe(200);
    const expired = await list(sasFor(-3_600_000));
    expect(expired.status).toBe(403);
    // Azurite's answer is generic (Azure's real one says the signature expired).
    expect(expired.body).toContain("<Code>AuthorizationFailure</Code>");
  });

  it("`verify` reports it: the Azure Blob probe fails at `write` with Azurite's refusal, exit 3", async () => {
    // Trust Azurite's throw-away certificate in this process, as a CA bundle would.
    tls.setDefaultCACertificates([
      ...tls.getCACertificates("default"),
      fs.readFileSync(azurite!.caFile, "utf8"),
    ]);
    const env = { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };
    const { f, deps } = project(env);
    f.workspace.outputs = {
      stores: {
        value: {
          "az-sas": {
            backend: "azure",
            stackName: "az-sas",
            flavor: "azure",
            path: "az://artifacts",
            artifactStoreConfiguration: {
              path: "az://artifacts",
              authentication_secret: "az-sas-secret",
            },
            auth: { kind: "secret", name: "az-sas-secret" },
          },
        },
        secret: false,
      },
      credentials: {
        value: {
          "az-sas": {
            connection_string: `BlobEndpoint=${azurite!.blobEndpoint};SharedAccessSignature=sv=2015-04-05&sr=c&se=2000-01-01T00%3A00%3A00Z&sp=racwdl&spr=https&sig=expired-signature-placeholder`,
          },
        },
        secret: true,
      },
    };
    f.workspace.upHook = undefined;
    f.workspace.resources = [["zenml-remote-storage:azure:AzureBlobArtifactStore", "az-sas"]];
    expect(
      (
        await cli(
          f,
          deps,
          [
            "provision",
            "--stack",
            "az",
            "--yes",
            "--no-verify",
            "--store-name",
            "az-sas",
            "--backend",
            "azure",
            "--credentials",
            "sas",
            "--store-option",
            "location=westeurope",
            "--store-option",
            `sasExpiry=${new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z")}`,
          ],
          env,
        )
      ).code,
    ).toBe(0);
    const r = await cli(
      f,
      deps,
      ["verify", "--stack", "az", "--no-zenml", "--verify-timeout", "0"],
      env,
    );
    expect(r.code).toBe(3);
    expect(r.stdout.join("\n")).toMatch(
      /az-sas \(azure\) storage: failed — write: AuthorizationFailure \(HTTP 403\): Server failed to authenticate the request\./,
    );
  });
});

describe("leak check", () => {
  it("no secret in output, service logs or the projects' files", () => {
    expectNoLeaks(leaks, { texts: 3, logs: 3, files: 3 });
    console.log(`test/tier/badInput.test.ts: ${Math.round((Date.now() - started) / 1000)} s`);
  });
});
