/**
 * The ZenML REST client and the idempotent registration, against a real local
 * ZenML 0.98 server with authentication on (a service account's API key).
 * Connector verification is not exercised here (no AWS behind these keys);
 * the AWS acceptance test verifies connectors against moto.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isZenmlError, ZenmlClient } from "../../src/zenml/client";
import { storeDocuments, type ConnectorRegistration } from "../../src/zenml/documents";
import { applyStoreRegistration, removeStoreRegistration } from "../../src/zenml/apply";
import { freePort, startZenmlServer, type ZenmlServer } from "../support/services";

const FIRST_SECRET = "first-secret-0f3c9a1e6b2d4c8aa7e1";
const ROTATED_SECRET = "rotated-secret-77d2c0b9e1a34f5c9d20";

function registration(
  secret: string,
  overrides: Partial<ConnectorRegistration> = {},
): ConnectorRegistration {
  return {
    storeName: "client-store",
    stackName: "client-stack",
    flavor: "s3",
    artifactStoreConfiguration: { path: "s3://client-bucket" },
    backend: "aws",
    path: "s3://client-bucket",
    auth: {
      kind: "connector",
      type: "aws",
      method: "secret-key",
      resourceType: "s3-bucket",
      resourceId: "s3://client-bucket",
      configuration: { region: "eu-west-1" },
    },
    credentials: { aws_access_key_id: "AKIACLIENTTEST000001", aws_secret_access_key: secret },
    ...overrides,
  };
}

let server: ZenmlServer;

/** The secret the server stored for a connector, read the way ZenML's own client does. */
async function storedSecret(connectorId: string): Promise<unknown> {
  const response = await fetch(
    `${server.url}/api/v1/service_connectors/${connectorId}?expand_secrets=true`,
    {
      headers: await server.authHeaders(),
    },
  );
  const body = (await response.json()) as { metadata: { configuration: Record<string, unknown> } };
  return body.metadata.configuration.aws_secret_access_key;
}
const logLines: string[] = [];
let client: ZenmlClient;

