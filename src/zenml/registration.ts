import type { ZenmlClient, ZenmlObject } from "./client";
import { DEFAULT_ORCHESTRATOR, type StoreDocuments } from "./documents";
import { componentRequest, serviceConnectorRequest, stackRequest } from "./restBodies";

/** The ids of one store's registration in a ZenML server. */
export interface RegisteredIds {
  readonly connectorId: string;
  readonly artifactStoreId: string;
  readonly stackId: string;
}

/**
 * Registers one store's connector, artifact store and stack, adopting objects
 * of the same name and updating them in place, so re-running creates nothing new.
 */
export async function applyStoreRegistration(
  client: ZenmlClient,
  docs: StoreDocuments,
): Promise<RegisteredIds> {
  const connectorBody = serviceConnectorRequest(docs.connector);
  const existingConnector = await client.findByName("connector", docs.connector.name);
  const connector = existingConnector
    ? await client.update("connector", existingConnector.id, connectorBody)
    : await client.create("connector", connectorBody);

  const componentBody = componentRequest(docs.artifactStore, connector.id);
  const existingStore = await client.findByName(
    "component",
    docs.artifactStore.name,
    "artifact_store",
  );
  const store = existingStore
    ? await client.update("component", existingStore.id, componentBody)
    : await client.create("component", componentBody);

  const orchestrator = await client.findByName("component", DEFAULT_ORCHESTRATOR, "orchestrator");
  if (!orchestrator) {
    throw new Error(
      `the ZenML server has no "${DEFAULT_ORCHESTRATOR}" orchestrator to build the stack with`,
    );
  }
  const body = stackRequest(docs.stack, {
    artifact_store: store.id,
    orchestrator: orchestrator.id,
  });
  const existingStack = await client.findByName("stack", docs.stack.name);
  const stack = existingStack
    ? await client.update("stack", existingStack.id, body)
    : await client.create("stack", body);
  return { connectorId: connector.id, artifactStoreId: store.id, stackId: stack.id };
}

/**
 * Removes one store's stack, artifact store and connector. Other stacks that
 * still use the artifact store are switched to ZenML's `default` artifact
 * store first, so the component can be deleted; each switch is reported.
 */
export async function removeStoreRegistration(
  client: ZenmlClient,
  docs: StoreDocuments,
  report: (line: string) => void = () => undefined,
): Promise<void> {
  const stack = await client.findByName("stack", docs.stack.name);
  if (stack) await client.delete("stack", stack.id, docs.stack.name);

  const store = await client.findByName("component", docs.artifactStore.name, "artifact_store");
  if (store) {
    await detachFromStacks(client, store, report);
    await client.delete("component", store.id, docs.artifactStore.name);
  }
  const connector = await client.findByName("connector", docs.connector.name);
  if (connector) await client.delete("connector", connector.id, docs.connector.name);
}

async function detachFromStacks(
  client: ZenmlClient,
  store: ZenmlObject,
  report: (line: string) => void,
): Promise<void> {
  const users = await client.stacksUsing(store.id);
  if (users.length === 0) return;
  const fallback = await client.findByName("component", "default", "artifact_store");
  if (!fallback) {
    throw new Error(
      `artifact store "${store.name}" is used by stack(s) ${users.map((s) => `"${s.name}"`).join(", ")} and the server has no "default" artifact store to switch them to`,
    );
  }
  for (const user of users) {
    const full = await client.get("stack", user.id);
    const components = (full.metadata?.components ?? {}) as Record<string, { id: string }[]>;
    const ids = Object.fromEntries(
      Object.entries(components).map(([type, list]) => [
        type,
        type === "artifact_store" ? [fallback.id] : list.map((c) => c.id),
      ]),
    );
    await client.update("stack", user.id, { components: ids });
    report(`stack "${user.name}" used artifact store "${store.name}"; switched it to "default"`);
  }
}
