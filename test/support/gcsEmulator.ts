/**
 * The GCS side of the GCP acceptance test:
 * - startGcsEmulator(): test/support/gcs_emulator.py, i.e. gcp-storage-emulator (PyPI)
 *   behind a front that does Google's JWT-bearer token exchange and checks bucket-level
 *   IAM (see that file for exactly what is checked and what is not);
 * - provisionOnGcsEmulator(): Pulumi's mock runtime with a `newResource` that does in the
 *   emulator what each GCP resource of the program asks for: buckets are created in the
 *   emulator; a service-account key is a fresh RSA key whose public half the front
 *   trusts and whose key file's token_uri is the front; bucket IAM members become the
 *   front's bindings. No Pulumi engine or GCP provider is involved.
 */
import * as pulumi from "@pulumi/pulumi";
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, SUPPORT_DIR, venvBin, type Env } from "./services";
import { setProgramConfig } from "./programConfig";

const EMULATOR_SCRIPT = path.join(SUPPORT_DIR, "gcs_emulator.py");
const SUPERVISE_SCRIPT = path.join(SUPPORT_DIR, "supervise.py");

export interface GcsEmulator {
  /** The front every client uses: STORAGE_EMULATOR_HOST, and the keys' token_uri base. */
  readonly endpoint: string;
  /** The emulator itself, without auth: for the test's own look at buckets and objects. */
  readonly emulatorEndpoint: string;
  readonly tokenUri: string;
  readonly logFile: string;
  /** What a GCS client process (ZenML server or client) needs to reach the emulator. */
  readonly clientEnv: Env;
  trustKey(email: string, kid: string, publicKeyPem: string): Promise<void>;
  bind(bucket: string, role: string, member: string): Promise<void>;
  /** Every token exchange and GCS request the front saw, with its decision. */
  requestLog(): Promise<FrontLogEntry[]>;
  /** Object names in a bucket, read from the emulator directly. */
  objectNames(bucket: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface FrontLogEntry {
  readonly kind: "token" | "gcs";
  readonly status: number;
  readonly iss?: string;
  readonly email?: string;
  readonly method?: string;
  readonly path?: string;
  readonly needs?: [string, string | null][];
  readonly missing?: [string, string | null][];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function jsonRequest(url: string, method = "GET", body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Starts the emulator and its front on two free loopback ports, in a process group of its own. */
export async function startGcsEmulator(timeoutMs = 60_000): Promise<GcsEmulator> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcs-test-"));
  const logFile = path.join(dir, "gcs-emulator.log");
  const [port, emulatorPort] = [await freePort(), await freePort()];
  const out = fs.openSync(logFile, "a");
  const child = spawn(
    venvBin("python"),
    [
      SUPERVISE_SCRIPT,
      "--rmdir",
      dir,
      "--",
      venvBin("python"),
      EMULATOR_SCRIPT,
      "--port",
      String(port),
      "--emulator-port",
      String(emulatorPort),
    ],
    { detached: true, stdio: ["ignore", out, out], env: { ...process.env, PYTHONUNBUFFERED: "1" } },
  );
  fs.closeSync(out);
  let exited = false;
  child.once("exit", () => (exited = true));
  const pgid = child.pid!;
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => kill("SIGKILL");
  process.once("exit", onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const emulatorEndpoint = `http://127.0.0.1:${emulatorPort}`;
  const started = Date.now();
  for (;;) {
    if (exited) {
      throw new Error(`gcs_emulator.py exited early:\n${fs.readFileSync(logFile, "utf8")}`);
    }
    try {
      await jsonRequest(`${endpoint}/_test/health`);
      await fetch(`${emulatorEndpoint}/`, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() - started > timeoutMs) {
        kill("SIGKILL");
        throw new Error(`gcs_emulator.py not up in ${timeoutMs} ms:\n${readLog(logFile)}`);
      }
      await sleep(250);
    }
  }

  return {
    endpoint,
    emulatorEndpoint,
    tokenUri: `${endpoint}/token`,
    logFile,
    clientEnv: {
      STORAGE_EMULATOR_HOST: endpoint,
      // gcsfs >= 2025.x probes a bucket's type over gRPC (TLS) first; the emulator has
      // no gRPC, so each probe would wait for its timeout. Real GCS needs no such switch.
      GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT: "false",
      // Never ask a GCE metadata server for credentials or a project.
      NO_GCE_CHECK: "true",
      GCE_METADATA_HOST: "127.0.0.1:9",
      GCE_METADATA_IP: "127.0.0.1:9",
    },
    async trustKey(email, kid, publicKeyPem) {
      await jsonRequest(`${endpoint}/_test/keys`, "POST", {
        email,
        kid,
        public_key_pem: publicKeyPem,
      });
    },
    async bind(bucket, role, member) {
      await jsonRequest(`${endpoint}/_test/bindings`, "POST", { bucket, role, member });
    },
    async requestLog() {
      return (await jsonRequest(`${endpoint}/_test/log`)) as FrontLogEntry[];
    },
    async objectNames(bucket) {
      const listed = (await jsonRequest(
        `${emulatorEndpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o`,
      )) as { items?: { name: string }[] };
      return (listed.items ?? []).map((o) => o.name);
    },
    async stop() {
      process.removeListener("exit", onExit);
      kill("SIGTERM");
      const deadline = Date.now() + 10_000;
      while (!exited && Date.now() < deadline) await sleep(100);
      kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A service-account key as GCP issues it, for a fresh RSA key; the front trusts it. */
export async function mintServiceAccountKey(
  emu: GcsEmulator,
  email: string,
): Promise<{ json: string; kid: string }> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(20).toString("hex");
  await emu.trustKey(email, kid, publicKey.export({ type: "spki", format: "pem" }).toString());
  const project = email.split("@")[1].split(".")[0];
  const json = JSON.stringify({
    type: "service_account",
    project_id: project,
    private_key_id: kid,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: email,
    client_id: String(BigInt(`0x${randomBytes(8).toString("hex")}`)),
    auth_uri: `${emu.endpoint}/auth`,
    token_uri: emu.tokenUri,
    auth_provider_x509_cert_url: `${emu.endpoint}/certs`,
    client_x509_cert_url: `${emu.endpoint}/certs/${encodeURIComponent(email)}`,
    universe_domain: "googleapis.com",
  });
  return { json, kid };
}

/** What the emulator-backed mocks created, for assertions. */
export interface Created {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

type Inputs = Record<string, unknown>;

/** Performs one resource's creation against the emulator; returns id and computed outputs. */
async function createInEmulator(
  emu: GcsEmulator,
  type: string,
  inputs: Inputs,
): Promise<{ id: string; outputs: Inputs }> {
  switch (type) {
    case "gcp:storage/bucket:Bucket": {
      const name = inputs.name as string;
      const lifecycleRules = (inputs.lifecycleRules ?? []) as {
        action: Record<string, unknown>;
        condition: Record<string, unknown>;
      }[];
      // The JSON API body the GCP provider would send for these inputs.
      const body = {
        name,
        location: inputs.location,
        labels: inputs.labels,
        versioning: inputs.versioning,
        lifecycle: { rule: lifecycleRules },
        iamConfiguration: {
          uniformBucketLevelAccess: { enabled: inputs.uniformBucketLevelAccess },
          publicAccessPrevention: inputs.publicAccessPrevention,
        },
        ...(inputs.encryption ? { encryption: inputs.encryption } : {}),
      };
      await jsonRequest(
        `${emu.emulatorEndpoint}/storage/v1/b?project=${encodeURIComponent(String(inputs.project))}`,
        "POST",
        body,
      );
      // The emulator's insert keeps only the name; its PATCH stores the rest, so the
      // bucket holds the settings the program asked for (the baseline audit reads them).
      await jsonRequest(
        `${emu.emulatorEndpoint}/storage/v1/b/${encodeURIComponent(name)}`,
        "PATCH",
        body,
      );
      return { id: name, outputs: { name, url: `gs://${name}` } };
    }
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      const name = `projects/${inputs.project}/serviceAccounts/${email}`;
      return {
        id: name,
        outputs: { email, member: `serviceAccount:${email}`, name, uniqueId: "1" },
      };
    }
    case "gcp:serviceaccount/key:Key": {
      const email = String(inputs.serviceAccountId).split("/").pop()!;
      const { json, kid } = await mintServiceAccountKey(emu, email);
      return {
        id: `${inputs.serviceAccountId}/keys/${kid}`,
        // As the provider returns it: base64 of the key file.
        outputs: { privateKey: Buffer.from(json).toString("base64"), name: kid },
      };
    }
    case "gcp:storage/bucketIAMMember:BucketIAMMember": {
      const { bucket, role, member } = inputs as Record<string, string>;
      await emu.bind(bucket, role, member);
      return { id: `b/${bucket}/${role}/${member}`, outputs: {} };
    }
    case "gcp:serviceaccount/iAMMember:IAMMember":
      // Recorded only: the front has no IAM Credentials API (generateAccessToken).
      return { id: `${inputs.serviceAccountId}/${inputs.role}/${inputs.member}`, outputs: {} };
    default:
      if (type.startsWith("gcp:"))
        throw new Error(`the emulator-backed mocks cannot create ${type}`);
      return { id: `${type}-id`, outputs: {} };
  }
}

/**
 * Installs mocks backed by the GCS emulator and runs the real program with `config`;
 * returns the program's outputs and what was created.
 */
export async function provisionOnGcsEmulator(
  emu: GcsEmulator,
  config: Record<string, unknown>,
): Promise<{ outputs: Record<string, unknown>; created: Created[] }> {
  const created: Created[] = [];
  setProgramConfig(config);
  await pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const { id, outputs } = await createInEmulator(emu, args.type, args.inputs);
        const state = { ...args.inputs, ...outputs };
        created.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id, state };
      },
      call(args) {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    "zenml-remote-storage",
    "acceptance",
    false,
  );
  const program = (await import("../../src/index")).default;
  const result = await program();
  const outputs = await new Promise((done) => pulumi.output(result).apply((v) => done(v)));
  return { outputs: outputs as Record<string, unknown>, created };
}
