/**
 * `plan --offline --emit DIR` and the `zenml` CLI script it writes, run as a user would:
 * REAL: the bin (spawned, bare environment: no cloud credentials, no Pulumi CLI), a ZenML
 * 0.98 server (auth on, service-account API key) and the venv's ZenML 0.98 client running
 * the script with bash; the Python packages the script checks for; ZenML's own objects
 * read back over REST.
 * EMULATED: every cloud. The plan runs the program under Pulumi's mock runtime, so bucket
 * names, account/project/tenant ids are placeholders, and the credentials are fakes made
 * here; nothing can be reached, so the connectors are registered with --no-verify. A
 * missing Python package is emulated by a module on PYTHONPATH that fails to import.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ZenmlClient } from "../../src/zenml/client";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  runProcess,
  runZenml,
  startZenmlServer,
  venvBin,
  type RunResult,
  type ZenmlServer,
} from "../support/services";

const REPO = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "zenml-remote-storage");

function secret(prefix = ""): string {
  return prefix + randomBytes(18).toString("base64url");
}

const gcpKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs8",
  format: "pem",
}) as string;

interface Case {
  readonly stack: string;
  readonly config: string;
  /** Secret env var → fake value. */
  readonly secrets: Readonly<Record<string, string>>;
}

const CASES: readonly Case[] = [
  {
    stack: "rnd-aws-key",
    config: `config:
  aws:region: eu-west-1
  zenml-remote-storage:stores:
    - name: rnd-aws-key
      backend: aws
      credentials: access-key
`,
    secrets: {
      ZRS_RND_AWS_KEY_AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
      ZRS_RND_AWS_KEY_AWS_SECRET_ACCESS_KEY: secret(),
    },
  },
  {
    stack: "rnd-aws-role",
    config: `config:
  aws:region: eu-west-1
  zenml-remote-storage:stores:
    - name: rnd-aws-role
      backend: aws
      credentials: iam-role
`,
    secrets: {
      ZRS_RND_AWS_ROLE_AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
      ZRS_RND_AWS_ROLE_AWS_SECRET_ACCESS_KEY: secret(),
    },
  },
  {
    stack: "rnd-gcs",
    config: `config:
  gcp:project: my-ml-project
  gcp:region: europe-west1
  zenml-remote-storage:stores:
    - name: rnd-gcs-sa
      backend: gcp
      credentials: service-account-key
`,
    secrets: {
      ZRS_RND_GCS_SA_SERVICE_ACCOUNT_JSON: JSON.stringify({
        type: "service_account",
        project_id: "my-ml-project",
        private_key_id: randomBytes(20).toString("hex"),
        private_key: gcpKey,
        client_email: "zenml-rnd-gcs-sa@my-ml-project.iam.gserviceaccount.com",
        client_id: "123456789012345678901",
        auth_uri: "https://accounts.google.com/o/oauth2/auth",
        token_uri: "https://oauth2.googleapis.com/token",
      }),
    },
  },
  {
    stack: "rnd-azsp",
    config: `config:
  azure-native:location: westeurope
  zenml-remote-storage:stores:
    - name: rnd-az-sp
      backend: azure
      credentials: service-principal
`,
    secrets: { ZRS_RND_AZ_SP_CLIENT_SECRET: secret() },
  },
  {
    stack: "rnd-azsas",
    config: `config:
  azure-native:location: westeurope
  zenml-remote-storage:stores:
    - name: rnd-az-sas
      backend: azure
      credentials: sas
      sasExpiry: "2027-03-31T00:00:00Z"
`,
    secrets: {
      ZRS_RND_AZ_SAS_CONNECTION_STRING: `BlobEndpoint=https://zenmlrndazsas.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&sr=c&sp=racwdl&spr=https&se=2027-03-31T00:00:00Z&sig=${secret()}`,
    },
  },
  {
    stack: "rnd-s3c",
    config: `config:
  zenml-remote-storage:stores:
    - name: rnd-s3c
      backend: s3-compatible
      credentials: existing-credentials
      endpoint: https://minio.example.com:9000
      region: us-east-1
      bucket:
        name: team-artifacts
  zenml-remote-storage:storeSecrets:
    rnd-s3c:
      accessKeyId:
        secure: v1:AAAAfakeciphertext
      secretAccessKey:
        secure: v1:BBBBfakeciphertext
`,
    secrets: {
      ZRS_RND_S3C_AWS_ACCESS_KEY_ID: secret("AK"),
      ZRS_RND_S3C_AWS_SECRET_ACCESS_KEY: secret(),
    },
  },
];

