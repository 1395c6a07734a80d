// Test harness for the `tier` tests: real local services started by the test run.
//
// - startMoto(): a moto server (AWS emulator) with IAM enforcement ON and a
//   bootstrapped admin IAM user.
// - startZenmlServer(): a real ZenML 0.98.0 server (uvicorn, foreground) with an
//   isolated config dir, optionally with authentication and a service-account API key.
// - runZenml()/runPython()/runPipeline(): run the venv's zenml CLI / python as a
//   ZenML client of such a server.
//
// Python side: scripts/setup-test-env.sh builds .venv (pins in scripts/requirements-test.txt).
// Every service runs under test/support/supervise.py as the leader of its own process
// group: stop() kills the group; a process-exit hook does it too, and the supervisor
// kills the service by itself if this Node process dies. Findings behind the choices
// here: /work/notes/zenml-0.98.md (outside the repo).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const VENV_DIR = path.join(REPO_ROOT, ".venv");
export const SUPPORT_DIR = __dirname;
export const PIPELINE_SCRIPT = path.join(SUPPORT_DIR, "pipeline.py");
export const MOTO_ADMIN_SCRIPT = path.join(SUPPORT_DIR, "moto_admin.py");
const SUPERVISE_SCRIPT = path.join(SUPPORT_DIR, "supervise.py");

/**
 * AWS SDK endpoint used when no emulator endpoint is given: a closed loopback port, so a
 * misconfigured test fails fast with "connection refused" instead of reaching real AWS.
 */
export const AWS_BLACKHOLE_ENDPOINT = "http://127.0.0.1:9";

export type Env = Record<string, string>;

