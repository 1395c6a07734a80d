// Azurite (Microsoft's Azure Storage emulator, npm `azurite`) for the Azure tier test.
//
// - startAzurite(): the blob service over HTTPS (a throw-away self-signed certificate
//   for 127.0.0.1 made with openssl) on a free loopback port, with one storage account
//   whose name and key the test chooses. HTTPS because the SAS this project asks ARM
//   for is HTTPS-only (`spr=https`), and Azurite enforces `spr` like Azure does.
// - signServiceSas(): what ARM's `listServiceSas` computes server-side (a service SAS
//   signed with the account key), so the SAS the test uses is a real one Azurite checks.
// - azuriteAdmin(): account-key operations (create a container, list blobs) through the
//   venv's azure-storage-blob, as the storage account's owner would do them.
//
// Azurite runs under Node (>= 22 for 3.37) from the repo's node_modules, supervised
// like the other services by test/support/supervise.py (killed with its process group).
import { spawn, spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import {
  freePort,
  parseLastJsonLine,
  REPO_ROOT,
  runProcess,
  SUPPORT_DIR,
  venvBin,
  type Env,
} from "./services";

/** The pinned devDependency the tier test needs. */
export const AZURITE_PACKAGE = "azurite@3.37.0";

export interface Azurite {
  /** Path-style blob endpoint of the account, e.g. `https://127.0.0.1:41234/zenmlsas1a2b3c4d/`. */
  readonly blobEndpoint: string;
  readonly accountName: string;
  readonly accountKey: string;
  /** PEM file of the self-signed certificate: trust it with SSL_CERT_FILE / REQUESTS_CA_BUNDLE. */
  readonly caFile: string;
  readonly port: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Azurite's blob entry point; fails loudly (never skips) when the devDependency is missing. */
export function azuriteBin(): string {
  const override = process.env.ZRS_AZURITE_BIN;
  const bin = override ?? path.join(REPO_ROOT, "node_modules", ".bin", "azurite-blob");
  if (!fs.existsSync(bin)) {
    throw new Error(
      `Azurite not found at ${bin}: the Azure tier test needs the devDependency ${AZURITE_PACKAGE} ` +
        `(npm install --save-dev --save-exact ${AZURITE_PACKAGE}; it needs Node >= 22)`,
    );
  }
  return fs.realpathSync(bin);
}

/** A base64 key like the ones Azure generates (64 random bytes). */
export function randomAccountKey(): string {
  return randomBytes(64).toString("base64");
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    throw new Error(`openssl could not make a certificate for Azurite: ${r.stderr || r.error}`);
  }
  return { cert, key };
}

/** GET over HTTPS trusting only `ca`; resolves with the status and body. */
export function httpsGet(
  url: string,
  ca: string,
  method = "GET",
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: fs.readFileSync(ca),
        timeout: 10_000,
        headers: {
          "x-ms-version": "2021-08-06",
          ...(body !== undefined
            ? { "x-ms-blob-type": "BlockBlob", "content-length": Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on("error", reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Azurite's blob service over HTTPS on 127.0.0.1 with exactly one account
 * (`AZURITE_ACCOUNTS`), in-memory, telemetry off.
 */
export async function startAzurite(opts: {
  accountName: string;
  accountKey: string;
  /** A port chosen beforehand (the program under test needs the endpoint first). */
  port?: number;
  timeoutMs?: number;
}): Promise<Azurite> {
  const bin = azuriteBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azurite-test-"));
  const logFile = path.join(dir, "azurite.log");
  const { cert, key } = makeCertificate(dir);
  const port = opts.port ?? (await freePort());
  const out = fs.openSync(logFile, "a");
  const env: Env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.AZURITE_ACCOUNTS = `${opts.accountName}:${opts.accountKey}`;
  const child = spawn(
    venvBin("python"),
    [
      path.join(SUPPORT_DIR, "supervise.py"),
      "--",
      process.execPath,
      bin,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--cert",
      cert,
      "--key",
      key,
      "--inMemoryPersistence",
      "--disableTelemetry",
      "--disableProductStyleUrl",
      "--skipApiVersionCheck",
      "--debug",
      path.join(dir, "azurite-debug.log"),
    ],
    { cwd: dir, env, detached: true, stdio: ["ignore", out, out] },
  );
  fs.closeSync(out);
  const pgid = child.pid!;
  let exited: number | null | undefined;
  const exitedP = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = code;
      resolve();
    }),
  );
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // gone
    }
  };
  const onExit = () => killGroup("SIGKILL");
  process.once("exit", onExit);
  const stop = async () => {
    process.removeListener("exit", onExit);
    killGroup("SIGTERM");
    await Promise.race([exitedP, sleep(15_000)]);
    killGroup("SIGKILL");
    if (process.env.KEEP_TEST_TMP !== "1") fs.rmSync(dir, { recursive: true, force: true });
  };

  const blobEndpoint = `https://127.0.0.1:${port}/${opts.accountName}/`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      const log = fs.readFileSync(logFile, "utf8").slice(-3000);
      await stop();
      throw new Error(`Azurite exited (code ${exited}) before answering. Log:\n${log}`);
    }
    try {
      // Any HTTP answer over TLS with our certificate means it is up.
      await httpsGet(`https://127.0.0.1:${port}/${opts.accountName}?comp=list`, cert);
      break;
    } catch {
      if (Date.now() > deadline) {
        const log = fs.readFileSync(logFile, "utf8").slice(-3000);
        await stop();
        throw new Error(`Azurite did not answer on port ${port}. Log:\n${log}`);
      }
      await sleep(250);
    }
  }
  return {
    blobEndpoint,
    accountName: opts.accountName,
    accountKey: opts.accountKey,
    caFile: cert,
    port,
    logFile,
    stop,
  };
}