type Json = Record<string, unknown>;

interface Emitted {
  readonly script: string;
  readonly document: Json;
}

const leaks = new LeakCheck();
let work: string;
let server: ZenmlServer;
let client: ZenmlClient;
const emitted = new Map<string, Emitted>();

function venvPath(): string {
  return `${path.dirname(venvBin("zenml"))}:${process.env.PATH ?? ""}`;
}

async function runScript(
  c: Case,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  const r = await runProcess("bash", [emitted.get(c.stack)!.script, ...args], {
    ...server.env,
    ...c.secrets,
    PATH: venvPath(),
    ...env,
  });
  leaks
    .text(`${c.stack} ${args.join(" ")} (stdout)`, r.stdout)
    .text(`${c.stack} (stderr)`, r.stderr);
  return r;
}

/** Error lines of a script run: the lines it printed itself, `error: <subject>: <rule>`. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error: "));
}

async function nothingRegistered(c: Case): Promise<void> {
  const doc = emitted.get(c.stack)!.document;
  const names = (key: string): string[] =>
    ((doc[key] as Json[] | undefined) ?? []).map((o) => String(o.name));
  for (const name of names("service_connectors"))
    expect(await client.findByName("connector", name)).toBeUndefined();
  for (const name of names("secrets"))
    expect(await client.findByName("secret", name)).toBeUndefined();
  for (const name of names("components"))
    expect(await client.findByName("component", name, "artifact_store")).toBeUndefined();
  for (const name of names("stacks"))
    expect(await client.findByName("stack", name)).toBeUndefined();
}

beforeAll(async () => {
  leaks.captureOutput();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-render-"));
  leaks.dir(work);
  for (const c of CASES) leaks.credentials(c.stack, c.secrets);
  server = await startZenmlServer({ auth: true });
  client = new ZenmlClient({ url: server.url, auth: { apiKey: server.apiKey! } });
  leaks.secret("ZenML API key", server.apiKey).log(server.logFile);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-home-"));
  for (const c of CASES) {
    const config = path.join(work, `Pulumi.${c.stack}.yaml`);
    fs.writeFileSync(config, c.config);
    const out = path.join(work, c.stack);
    // The bin in a bare environment: node only, nothing about clouds, Pulumi or ZenML.
    const r = spawnSync(
      process.execPath,
      [BIN, "plan", "--offline", "--config", config, "--emit", out],
      {
        cwd: REPO,
        env: {
          PATH: path.dirname(process.execPath),
          HOME: home,
          ZENML_REMOTE_STORAGE_FROM_SOURCE: "1",
        },
        encoding: "utf8",
        timeout: 180_000,
      },
    );
    leaks.text(`plan ${c.stack}`, `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0) throw new Error(`plan --emit ${c.stack} failed: ${r.stderr}`);
    emitted.set(c.stack, {
      script: path.join(out, `${c.stack}.register.sh`),
      document: parse(fs.readFileSync(path.join(out, `${c.stack}.zenml.yaml`), "utf8")) as Json,
    });
  }
  fs.rmSync(home, { recursive: true, force: true });
});

afterAll(async () => {
  await server?.stop();
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

describe("plan --offline --emit (spawned bin, no cloud, no Pulumi CLI)", () => {
  it("writes an executable script and a registration document per stack, neither holding a secret", () => {
    for (const c of CASES) {
      const { script, document } = emitted.get(c.stack)!;
      expect(fs.statSync(script).mode & 0o111).not.toBe(0);
      const text = fs.readFileSync(script, "utf8");
      for (const [env, value] of Object.entries(c.secrets)) {
        expect(text).not.toContain(value);
        expect(text).toContain(`write_secret ${env}\n`);
      }
      expect(document.format).toBe("zenml-remote-storage/registration");
      expect(document.pulumi_stack).toBe(c.stack);
    }
  });

  it("ZenML's own `zenml stack import` cannot read the document (the header says so)", async () => {
    const c = CASES[0];
    const file = path.join(work, c.stack, `${c.stack}.zenml.yaml`);
    expect(fs.readFileSync(file, "utf8")).toContain(
      "Not a `zenml stack export` file: `zenml stack import` cannot read it",
    );
    const r = await runZenml(["stack", "import", "imported", "-f", file], server.env);
    leaks.text("zenml stack import", `${r.stdout}\n${r.stderr}`);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("zenml_version");
    expect(await client.findByName("stack", "imported")).toBeUndefined();
  });
});

describe("the emitted script's prerequisite checks stop before anything is registered", () => {
  it("a missing Python package (s3fs) is named with how to install it; exit 3", async () => {
    const c = CASES[0];
    const shadow = path.join(work, "no-s3fs");
    fs.mkdirSync(path.join(shadow, "s3fs"), { recursive: true });
    fs.writeFileSync(
      path.join(shadow, "s3fs", "__init__.py"),
      'raise ImportError("No module named s3fs (emulated)")\n',
    );
    const r = await runScript(c, ["--no-verify"], { PYTHONPATH: shadow });
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r.stderr)).toEqual([
      'error: python module s3fs: missing (ImportError), needed by the s3 artifact store rnd-aws-key; install it with: pip install "zenml[s3fs]" (or: zenml integration install s3)',
    ]);
    await nothingRegistered(c);
  });

  it("a missing connector library (the gcp connector's) is named; exit 3", async () => {
    const c = CASES[2];
    const shadow = path.join(work, "no-gcp-storage");
    fs.mkdirSync(path.join(shadow, "google", "cloud", "storage"), { recursive: true });
    fs.writeFileSync(
      path.join(shadow, "google", "cloud", "storage", "__init__.py"),
      'raise ImportError("emulated")\n',
    );
    // google and google.cloud are namespace packages: the shadow's storage wins only if first.
    const r = await runScript(c, ["--no-verify"], { PYTHONPATH: shadow });
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines).toContain(
      'error: python module zenml.integrations.gcp.service_connectors.gcp_service_connector: missing (ImportError), needed by the gcp service connector rnd-gcs-sa-connector; install it with: pip install "zenml[connectors-gcp]"',
    );
    await nothingRegistered(c);
  });

  it("a client that is not connected to a ZenML server is told to log in; exit 3", async () => {
    const c = CASES[0];
    const config = fs.mkdtempSync(path.join(work, "client-"));
    const env: Record<string, string> = { ...server.env, ZENML_CONFIG_PATH: config };
    delete env.ZENML_STORE_URL;
    delete env.ZENML_STORE_API_KEY;
    const r = await runProcess("bash", [emitted.get(c.stack)!.script], {
      ...env,
      ...c.secrets,
      PATH: venvPath(),
    });
    leaks.text("not connected", `${r.stdout}\n${r.stderr}`);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r.stderr)).toEqual([
      "error: zenml: not connected to a ZenML server; run zenml login <server-url> (or set ZENML_STORE_URL and ZENML_STORE_API_KEY)",
    ]);
    await nothingRegistered(c);
  });

  it("a client whose API key the server refuses is told which server; exit 3", async () => {
    const c = CASES[0];
    const r = await runScript(c, [], {
      ZENML_STORE_API_KEY: "ZENKEY_not-a-key",
      ZENML_CONFIG_PATH: fs.mkdtempSync(path.join(work, "client-")),
    });
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: zenml: cannot use the ZenML server ${server.url} \\(.*\\); log in with zenml login ${server.url}$`,
      ),
    );
    await nothingRegistered(c);
  });

  it("a missing secret variable is named; exit 4, nothing registered, no secret file left", async () => {
    const c = CASES[0];
    // The secrets directory is made under TMPDIR; the first secret was written before the
    // second was found missing, and the trap must have removed it.
    const tmp = fs.mkdtempSync(path.join(work, "tmp-"));
    const r = await runScript(c, ["--no-verify"], {
      ZRS_RND_AWS_KEY_AWS_SECRET_ACCESS_KEY: "",
      TMPDIR: tmp,
    });
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(r.code, r.stderr).toBe(4);
    expect(errorLines(r.stderr)).toEqual([
      "error: ZRS_RND_AWS_KEY_AWS_SECRET_ACCESS_KEY: set this environment variable (the secret is never an argument)",
    ]);
    await nothingRegistered(c);
  });

  it("an unknown argument is refused; exit 2", async () => {
    const r = await runScript(CASES[0], ["--activate"]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      "error: --activate: unknown argument; use --set and/or --no-verify",
    ]);
  });
});

describe("the emitted script registers every backend in a real ZenML 0.98 server", () => {
  for (const c of CASES) {
    it(`${c.stack}: registers what the document describes (--no-verify: no cloud to reach)`, async () => {
      const r = await runScript(c, ["--no-verify"]);
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      const doc = emitted.get(c.stack)!.document;
      const [component] = doc.components as Json[];
      const [stackDoc] = doc.stacks as Json[];
      const store = await client.findByName("component", String(component.name), "artifact_store");
      expect(store).toBeDefined();
      const full = await client.get("component", store!.id);
      const configuration = full.metadata?.configuration as Json;
      expect(configuration).toMatchObject(component.configuration as Json);
      const stack = await client.findByName("stack", String(stackDoc.name));
      expect(stack).toBeDefined();
      if (component.connector !== undefined) {
        const connector = await client.findByName("connector", String(component.connector));
        expect(connector).toBeDefined();
        const connectorRef = (full.metadata?.connector ?? full.body?.connector) as Json | undefined;
        expect(connectorRef?.id ?? connectorRef).toBeDefined();
        expect(full.metadata?.connector_resource_id).toBe(component.connector_resource_id);
      } else {
        const [secretDoc] = doc.secrets as Json[];
        expect(await client.findByName("secret", String(secretDoc.name))).toBeDefined();
      }
    });
  }

  it("without --set the active stack is unchanged; with --set it is the store's stack", async () => {
    const before = await runZenml(["stack", "get"], server.env);
    leaks.text("stack get (before)", `${before.stdout}\n${before.stderr}`);
    // ZenML prints the active stack on stderr (rich console).
    expect(before.code).toBe(0);
    expect(`${before.stdout}${before.stderr}`).toMatch(/active stack is: 'default'/);
    // Already registered: ZenML refuses a second registration, so a fresh case is used.
    const c: Case = {
      ...CASES[0],
      stack: "rnd-aws-set",
      config: CASES[0].config.replace(/rnd-aws-key/g, "rnd-aws-set"),
      secrets: {
        ZRS_RND_AWS_SET_AWS_ACCESS_KEY_ID: CASES[0].secrets.ZRS_RND_AWS_KEY_AWS_ACCESS_KEY_ID,
        ZRS_RND_AWS_SET_AWS_SECRET_ACCESS_KEY:
          CASES[0].secrets.ZRS_RND_AWS_KEY_AWS_SECRET_ACCESS_KEY,
      },
    };
    const script = fs
      .readFileSync(emitted.get(CASES[0].stack)!.script, "utf8")
      .replace(/rnd-aws-key/g, "rnd-aws-set")
      .replace(/RND_AWS_KEY/g, "RND_AWS_SET");
    const file = path.join(work, "rnd-aws-set.register.sh");
    fs.writeFileSync(file, script, { mode: 0o755 });
    emitted.set(c.stack, { script: file, document: {} });
    const r = await runScript(c, ["--set", "--no-verify"]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const after = await runZenml(["stack", "get"], server.env);
    leaks.text("stack get (after)", `${after.stdout}\n${after.stderr}`);
    expect(`${after.stdout}${after.stderr}`).toMatch(/active stack is: 'rnd-aws-set'/);
  });

  it("leak check: no fake secret in output, the server's log or the files written", () => {
    expectNoLeaks(leaks, { texts: 10, logs: 1, files: 12 });
  });
});