export interface AwsKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 — use for every AWS service (S3 path-style, IAM, STS). */
  readonly endpoint: string;
  readonly region: string;
  /** IAM user `admin` with an inline Allow *:* policy, created before enforcement was enabled. */
  readonly admin: AwsKey & { readonly arn: string; readonly accountId: string };
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface ZenmlServer {
  /** e.g. http://127.0.0.1:41235 (no trailing slash). */
  readonly url: string;
  /** `version` from GET /api/v1/info. */
  readonly version: string;
  readonly auth: boolean;
  /**
   * Environment for a ZenML client / CLI process talking to this server (merge it into
   * the child env; runZenml/runPython do). Holds ZENML_STORE_URL, ZENML_STORE_API_KEY
   * (auth only), an isolated ZENML_CONFIG_PATH, analytics off, and AWS settings
   * (AWS_ENDPOINT_URL = opts.awsEndpointUrl or a closed port, AWS_DEFAULT_REGION, no IMDS).
   */
  readonly env: Env;
  /** API key of service account `tests` (auth only). Log in: POST /api/v1/login, form `password=<key>`. */
  readonly apiKey?: string;
  /** The auto-created admin user (`default`); password is "" without auth. */
  readonly defaultUser: { readonly username: string; readonly password: string };
  readonly logFile: string;
  /** Headers for REST calls: {} without auth, else a fresh bearer token from the API key. */
  authHeaders(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export interface RunResult {
  /** Exit code; null when killed (timeout or signal). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  /** Kill the process group after this long (default 240 s). */
  timeoutMs?: number;
}

export interface PipelineResult {
  readonly run_id: string;
  readonly status: string;
  readonly stack: string;
  readonly artifact_store_path: string;
  readonly artifact_uris: string[];
  readonly loaded: unknown;
}

// ---------------------------------------------------------------- venv + ports

/** Absolute path of an executable in the project venv; throws a clear error if missing. */
export function venvBin(name: string): string {
  const p = path.join(VENV_DIR, "bin", name);
  if (!fs.existsSync(p)) {
    throw new Error(
      `${p} not found: the Python test venv is missing or incomplete — run scripts/setup-test-env.sh`,
    );
  }
  return p;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("freePort: could not read the bound address"));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

// ---------------------------------------------------------------- process tracking

interface Tracked {
  pgid: number | undefined;
  dirs: string[];
}

const tracked = new Set<Tracked>();
let hooksInstalled = false;

function killGroup(pgid: number | undefined, signal: NodeJS.Signals): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function cleanupAllSync(): void {
  for (const t of tracked) {
    killGroup(t.pgid, "SIGKILL");
    removeDirs(t.dirs);
  }
  tracked.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once("exit", cleanupAllSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      cleanupAllSync();
      // Keep the default behaviour (terminate) unless someone else handles the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

function track(t: Tracked): Tracked {
  installHooks();
  tracked.add(t);
  return t;
}

function removeDirs(dirs: string[]): void {
  if (process.env.KEEP_TEST_TMP === "1") return;
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Process env minus anything that would leak the developer's AWS/ZenML/venv setup. */
function baseEnv(): Env {
  const env: Env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(AWS_|ZENML_|VIRTUAL_ENV|PYTHONPATH$|PYTHONHOME$|CONDA_|FORCE_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  env.PYTHONUNBUFFERED = "1";
  env.PYTHONDONTWRITEBYTECODE = "1";
  // Plain CLI output (vitest sets FORCE_COLOR for its workers; rich would honour it).
  env.NO_COLOR = "1";
  return env;
}

/**
 * AWS SDK settings every Python process gets: no IMDS, no ~/.aws, no real endpoints, and a
 * default region (ZenML's `iam-role` connector builds its post-AssumeRole session without a
 * region and fails with "You must specify a region" otherwise).
 */
function awsSafetyEnv(dir: string, endpoint: string | undefined, region = "us-east-1"): Env {
  return {
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: path.join(dir, "aws-config-none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "aws-credentials-none"),
    AWS_ENDPOINT_URL: endpoint ?? AWS_BLACKHOLE_ENDPOINT,
  };
}

function tail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, "utf8").trimEnd();
    return text === "" ? "(log is empty)" : text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------- services

interface Service {
  readonly logFile: string;
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): Promise<void>;
}

/**
 * Start `argv` under supervise.py in a new process group, output to `logFile`. If this Node
 * process dies without cleaning up, the supervisor stops the service and removes `dir`.
 */
function startService(argv: string[], env: Env, logFile: string, dir: string, t: Tracked): Service {
  const out = fs.openSync(logFile, "a");
  const child = spawn(venvBin("python"), [SUPERVISE_SCRIPT, "--rmdir", dir, "--", ...argv], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  t.pgid = child.pid;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitedP = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    });
    child.once("error", (err) => {
      fs.appendFileSync(logFile, `\nspawn error: ${err.message}\n`);
      exit = { code: null, signal: null };
      resolve();
    });
  });
  return {
    logFile,
    exited: () => exit,
    async stop() {
      const pgid = t.pgid;
      if (pgid === undefined) return;
      killGroup(pgid, "SIGTERM");
      const deadline = Date.now() + 15_000;
      await Promise.race([exitedP, sleep(15_000)]);
      // The supervisor has exited; wait for the rest of the group, then force.
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      killGroup(pgid, "SIGKILL");
      t.pgid = undefined;
    },
  };
}

async function waitUntil(
  what: string,
  svc: Service,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const ex = svc.exited();
    if (ex) {
      throw new Error(
        `${what} exited before becoming healthy (code ${ex.code}, signal ${ex.signal}). ` +
          `Last lines of ${svc.logFile}:\n${tail(svc.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(
    `${what} did not become healthy within ${Math.round(timeoutMs / 1000)}s. ` +
      `Last lines of ${svc.logFile}:\n${tail(svc.logFile)}`,
  );
}

async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) {
    const body = await res.text().catch(() => "");
    throw new Error(`${init?.method ?? "GET"} ${url} -> HTTP ${res.status}: ${body.slice(0, 500)}`);
  }
  return res;
}

/** Start a service on a free port, retrying with a new port if the bind raced. */
async function withPortRetry<T>(startOnce: (port: number) => Promise<T>): Promise<T> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (err) {
      lastErr = err;
      if (!/address already in use|Errno 98/i.test(String(err))) throw err;
    }
  }
  throw lastErr;
}

// ---------------------------------------------------------------- moto

export interface MotoOptions {
  region?: string;
  /** Health-check bound (default 60 s). */
  timeoutMs?: number;
}

/**
 * moto server on a free loopback port with IAM enforcement ON. Bootstrap (see
 * moto_admin.py): a fresh moto accepts unsigned calls (INITIAL_NO_AUTH_ACTION_COUNT=inf);
 * the admin user + key are created, then POST /moto-api/reset-auth "0" turns on signature
 * and policy checks for every later AWS call.
 */
export async function startMoto(opts: MotoOptions = {}): Promise<MotoServer> {
  const region = opts.region ?? "us-east-1";
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const dir = makeTempDir("moto-test-");
  const t = track({ pgid: undefined, dirs: [dir] });
  const logFile = path.join(dir, "moto.log");
  try {
    return await withPortRetry(async (port) => {
      const endpoint = `http://127.0.0.1:${port}`;
      const env = { ...baseEnv(), ...awsSafetyEnv(dir, endpoint, region) };
      const svc = startService(
        [
          venvBin("python"),
          path.join(SUPPORT_DIR, "moto_server.py"),
          "-H",
          "127.0.0.1",
          "-p",
          String(port),
        ],
        env,
        logFile,
        dir,
        t,
      );
      try {
        await waitUntil(`moto server on ${endpoint}`, svc, timeoutMs, async () => {
          const r = await fetch(`${endpoint}/moto-api/data.json`, {
            signal: AbortSignal.timeout(2_000),
          });
          return r.ok;
        });
        const boot = await runPython(
          MOTO_ADMIN_SCRIPT,
          ["bootstrap", "--endpoint", endpoint, "--region", region],
          awsSafetyEnv(dir, endpoint, region),
          { timeoutMs: 180_000 },
        );
        if (boot.code !== 0) {
          throw new Error(
            `moto IAM bootstrap failed (exit ${boot.code}): ${boot.stderr.trim().slice(-2000)}\n` +
              `Last lines of ${logFile}:\n${tail(logFile)}`,
          );
        }
        const admin = parseLastJsonLine(boot.stdout) as MotoServer["admin"];
        let stopped = false;
        return {
          endpoint,
          region,
          admin,
          logFile,
          async stop() {
            if (stopped) return;
            stopped = true;
            await svc.stop();
            tracked.delete(t);
            removeDirs(t.dirs);
          },
        };
      } catch (err) {
        await svc.stop();
        throw err;
      }
    });
  } catch (err) {
    tracked.delete(t);
    removeDirs(t.dirs);
    throw err;
  }
}

/**
 * Run a moto_admin.py sub-command signed with the admin key; returns its JSON output.
 * e.g. motoAdmin(moto, ["create-bucket", "my-bucket"]),
 *      motoAdmin(moto, ["create-bucket-user", "--bucket", "my-bucket", "zenml-user"]).
 */
export async function motoAdmin(
  moto: MotoServer,
  args: string[],
): Promise<Record<string, unknown>> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) throw new Error("motoAdmin: no sub-command");
  const r = await runPython(
    MOTO_ADMIN_SCRIPT,
    [cmd, "--endpoint", moto.endpoint, "--region", moto.region, ...rest],
    {
      AWS_ACCESS_KEY_ID: moto.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey,
      AWS_ENDPOINT_URL: moto.endpoint,
    },
    { timeoutMs: 180_000 },
  );
  if (r.code !== 0)
    throw new Error(`moto_admin ${cmd} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return parseLastJsonLine(r.stdout) as Record<string, unknown>;
}

// ---------------------------------------------------------------- ZenML server

export interface ZenmlServerOptions {
  /** Authentication ON (OAUTH2_PASSWORD_BEARER) + a service account API key. Default false (NO_AUTH). */
  auth?: boolean;
  /**
   * AWS endpoint (AWS_ENDPOINT_URL) for the server process (connector verification, /client)
   * and for the returned client `env` (pipeline runs). Typically moto.endpoint. Without it
   * both point at a closed loopback port.
   */
  awsEndpointUrl?: string;
  /** Extra env for the server process. */
  serverEnv?: Env;
  /** Health-check bound (default 120 s; a cold start takes ~10 s on 2 cores). */
  timeoutMs?: number;
}

const ZENML_QUIET_ENV: Env = {
  ZENML_ANALYTICS_OPT_IN: "false",
  ZENML_LOGGING_COLORS_DISABLED: "true",
  ZENML_ENABLE_RICH_TRACEBACK: "false",
  ZENML_ENABLE_REPO_INIT_WARNINGS: "false",
  AUTO_OPEN_DASHBOARD: "false",
  ZENML_AUTO_OPEN_DASHBOARD: "false",
  // Rich wraps CLI tables at the terminal width; keep lines long in captured output.
  COLUMNS: "200",
};

/**
 * A real ZenML server (`uvicorn zenml.zen_server.zen_server_api:app`) in the foreground on
 * a free loopback port, with its own SQLite store in a temp config dir.
 */
export async function startZenmlServer(opts: ZenmlServerOptions = {}): Promise<ZenmlServer> {
  const auth = opts.auth ?? false;
  const timeoutMs = opts.timeoutMs ?? 360_000;
  const dir = makeTempDir("zenml-test-");
  const t = track({ pgid: undefined, dirs: [dir] });
  const logFile = path.join(dir, "zenml-server.log");
  const password = auth ? randomBytes(12).toString("hex") : "";
  try {
    return await withPortRetry(async (port) => {
      const url = `http://127.0.0.1:${port}`;
      const env: Env = {
        ...baseEnv(),
        ...ZENML_QUIET_ENV,
        ...awsSafetyEnv(dir, opts.awsEndpointUrl),
        ZENML_CONFIG_PATH: path.join(dir, "server-config"),
        ZENML_SERVER: "true",
        ZENML_SERVER_AUTH_SCHEME: auth ? "OAUTH2_PASSWORD_BEARER" : "NO_AUTH",
        // Activate on first start and create the `default` admin user.
        ZENML_SERVER_AUTO_ACTIVATE: "true",
        ZENML_DEFAULT_USER_NAME: "default",
        ZENML_DEFAULT_USER_PASSWORD: password,
        ZENML_SERVER_JWT_SECRET_KEY: randomBytes(32).toString("hex"),
        ...opts.serverEnv,
      };
      const svc = startService(
        [
          venvBin("python"),
          "-m",
          "uvicorn",
          "zenml.zen_server.zen_server_api:app",
          "--host",
          "127.0.0.1",
          "--port",
          String(port),
          "--log-level",
          "info",
        ],
        env,
        logFile,
        dir,
        t,
      );
      try {
        await waitUntil(`ZenML server on ${url}`, svc, timeoutMs, async () => {
          const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
          return r.ok;
        });
        const info = (await (await fetchOk(`${url}/api/v1/info`)).json()) as { version: string };
        let apiKey: string | undefined;
        if (auth) apiKey = await createServiceAccountKey(url, password);
        const clientEnv: Env = {
          ...ZENML_QUIET_ENV,
          // Same AWS endpoint as the server: the S3 artifact store (s3fs) and the connector's
          // STS call in a pipeline run use it (the connector's endpoint_url is not used there).
          ...awsSafetyEnv(dir, opts.awsEndpointUrl),
          ZENML_CONFIG_PATH: path.join(dir, "client-config"),
          ZENML_STORE_URL: url,
          ...(apiKey !== undefined ? { ZENML_STORE_API_KEY: apiKey } : {}),
        };
        let stopped = false;
        return {
          url,
          version: info.version,
          auth,
          env: clientEnv,
          apiKey,
          defaultUser: { username: "default", password },
          logFile,
          async authHeaders(): Promise<Record<string, string>> {
            if (apiKey === undefined) return {};
            return { Authorization: `Bearer ${await zenmlLogin(url, { apiKey })}` };
          },
          async stop() {
            if (stopped) return;
            stopped = true;
            await svc.stop();
            tracked.delete(t);
            removeDirs(t.dirs);
          },
        };
      } catch (err) {
        await svc.stop();
        throw err;
      }
    });
  } catch (err) {
    tracked.delete(t);
    removeDirs(t.dirs);
    throw err;
  }
}

