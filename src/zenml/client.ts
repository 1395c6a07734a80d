/**
 * A typed client for ZenML's REST API (servers >= 0.80). It logs in with a
 * service account's API key or a username/password, refreshes its token before
 * it expires, retries connection errors and 5xx with backoff (never 4xx), and
 * raises errors that name the object and quote the server. It never logs a
 * request or response body: bodies may hold credentials.
 */

export const MIN_SERVER_VERSION = "0.80.0";

export type ZenmlAuth =
  | { readonly apiKey: string }
  | { readonly username: string; readonly password: string }
  | { readonly none: true };

export interface ZenmlClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8237`. */
  readonly url: string;
  readonly auth: ZenmlAuth;
  /** Attempts for connection errors and 5xx answers (default 4). */
  readonly attempts?: number;
  /** First backoff delay; doubles per attempt (default 250 ms). */
  readonly backoffMs?: number;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Receives one line per request (method, path, status); never bodies. */
  readonly log?: (line: string) => void;
}

/** The three kinds of object this project registers, with their REST collections. */
export const COLLECTIONS = {
  connector: { path: "service_connectors", noun: "service connector" },
  component: { path: "components", noun: "stack component" },
  stack: { path: "stacks", noun: "stack" },
  secret: { path: "secrets", noun: "secret" },
} as const;
export type Kind = keyof typeof COLLECTIONS;

/** A ZenML object as the API returns it (hydrated): id and name at the top. */
export interface ZenmlObject {
  readonly id: string;
  readonly name: string;
  readonly body?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly resources?: Record<string, unknown>;
}

/**
 * What went wrong talking to a ZenML server: `refused` (the server answered with an
 * error; `status` is its HTTP status), `unreachable` (no answer after every retry) or
 * `unsupported` (a server older than MIN_SERVER_VERSION). The message names the object
 * and quotes the server.
 */
export type ZenmlErrorKind = "refused" | "unreachable" | "unsupported";

export interface ZenmlError extends Error {
  readonly kind: ZenmlErrorKind;
  readonly status?: number;
}

/**
 * A ZenmlError. Built from the global `Error`, never a subclass: the ZenML dynamic
 * providers are serialised by Pulumi's closure serialiser, which rebuilds a class that
 * extends Error without Error's prototype and without its message
 * (sdk/nodejs/runtime/closure/rewriteSuper.ts), so the user would read `error: undefined`.
 */
export function zenmlError(kind: ZenmlErrorKind, message: string, status?: number): ZenmlError {
  return Object.assign(new Error(message), {
    name: "ZenmlError",
    kind,
    ...(status !== undefined ? { status } : {}),
  });
}

export function isZenmlError(err: unknown, kind?: ZenmlErrorKind): err is ZenmlError {
  const e = err as Partial<ZenmlError> | null;
  return (
    err instanceof Error && e?.name === "ZenmlError" && (kind === undefined || e.kind === kind)
  );
}

function unsupportedServer(version: string): ZenmlError {
  return zenmlError(
    "unsupported",
    `ZenML server ${version} is not supported: this project needs ZenML ${MIN_SERVER_VERSION} or newer`,
  );
}

/** Compares dotted version strings numerically (`0.98.0` > `0.80.1`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((p) => parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/).map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * One item of an error body as text. FastAPI validation errors (`{loc, msg,
 * input}`) become `body.field: msg`; the offending `input` is never repeated,
 * since it may be a credential from the request body.
 */
function detailText(d: unknown): string {
  if (typeof d === "string") return d;
  const item = d as { loc?: unknown; msg?: unknown } | null;
  if (typeof item === "object" && item !== null && typeof item.msg === "string") {
    const where = Array.isArray(item.loc) ? item.loc.map(String).join(".") : "";
    return where ? `${where}: ${item.msg}` : item.msg;
  }
  return JSON.stringify(d, (key, value: unknown) => (key === "input" ? undefined : value));
}

/** ZenML error bodies are `{"detail": ...}` with a string, a list or an object. */
export function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; message?: unknown };
    const detail = parsed.detail ?? parsed.message ?? parsed;
    const flat = Array.isArray(detail) ? detail.map(detailText).join(": ") : detailText(detail);
    return flat.replace(/\s+/g, " ").trim().slice(0, 500);
  } catch {
    return text.replace(/\s+/g, " ").trim().slice(0, 500) || "(empty answer)";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Token {
  readonly value: string;
  /** Epoch ms after which the token is refreshed (a minute before it expires). */
  readonly refreshAt: number;
}

export class ZenmlClient {
  private readonly base: string;
  private token?: Token;

  constructor(private readonly options: ZenmlClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
  }

  /** `GET /api/v1/info`: the server's version and deployment facts. */
  async serverInfo(): Promise<{ version: string } & Record<string, unknown>> {
    return (await this.request("GET", "/api/v1/info", { what: "server info", auth: false })) as {
      version: string;
    };
  }

  /** Fails with a clear error unless the server is ZenML >= 0.80. */
  async checkServerVersion(): Promise<string> {
    const info: unknown = await this.serverInfo();
    const version = (info as { version?: unknown } | null)?.version;
    if (typeof version !== "string") {
      throw zenmlError(
        "refused",
        `${this.base} reported no ZenML version at /api/v1/info; is it a ZenML server?`,
        200,
      );
    }
    if (compareVersions(version, MIN_SERVER_VERSION) < 0) {
      throw unsupportedServer(String(version));
    }
    return version;
  }

  /** The object of that kind and exact name, if any (components also by type). */
  async findByName(
    kind: Kind,
    name: string,
    componentType?: string,
  ): Promise<ZenmlObject | undefined> {
    const query = new URLSearchParams({ name, size: "100" });
    if (componentType) query.set("type", componentType);
    const page = (await this.request("GET", `/api/v1/${COLLECTIONS[kind].path}?${query}`, {
      what: `${COLLECTIONS[kind].noun} "${name}"`,
    })) as { items: ZenmlObject[] };
    return page.items.find((item) => item.name === name);
  }

  /** One object by id; a connector's secret values are never asked for. */
  async get(kind: Kind, id: string): Promise<ZenmlObject> {
    const query = kind === "connector" ? "?expand_secrets=false" : "";
    return (await this.request("GET", `/api/v1/${COLLECTIONS[kind].path}/${id}${query}`, {
      what: `${COLLECTIONS[kind].noun} ${id}`,
    })) as ZenmlObject;
  }

  async create(kind: Kind, body: Record<string, unknown>): Promise<ZenmlObject> {
    return (await this.request("POST", `/api/v1/${COLLECTIONS[kind].path}`, {
      what: `${COLLECTIONS[kind].noun} "${String(body.name)}"`,
      body,
      verb: "create",
    })) as ZenmlObject;
  }

  async update(kind: Kind, id: string, body: Record<string, unknown>): Promise<ZenmlObject> {
    return (await this.request("PUT", `/api/v1/${COLLECTIONS[kind].path}/${id}`, {
      what: `${COLLECTIONS[kind].noun} "${String(body.name ?? id)}"`,
      body,
      verb: "update",
    })) as ZenmlObject;
  }

  async delete(kind: Kind, id: string, name: string): Promise<void> {
    await this.request("DELETE", `/api/v1/${COLLECTIONS[kind].path}/${id}`, {
      what: `${COLLECTIONS[kind].noun} "${name}"`,
      verb: "delete",
    });
  }

  /** Stacks that use the component with this id. */
  async stacksUsing(componentId: string): Promise<ZenmlObject[]> {
    const query = new URLSearchParams({ component_id: componentId, size: "100" });
    const page = (await this.request("GET", `/api/v1/stacks?${query}`, {
      what: `stacks using component ${componentId}`,
    })) as { items: ZenmlObject[] };
    return page.items;
  }

  /**
   * Asks the server to verify a registered connector against one resource.
   * Returns the server's error text, or undefined when verification passed.
   */
  async verifyConnector(
    id: string,
    name: string,
    resource: { type: string; id: string },
  ): Promise<string | undefined> {
    const query = new URLSearchParams({ resource_type: resource.type, resource_id: resource.id });
    const result = (await this.request("PUT", `/api/v1/service_connectors/${id}/verify?${query}`, {
      what: `service connector "${name}"`,
      verb: "verify",
    })) as { error?: string | null; resources?: { error?: string | null }[] };
    const errors = [result.error, ...(result.resources ?? []).map((r) => r.error)].filter(
      (e): e is string => typeof e === "string" && e.length > 0,
    );
    return errors.length > 0 ? errors.join("; ") : undefined;
  }

  private async login(): Promise<Token | undefined> {
    const auth = this.options.auth;
    if ("none" in auth) return undefined;
    const form = new URLSearchParams(
      "apiKey" in auth
        ? { password: auth.apiKey }
        : { username: auth.username, password: auth.password },
    );
    const answer = (await this.request("POST", "/api/v1/login", {
      what: "login",
      form,
      auth: false,
    })) as { access_token?: string; expires_in?: number | null };
    if (typeof answer.access_token !== "string") {
      throw zenmlError("refused", "ZenML login returned no access token", 200);
    }
    const lifetimeMs = (answer.expires_in ?? 3600) * 1000;
    return {
      value: answer.access_token,
      refreshAt: Date.now() + Math.max(lifetimeMs - 60_000, lifetimeMs / 2),
    };
  }

  private async authorization(forceLogin: boolean): Promise<Record<string, string>> {
    if (forceLogin || this.token === undefined || Date.now() >= this.token.refreshAt) {
      this.token = await this.login();
    }
    return this.token ? { Authorization: `Bearer ${this.token.value}` } : {};
  }

  private async request(
    method: string,
    path: string,
    opts: {
      what: string;
      verb?: string;
      body?: Record<string, unknown>;
      form?: URLSearchParams;
      auth?: boolean;
    },
  ): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    const backoffMs = this.options.backoffMs ?? 250;
    const useAuth = opts.auth !== false;
    let relogged = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = useAuth ? await this.authorization(false) : {};
      let response: Response;
      try {
        response = await fetch(this.base + path, {
          method,
          headers: {
            ...headers,
            Accept: "application/json",
            ...(opts.body ? { "Content-Type": "application/json" } : {}),
            ...(opts.form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
          },
          body: opts.body ? JSON.stringify(opts.body) : opts.form?.toString(),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
      } catch (err) {
        const reason =
          err instanceof Error
            ? err.cause instanceof Error
              ? err.cause.message
              : err.message
            : String(err);
        this.options.log?.(
          `${method} ${path.split("?")[0]} -> no answer (${reason}), attempt ${attempt}/${attempts}`,
        );
        if (attempt >= attempts) {
          throw zenmlError(
            "unreachable",
            `ZenML server ${this.base} did not answer (${reason}) after ${attempts} attempts, while asking for ${opts.what}`,
          );
        }
        await sleep(backoffMs * 2 ** (attempt - 1));
        continue;
      }
      this.options.log?.(`${method} ${path.split("?")[0]} -> ${response.status}`);
      const text = await response.text();
      if (response.ok) {
        if (!text) return undefined;
        try {
          return JSON.parse(text);
        } catch {
          throw zenmlError(
            "refused",
            `${this.base} answered ${opts.what} with something that is not JSON (${serverMessage(text).slice(0, 80)}); is it a ZenML server?`,
            response.status,
          );
        }
      }
      if (response.status === 401 && useAuth && !relogged && !("none" in this.options.auth)) {
        relogged = true;
        await this.authorization(true);
        continue;
      }
      if (response.status >= 500 && attempt < attempts) {
        await sleep(backoffMs * 2 ** (attempt - 1));
        continue;
      }
      const action = opts.verb ? `${opts.verb} ${opts.what}` : `read ${opts.what}`;
      if (path === "/api/v1/login") {
        throw zenmlError(
          "refused",
          `ZenML server ${this.base} refused the login (${response.status}): ${serverMessage(text)}; check the API key or credentials`,
          response.status,
        );
      }
      throw zenmlError(
        "refused",
        `ZenML server ${this.base} refused to ${action} (${response.status}): ${serverMessage(text)}`,
        response.status,
      );
    }
  }
}
