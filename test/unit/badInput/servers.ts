/**
 * Bad ZenML server answers. FAKE: the servers — one local HTTP server on
 * 127.0.0.1 that plays a different broken ZenML per path prefix (the base URL
 * given to the CLI is `http://127.0.0.1:<port>/<mode>`). REAL: this project's
 * ZenML REST client and registrar (`connectZenmlServer`), with its retries and
 * timeouts. The fake records every request (method and path, never bodies), so
 * a case can show that nothing was created.
 */
import * as http from "node:http";
import { connectZenmlServer } from "../../../src/automation/zenmlRegistrar";
import type { BadInput, Env } from "./harness";
import { PASS } from "./harness";

export const API_KEY = "zenml-api-key-for-bad-input-tests";
const ENV: Env = { ...PASS, ZENML_STORE_API_KEY: API_KEY };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => void;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A healthy ZenML 0.98 up to `failAt`, which gets `fail`. */
function healthyUntil(
  failAt: (req: http.IncomingMessage, path: string) => boolean,
  fail: Handler,
): Handler {
  return (req, res, path) => {
    if (failAt(req, path)) return fail(req, res, path);
    if (path === "/api/v1/info") return json(res, 200, { version: "0.98.0" });
    if (path === "/api/v1/login") return json(res, 200, { access_token: "t", expires_in: 3600 });
    if (req.method === "GET") return json(res, 200, { items: [] });
    return json(res, 500, { detail: "the fake does not create anything" });
  };
}

export const MODES: Record<string, Handler> = {
  "always-500": (_q, res) => json(res, 500, { detail: "database is locked" }),
  "html-502": (_q, res) => {
    res.writeHead(502, { "Content-Type": "text/html" });
    res.end("<html>\n<body><h1>502 Bad Gateway</h1></body>\n</html>\n");
  },
  "not-zenml-404": (_q, res) => json(res, 404, { detail: "Not Found" }),
  "unauthorized-401": (_q, res) => json(res, 401, { detail: "Not authenticated" }),
  "old-version": (_q, res) => json(res, 200, { version: "0.70.0", deployment_type: "other" }),
  "no-version": (_q, res) => json(res, 200, { name: "some other service" }),
  "html-200": (_q, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<html><body>Welcome to nginx!</body></html>");
  },
  reset: (req) => req.socket.destroy(),
  "never-answers": () => undefined,
  "login-refused": healthyUntil(
    (_q, p) => p === "/api/v1/login",
    (_q, res) => json(res, 401, { detail: "Authentication error: invalid API key" }),
  ),
  "login-no-token": healthyUntil(
    (_q, p) => p === "/api/v1/login",
    (_q, res) => json(res, 200, { token_type: "bearer" }),
  ),
  "create-forbidden": healthyUntil(
    (q) => q.method === "POST" && q.url !== undefined && !q.url.endsWith("/login"),
    (_q, res) =>
      json(res, 403, { detail: ["Forbidden", "service account tests may not create connectors"] }),
  ),
  // Creates the connector, then refuses the artifact store (as ZenML does for a
  // configuration its flavor rejects).
  "component-refused": (req, res, path) => {
    if (req.method === "POST" && path === "/api/v1/service_connectors") {
      return json(res, 200, { id: "c-1", name: "s3-store-connector" });
    }
    if (req.method === "POST" && path === "/api/v1/components") {
      return json(res, 500, { detail: ["RuntimeError", "the path is not supported"] });
    }
    if (req.method === "DELETE") return json(res, 200, {});
    return healthyUntil(
      () => false,
      () => undefined,
    )(req, res, path);
  },
  "create-invalid": healthyUntil(
    (q) => q.method === "POST" && q.url !== undefined && !q.url.endsWith("/login"),
    // FastAPI's shape: the offending `input` is echoed, here with a secret in it.
    (_q, res) =>
      json(res, 422, {
        detail: [
          {
            type: "value_error",
            loc: ["body", "configuration"],
            msg: "Value error, unknown connector type",
            input: {
              region: "eu-west-1",
              aws_secret_access_key: "fake-secret-value-never-printed",
            },
          },
        ],
      }),
  ),
};

export interface FakeZenmlServers {
  readonly urls: Record<string, string>;
  /** `METHOD /path` of every request, by mode. */
  readonly requests: Record<string, string[]>;
  /** Every request's raw target, query string included (for leak checks). */
  readonly requestTargets: string[];
  close(): Promise<void>;
}