/**
 * POST /api/v1/login (form-encoded) and return the access token. Password grant:
 * `grant_type=password&username=…&password=…`; API key: `password=<key>` (the server
 * infers grant_type=zenml-api-key when only a password is sent).
 */
export async function zenmlLogin(
  url: string,
  creds: { apiKey: string } | { username: string; password: string },
): Promise<string> {
  const form =
    "apiKey" in creds
      ? new URLSearchParams({ grant_type: "zenml-api-key", password: creds.apiKey })
      : new URLSearchParams({
          grant_type: "password",
          username: creds.username,
          password: creds.password,
        });
  const res = await fetchOk(`${url}/api/v1/login`, { method: "POST", body: form });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login to ${url}: no access_token in the response`);
  return body.access_token;
}

/** As `default`: create service account `tests` + API key `default`; return the key. */
async function createServiceAccountKey(url: string, password: string): Promise<string> {
  const token = await zenmlLogin(url, { username: "default", password });
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const sa = (await (
    await fetchOk(`${url}/api/v1/service_accounts`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "tests", active: true, description: "tier tests" }),
    })
  ).json()) as { id: string };
  const key = (await (
    await fetchOk(`${url}/api/v1/service_accounts/${sa.id}/api_keys`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "default", description: "tier tests" }),
    })
  ).json()) as { body?: { key?: string } };
  const value = key.body?.key;
  if (!value) throw new Error(`ZenML server ${url}: API key response has no body.key`);
  await zenmlLogin(url, { apiKey: value }); // proves the key works
  return value;
}

// ---------------------------------------------------------------- clients

/**
 * Run a command to completion in its own process group. `env` is merged over the
 * process env (minus AWS_*, ZENML_*, VIRTUAL_ENV, PYTHONPATH).
 */
export function runProcess(
  cmd: string,
  args: string[],
  env: Env = {},
  opts: RunOptions = {},
): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 240_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...baseEnv(), ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const t = track({ pgid: child.pid, dirs: [] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      tracked.delete(t);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      tracked.delete(t);
      // Anything the command left behind in its group goes too.
      killGroup(child.pid, "SIGKILL");
      if (timedOut) stderr += `\n[killed after ${timeoutMs} ms]`;
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The venv's `zenml` CLI with `env` (e.g. ZenmlServer.env) merged in. */
export function runZenml(args: string[], env: Env, opts?: RunOptions): Promise<RunResult> {
  return runProcess(venvBin("zenml"), args, env, opts);
}

/** The venv's python running `scriptPath` with `env` merged in. */
export function runPython(
  scriptPath: string,
  args: string[],
  env: Env,
  opts?: RunOptions,
): Promise<RunResult> {
  return runProcess(venvBin("python"), [scriptPath, ...args], env, opts);
}

/** Last stdout line that parses as a JSON object. */
export function parseLastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    const s = line.trim();
    if (!s.startsWith("{")) continue;
    try {
      return JSON.parse(s);
    } catch {
      // keep looking
    }
  }
  throw new Error(`no JSON line in output:\n${stdout.slice(-2000)}`);
}

/**
 * Run test/support/pipeline.py (a two-step ZenML pipeline) as a client of a server.
 * `env` = ZenmlServer.env (which already has AWS_ENDPOINT_URL when the server was started
 * with `awsEndpointUrl`) plus anything else the artifact store needs.
 */
export async function runPipeline(
  env: Env,
  opts: { stack?: string; timeoutMs?: number } = {},
): Promise<PipelineResult> {
  const args = opts.stack !== undefined ? ["--stack", opts.stack] : [];
  const r = await runPython(PIPELINE_SCRIPT, args, env, { timeoutMs: opts.timeoutMs ?? 600_000 });
  let parsed: (PipelineResult & { error?: string }) | undefined;
  try {
    parsed = parseLastJsonLine(r.stdout) as PipelineResult & { error?: string };
  } catch {
    parsed = undefined;
  }
  if (r.code !== 0 || parsed === undefined || parsed.error !== undefined) {
    throw new Error(
      `pipeline.py failed (exit ${r.code}${r.timedOut ? ", timed out" : ""}): ` +
        `${parsed?.error ?? ""}\n--- stderr (tail) ---\n${r.stderr.slice(-3000)}\n` +
        `--- stdout (tail) ---\n${r.stdout.slice(-1500)}`,
    );
  }
  return parsed;
}