/** The inputs of `storage.listStorageAccountServiceSAS` that a blob container SAS uses. */
export interface ServiceSasRequest {
  readonly accountName: string;
  readonly canonicalizedResource: string;
  readonly resource: string;
  readonly permissions: string;
  readonly protocols?: string;
  readonly sharedAccessStartTime?: string;
  readonly sharedAccessExpiryTime: string;
  readonly iPAddressOrRange?: string;
  readonly identifier?: string;
  readonly keyToSign?: string;
}

/** The service version ARM's listServiceSas tokens carry (as seen in public reports). */
export const ARM_SAS_VERSION = "2015-04-05";

/**
 * A service SAS as ARM's `listServiceSas` returns it: signed with the account
 * key over the string-to-sign of service version 2015-04-05
 * (sp, st, se, canonicalized resource, si, sip, spr, sv, rscc, rscd, rsce, rscl, rsct),
 * the expiry written with seven fractional digits like ARM does. Every field the
 * request does not set is empty, exactly as in the request.
 */
export function signServiceSas(request: ServiceSasRequest, accountKey: string): string {
  const expiry = request.sharedAccessExpiryTime.replace(/Z$/, ".0000000Z");
  const stringToSign = [
    request.permissions,
    request.sharedAccessStartTime ?? "",
    expiry,
    request.canonicalizedResource,
    request.identifier ?? "",
    request.iPAddressOrRange ?? "",
    request.protocols ?? "",
    ARM_SAS_VERSION,
    "", // rscc
    "", // rscd
    "", // rsce
    "", // rscl
    "", // rsct
  ].join("\n");
  const sig = createHmac("sha256", Buffer.from(accountKey, "base64"))
    .update(stringToSign, "utf8")
    .digest("base64");
  const query = new URLSearchParams();
  query.set("sv", ARM_SAS_VERSION);
  query.set("sr", request.resource);
  if (request.sharedAccessStartTime) query.set("st", request.sharedAccessStartTime);
  query.set("se", expiry);
  query.set("sp", request.permissions);
  if (request.iPAddressOrRange) query.set("sip", request.iPAddressOrRange);
  if (request.protocols) query.set("spr", request.protocols);
  if (request.identifier) query.set("si", request.identifier);
  query.set("sig", sig);
  return query.toString();
}

// Account-key operations, run by the venv's azure-storage-blob (sync client, requests).
const ADMIN_SCRIPT = String.raw`
import json, sys
from azure.storage.blob import BlobServiceClient
import os
endpoint, account, ca, op = sys.argv[1:5]
args = sys.argv[5:]
key = os.environ["AZURITE_ACCOUNT_KEY"]
client = BlobServiceClient(endpoint, credential={"account_name": account, "account_key": key},
                           connection_verify=ca)
if op == "create-container":
    client.create_container(args[0])
    print(json.dumps({"created": args[0]}))
elif op == "list-blobs":
    names = [b.name for b in client.get_container_client(args[0]).list_blobs()]
    print(json.dumps({"blobs": names}))
else:
    raise SystemExit("unknown op " + op)
`;

/** Runs an account-key operation against Azurite; returns its JSON answer. */
export async function azuriteAdmin(
  azurite: Azurite,
  op: "create-container" | "list-blobs",
  ...args: string[]
): Promise<Record<string, unknown>> {
  const r = await runProcess(
    venvBin("python"),
    ["-c", ADMIN_SCRIPT, azurite.blobEndpoint, azurite.accountName, azurite.caFile, op, ...args],
    // The key goes by environment, not on the command line.
    { AZURITE_ACCOUNT_KEY: azurite.accountKey },
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0) {
    throw new Error(`azurite admin ${op} failed (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  }
  return parseLastJsonLine(r.stdout) as Record<string, unknown>;
}
