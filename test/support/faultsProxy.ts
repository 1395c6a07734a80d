/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of a real server (the
 * ZenML server of test/support/services.ts). It forwards every request as is
 * and counts them; on request it breaks one request in one of two ways, and
 * can then play dead until revived:
 *
 * - `drop-request`:  the connection is cut before the request reaches the
 *   server — the server never sees it (the server died before it);
 * - `drop-response`: the request is forwarded and the server answers (so it
 *   has done the work), but the answer never reaches the client — the
 *   server died after committing, before replying: the worst case for a
 *   non-idempotent POST.
 *
 * While dead, every new connection (and every request on a kept-alive one) is
 * cut at once, like a server that is gone.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault = "drop-request" | "drop-response";

export interface FaultPlan {
  /** Requests that pass first; the next one is broken. */
  readonly after: number;
  readonly fault: Fault;
  /** Play dead after the broken request (default true); false is a one-off blip. */
  readonly thenDead?: boolean;
}

export class FaultProxy {
  /** Requests received since start (or the last `reset`), broken ones included. */
  requests = 0;
  /** Requests broken so far, and how. */
  readonly injected: { request: number; fault: Fault; method: string; path: string }[] = [];
  private plan?: FaultPlan & { at: number };
  private dead = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly target: string,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    const server = http.createServer();
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const proxy = new FaultProxy(server, target, `http://127.0.0.1:${port}`);
    server.on("request", (req, res) => void proxy.handle(req, res, upstream));
    server.on("connection", (socket: Socket) => {
      if (proxy.dead) {
        socket.destroy();
        return;
      }
      proxy.sockets.add(socket);
      socket.once("close", () => proxy.sockets.delete(socket));
    });
    return proxy;
  }

  /** Break the request after `plan.after` more requests. */
  failAfter(plan: FaultPlan): void {
    this.plan = { ...plan, at: this.requests + plan.after + 1 };
  }

  /** The server is back: requests pass again. */
  revive(): void {
    this.dead = false;
    this.plan = undefined;
  }

  get isDead(): boolean {
    return this.dead;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private die(): void {
    this.dead = true;
    for (const s of this.sockets) s.destroy();
  }

  private async handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    upstream: URL,
  ): Promise<void> {
    if (this.dead) {
      req.socket.destroy();
      return;
    }
    this.requests += 1;
    const n = this.requests;
    const body = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
    const plan = this.plan;
    const broken = plan !== undefined && n === plan.at;
    if (broken && plan.fault === "drop-request") {
      this.record(n, plan.fault, req);
      this.breakOff(req, plan);
      return;
    }
    const answer = await forward(upstream, req, body);
    if (broken && plan.fault === "drop-response") {
      this.record(n, plan.fault, req);
      this.breakOff(req, plan);
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private record(n: number, fault: Fault, req: http.IncomingMessage): void {
    this.injected.push({
      request: n,
      fault,
      method: req.method ?? "",
      path: (req.url ?? "").split("?")[0],
    });
  }

  private breakOff(req: http.IncomingMessage, plan: FaultPlan): void {
    this.plan = undefined;
    if (plan.thenDead ?? true) this.die();
    req.socket.destroy();
  }
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "host",
  "content-length",
]);

async function forward(
  upstream: URL,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(k.toLowerCase()) && v !== undefined) headers[k] = v;
  }
  headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const h: http.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(answer.headers)) {
            if (!HOP_BY_HOP.has(k.toLowerCase()) && v !== undefined) h[k] = v;
          }
          resolve({ status: answer.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
        });
        answer.on("error", reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}