beforeAll(async () => {
  server = await startZenmlServer({ auth: true });
  client = new ZenmlClient({
    url: server.url,
    auth: { apiKey: server.apiKey! },
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("ZenmlClient against a real ZenML server with authentication on", () => {
  it("checks the server version", async () => {
    expect(await client.checkServerVersion()).toBe("0.98.0");
  });

  it("registers a store, and re-running creates no duplicates", async () => {
    const docs = storeDocuments(registration(FIRST_SECRET));
    const first = await applyStoreRegistration(client, docs);
    const second = await applyStoreRegistration(client, docs);
    expect(second).toEqual(first);

    const connector = await client.get("connector", first.credentialsId);
    expect(connector.name).toBe("client-store-connector");
    expect(connector.body?.auth_method).toBe("secret-key");
    expect(JSON.stringify(connector.body?.connector_type)).toContain('"aws"');
    const store = await client.get("component", first.artifactStoreId);
    expect(store.metadata?.configuration).toEqual({ path: "s3://client-bucket" });
    const stack = await client.get("stack", first.stackId);
    const components = stack.metadata?.components as Record<string, { name: string }[]>;
    expect(components.artifact_store.map((c) => c.name)).toEqual(["client-store"]);
    expect(components.orchestrator.map((c) => c.name)).toEqual(["default"]);
  });

  it("keeps the secret out of the connector's plain configuration", async () => {
    const connector = await client.findByName("connector", "client-store-connector");
    const full = await client.get("connector", connector!.id);
    const plain = (full.metadata?.configuration ?? {}) as Record<string, unknown>;
    expect(plain.region).toBe("eu-west-1");
    expect(JSON.stringify(plain)).not.toContain(FIRST_SECRET);
    expect(Object.keys(plain)).not.toContain("aws_secret_access_key");
    expect(await storedSecret(connector!.id)).toBe(FIRST_SECRET);
  });

  it("updates in place when the key is rotated", async () => {
    const before = await client.findByName("connector", "client-store-connector");
    const ids = await applyStoreRegistration(client, storeDocuments(registration(ROTATED_SECRET)));
    expect(ids.credentialsId).toBe(before!.id);
    expect(await storedSecret(ids.credentialsId)).toBe(ROTATED_SECRET);
  });

  it("deletes an artifact store that another stack still uses, switching that stack to default", async () => {
    const docs = storeDocuments(registration(ROTATED_SECRET));
    const ids = await applyStoreRegistration(client, docs);
    const orchestrator = await client.findByName("component", "default", "orchestrator");
    await client.create("stack", {
      name: "teammate-stack",
      components: { artifact_store: [ids.artifactStoreId], orchestrator: [orchestrator!.id] },
    });
    const reports: string[] = [];
    await removeStoreRegistration(client, docs, (line) => reports.push(line));
    expect(reports).toEqual([
      'stack "teammate-stack" used artifact store "client-store"; switched it to "default"',
    ]);
    expect(await client.findByName("stack", "client-stack")).toBeUndefined();
    expect(await client.findByName("component", "client-store", "artifact_store")).toBeUndefined();
    expect(await client.findByName("connector", "client-store-connector")).toBeUndefined();
    const teammate = await client.findByName("stack", "teammate-stack");
    const full = await client.get("stack", teammate!.id);
    const components = full.metadata?.components as Record<string, { name: string }[]>;
    expect(components.artifact_store.map((c) => c.name)).toEqual(["default"]);
  });

  it("removing twice is a no-op", async () => {
    await expect(
      removeStoreRegistration(client, storeDocuments(registration(ROTATED_SECRET))),
    ).resolves.toBeUndefined();
  });

  it("quotes the server when it refuses an object", async () => {
    await expect(
      client.create("component", {
        name: "broken",
        type: "artifact_store",
        flavor: "s3",
        configuration: { path: "gs://wrong" },
      }),
    ).rejects.toThrow(/refused to create stack component "broken" \(\d{3}\): .+/);
  });

  it("refuses a wrong API key with a clear error", async () => {
    const wrong = new ZenmlClient({ url: server.url, auth: { apiKey: "ZENKEY_not-a-real-key" } });
    const error = await wrong.findByName("stack", "x").catch((e: unknown) => e);
    expect(isZenmlError(error, "refused")).toBe(true);
    expect((error as Error).message).toMatch(/refused the login \(401\).*check the API key/);
  });

  it("never logs a secret or a body", () => {
    const log = logLines.join("\n");
    expect(logLines.length).toBeGreaterThan(10);
    expect(log).not.toContain(FIRST_SECRET);
    expect(log).not.toContain(ROTATED_SECRET);
    expect(log).not.toContain(server.apiKey!);
    expect(log).not.toContain("{");
  });
});

describe("ZenmlClient when the server misbehaves", () => {
  let fake: Server;
  let fakeUrl: string;
  const hits: string[] = [];
  let mode: "old" | "flaky" | "forbidden" = "old";

  beforeAll(async () => {
    fake = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (mode === "old") {
        res
          .writeHead(200, { "Content-Type": "application/json" })
          .end(JSON.stringify({ version: "0.67.0" }));
      } else if (mode === "flaky") {
        const n = hits.length;
        if (n < 3) res.writeHead(503).end("busy");
        else
          res
            .writeHead(200, { "Content-Type": "application/json" })
            .end(JSON.stringify({ version: "0.98.0" }));
      } else {
        res
          .writeHead(403, { "Content-Type": "application/json" })
          .end(JSON.stringify({ detail: ["IllegalOperationError", "nope"] }));
      }
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

  it("rejects an unsupported server version", async () => {
    mode = "old";
    const c = new ZenmlClient({ url: fakeUrl, auth: { none: true } });
    await expect(c.checkServerVersion()).rejects.toMatchObject({ kind: "unsupported" });
    await expect(c.checkServerVersion()).rejects.toThrow(
      "ZenML server 0.67.0 is not supported: this project needs ZenML 0.80.0 or newer",
    );
  });

  it("retries 5xx with backoff and then succeeds", async () => {
    mode = "flaky";
    hits.length = 0;
    const c = new ZenmlClient({ url: fakeUrl, auth: { none: true }, backoffMs: 10 });
    expect(await c.checkServerVersion()).toBe("0.98.0");
    expect(hits).toHaveLength(3);
  });

  it("never retries a 4xx and quotes the server", async () => {
    mode = "forbidden";
    hits.length = 0;
    const c = new ZenmlClient({ url: fakeUrl, auth: { none: true }, backoffMs: 10 });
    await expect(c.findByName("stack", "s")).rejects.toThrow(
      'refused to read stack "s" (403): IllegalOperationError: nope',
    );
    expect(hits).toHaveLength(1);
  });

  it("gives up on a server that is down after bounded retries", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const c = new ZenmlClient({
      url: `http://127.0.0.1:${port}`,
      auth: { none: true },
      attempts: 3,
      backoffMs: 10,
      log: (l) => lines.push(l),
    });
    const started = Date.now();
    const error = await c.serverInfo().catch((e: unknown) => e);
    expect(isZenmlError(error, "unreachable")).toBe(true);
    expect((error as Error).message).toMatch(/did not answer \(.*\) after 3 attempts/);
    expect(lines).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
