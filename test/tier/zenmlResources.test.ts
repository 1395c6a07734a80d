/**
 * The CRUD functions of the ZenML dynamic resources (ServiceConnector,
 * ArtifactStoreComponent, ZenmlStack), called directly against a real local
 * ZenML 0.98 server with authentication on. The Pulumi engine is not available
 * on this machine, so the engine's own calls into these providers are not
 * exercised; the functions it would call are.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZenmlClient } from "../../src/zenml/client";
import { storeDocuments, type StoreDocuments } from "../../src/zenml/documents";
import {
  artifactStoreProvider,
  connectorProvider,
  stackProvider,
  type ArtifactStoreProps,
  type ConnectorProps,
  type StackProps,
} from "../../src/zenml/resources";
import { startZenmlServer, type ZenmlServer } from "../support/services";

let server: ZenmlServer;
let client: ZenmlClient;

function docs(secret: string, region = "eu-west-1"): StoreDocuments {
  return storeDocuments({
    storeName: "dyn-store",
    stackName: "dyn-stack",
    flavor: "s3",
    artifactStoreConfiguration: { path: "s3://dyn-bucket" },
    backend: "aws",
    path: "s3://dyn-bucket",
    auth: {
      kind: "connector",
      type: "aws",
      method: "secret-key",
      resourceType: "s3-bucket",
      resourceId: "s3://dyn-bucket",
      configuration: { region },
    },
    credentials: { aws_access_key_id: "AKIADYNAMIC000000001", aws_secret_access_key: secret },
  });
}

beforeAll(async () => {
  server = await startZenmlServer({ auth: true });
  client = new ZenmlClient({ url: server.url, auth: { apiKey: server.apiKey! } });
});
afterAll(async () => {
  await server?.stop();
});

describe("ZenML dynamic resources, CRUD against a real server", () => {
  let connector: ConnectorProps & { id: string };
  let store: ArtifactStoreProps & { id: string };
  let stack: StackProps & { id: string };

  it("creates connector -> artifact store -> stack", async () => {
    const d = docs("secret-one-5b1e");
    const base = { serverUrl: server.url, apiKey: server.apiKey };
    const c = await connectorProvider.create({ ...base, document: d.connector });
    connector = { ...(c.outs as ConnectorProps), id: c.id };
    const s = await artifactStoreProvider.create!({
      ...base,
      document: d.artifactStore,
      connectorId: c.id,
    });
    store = { ...(s.outs as ArtifactStoreProps), id: s.id };
    const k = await stackProvider.create({ ...base, document: d.stack, artifactStoreId: s.id });
    stack = { ...(k.outs as StackProps), id: k.id };
    expect((await client.findByName("stack", "dyn-stack"))?.id).toBe(k.id);
    expect((await client.get("component", s.id)).name).toBe("dyn-store");
  });

  it("sees no change when only key order differs", async () => {
    const reordered = {
      ...connector,
      document: {
        ...connector.document,
        configuration: { ...connector.document.configuration },
        secrets: Object.fromEntries(Object.entries(connector.document.secrets).reverse()),
      },
    };
    const diff = await connectorProvider.diff!(connector.id, connector, reordered);
    expect(diff.changes).toBe(false);
  });

  it("updates the connector in place when the key is rotated", async () => {
    const rotated = { ...connector, document: docs("secret-two-9a7c").connector };
    const diff = await connectorProvider.diff!(connector.id, connector, rotated);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    await connectorProvider.update!(connector.id, connector, rotated);
    const response = await fetch(
      `${server.url}/api/v1/service_connectors/${connector.id}?expand_secrets=true`,
      { headers: await server.authHeaders() },
    );
    const body = (await response.json()) as { metadata: { configuration: Record<string, string> } };
    expect(body.metadata.configuration.aws_secret_access_key).toBe("secret-two-9a7c");
    connector = { ...rotated, id: connector.id };
  });

  it("replaces when the server changes or ZenML cannot change a field in place", async () => {
    const moved = { ...connector, serverUrl: "http://127.0.0.1:1" };
    expect((await connectorProvider.diff!(connector.id, connector, moved)).replaces).toEqual([
      "serverUrl",
    ]);
    const otherFlavor = { ...store, document: { ...store.document, flavor: "gcp" as const } };
    expect((await artifactStoreProvider.diff!(store.id, store, otherFlavor)).replaces).toEqual([
      "document.flavor",
    ]);
  });

  it("updates the artifact store in place", async () => {
    const moved = {
      ...store,
      document: {
        ...store.document,
        configuration: { path: "s3://dyn-bucket-2" },
        connector_resource_id: "s3://dyn-bucket-2",
      },
    };
    expect((await artifactStoreProvider.diff!(store.id, store, moved)).replaces).toEqual([]);
    await artifactStoreProvider.update!(store.id, store, moved);
    expect((await client.get("component", store.id)).metadata?.configuration).toEqual({
      path: "s3://dyn-bucket-2",
    });
  });

  it("refuses to take over an object of the same name unless asked", async () => {
    const d = docs("secret-three");
    const base = { serverUrl: server.url, apiKey: server.apiKey };
    await expect(connectorProvider.create({ ...base, document: d.connector })).rejects.toThrow(
      'ZenML already has a service connector named "dyn-store-connector"; set zenml.adoptExisting to true',
    );
    const adopted = await connectorProvider.create({
      ...base,
      adoptExisting: true,
      document: d.connector,
    });
    expect(adopted.id).toBe(connector.id);
  });

  it("deletes stack, then artifact store (detaching it from other stacks), then connector", async () => {
    const orchestrator = await client.findByName("component", "default", "orchestrator");
    await client.create("stack", {
      name: "dyn-other",
      components: { artifact_store: [store.id], orchestrator: [orchestrator!.id] },
    });
    await stackProvider.delete!(stack.id, stack);
    await artifactStoreProvider.delete!(store.id, store);
    await connectorProvider.delete!(connector.id, connector);
    expect(await client.findByName("stack", "dyn-stack")).toBeUndefined();
    expect(await client.findByName("component", "dyn-store", "artifact_store")).toBeUndefined();
    expect(await client.findByName("connector", "dyn-store-connector")).toBeUndefined();
    const other = await client.findByName("stack", "dyn-other");
    expect(other).toBeDefined();
  });
});