export async function startFakeZenmlServers(): Promise<FakeZenmlServers> {
  const requests: Record<string, string[]> = Object.fromEntries(
    Object.keys(MODES).map((m) => [m, []]),
  );
  const requestTargets: string[] = [];
  const server = http.createServer((req, res) => {
    requestTargets.push(req.url ?? "/");
    const [, mode, ...rest] = (req.url ?? "/").split("?")[0].split("/");
    const path = `/${rest.join("/")}`;
    const handler = MODES[mode];
    if (!handler) return json(res, 404, { detail: `no mode ${mode}` });
    requests[mode].push(`${req.method} ${path}`);
    req.resume();
    handler(req, res, path);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    urls: Object.fromEntries(Object.keys(MODES).map((m) => [m, `http://127.0.0.1:${port}/${m}`])),
    requests,
    requestTargets,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (the discard port). */
export const CLOSED_URL = "http://127.0.0.1:9";

const SERVERS = "zenml server answers" as const;
const realZenml = (deps: Parameters<NonNullable<BadInput["deps"]>>[0]) => ({
  ...deps,
  env: ENV,
  connectZenml: connectZenmlServer,
});

function registerCase(name: string, mode: string, line: RegExp): BadInput {
  return {
    name: `register: ${name}`,
    category: SERVERS,
    provisioned: true,
    env: ENV,
    deps: realZenml,
    argv: ({ servers }) => ["register", "--stack", "aws-dev", "--server", servers[mode] ?? mode],
    line,
    exit: 1,
  };
}

const url = "http://127\\.0\\.0\\.1:\\d+";

export const SERVER_CASES: readonly BadInput[] = [
  registerCase(
    "nothing listens on the port",
    CLOSED_URL,
    /^error: ZenML server http:\/\/127\.0\.0\.1:9: ZenML server http:\/\/127\.0\.0\.1:9 did not answer \(.+\) after 4 attempts, while asking for server info$/,
  ),
  registerCase(
    "the server never answers (timeout)",
    "never-answers",
    new RegExp(
      `^error: ZenML server ${url}/never-answers: .* did not answer \\(The operation was aborted due to timeout\\) after 4 attempts, while asking for server info$`,
    ),
  ),
  registerCase(
    "the server closes the connection",
    "reset",
    new RegExp(`^error: ZenML server ${url}/reset: .* did not answer \\(.+\\) after 4 attempts`),
  ),
  registerCase(
    "every answer is a 500",
    "always-500",
    new RegExp(`refused to read server info \\(500\\): database is locked$`),
  ),
  registerCase(
    "a 502 HTML page from a proxy",
    "html-502",
    /refused to read server info \(502\): <html> <body><h1>502 Bad Gateway<\/h1><\/body> <\/html>$/,
  ),
  registerCase(
    "not a ZenML server (404)",
    "not-zenml-404",
    /refused to read server info \(404\): Not Found$/,
  ),
  registerCase(
    "the server wants authentication even for its version",
    "unauthorized-401",
    /refused to read server info \(401\): Not authenticated$/,
  ),
  registerCase(
    "an unsupported ZenML version",
    "old-version",
    /: ZenML server 0\.70\.0 is not supported: this project needs ZenML 0\.80\.0 or newer$/,
  ),
  registerCase(
    "a server that reports no version",
    "no-version",
    new RegExp(
      `${url}/no-version reported no ZenML version at /api/v1/info; is it a ZenML server\\?$`,
    ),
  ),
  registerCase(
    "a web server answering HTML with 200",
    "html-200",
    new RegExp(
      `${url}/html-200 answered server info with something that is not JSON \\(<html><body>Welcome to nginx!</body></html>\\); is it a ZenML server\\?$`,
    ),
  ),
  registerCase(
    "the API key is refused",
    "login-refused",
    /^error: registering s3-store in \S+: ZenML server \S+ refused the login \(401\): Authentication error: invalid API key; check the API key or credentials$/,
  ),
  registerCase(
    "the login answer has no token",
    "login-no-token",
    /^error: registering s3-store in \S+: ZenML login returned no access token$/,
  ),
  registerCase(
    "creating the connector is forbidden",
    "create-forbidden",
    /refused to create service connector "s3-store-connector" \(403\): Forbidden: service account tests may not create connectors$/,
  ),
  registerCase(
    "the connector is refused as invalid",
    "create-invalid",
    /refused to create service connector "s3-store-connector" \(422\): body\.configuration: Value error, unknown connector type$/,
  ),
  {
    name: "verify: nothing listens on the server's port",
    category: SERVERS,
    provisioned: true,
    env: ENV,
    deps: realZenml,
    argv: ["verify", "--stack", "aws-dev", "--server", CLOSED_URL],
    line: /^error: ZenML server http:\/\/127\.0\.0\.1:9: .* did not answer/,
    exit: 1,
  },
  {
    name: "verify: an unsupported ZenML version",
    category: SERVERS,
    provisioned: true,
    env: ENV,
    deps: realZenml,
    argv: ({ servers }) => ["verify", "--stack", "aws-dev", "--server", servers["old-version"]],
    line: /ZenML server 0\.70\.0 is not supported/,
    exit: 1,
  },
  {
    name: "destroy: the extra server answers 500",
    category: SERVERS,
    provisioned: true,
    env: ENV,
    deps: realZenml,
    argv: ({ servers }) => [
      "destroy",
      "--stack",
      "aws-dev",
      "--yes",
      "--server",
      servers["always-500"],
    ],
    line: /refused to read server info \(500\)/,
    exit: 1,
  },
];
