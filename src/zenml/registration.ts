import { COLLECTIONS, type ZenmlClient, type ZenmlObject } from "./client";
import {
  DEFAULT_ORCHESTRATOR,
  type ArtifactStoreDocument,
  type ServiceConnectorDocument,
  type StackDocument,
  type StoreDocuments,
} from "./documents";
import { componentRequest, serviceConnectorRequest, stackRequest } from "./restBodies";

/** The ids of one store's registration in a ZenML server. */
export interface RegisteredIds {
  readonly connectorId: string;
  readonly artifactStoreId: string;
  readonly stackId: string;
}

/** Whether an object found by name may be taken over, or is an error. */
export interface UpsertOptions {
  readonly adopt: boolean;
}

/** Creates the object, or updates the one of the same name when adoption is allowed. */
async function upsert(
  client: ZenmlClient,
  kind: "connector" | "component" | "stack",
  body: Record<string, unknown>,
  options: UpsertOptions,
  componentType?: string,
): Promise<ZenmlObject> {
  const name = String(body.name);
  const existing = await client.findByName(kind, name, componentType);
  if (!existing) return client.create(kind, body);
  if (!options.adopt) {
    throw new Error(
      `ZenML already has a ${COLLECTIONS[kind].noun} named "${name}"; set zenml.adoptExisting to true to manage it, or rename the store`,
    );
  }
  return client.update(kind, existing.id, body);
}

export function upsertConnector(
  client: ZenmlClient,
  doc: ServiceConnectorDocument,
  options: UpsertOptions,
): Promise<ZenmlObject> {
  return upsert(client, "connector", serviceConnectorRequest(doc), options);
}

export function upsertArtifactStore(
  client: ZenmlClient,
  doc: ArtifactStoreDocument,
  connectorId: string,
  options: UpsertOptions,
): Promise<ZenmlObject> {
  return upsert(client, "component", componentRequest(doc, connectorId), options, doc.type);
}

/** ZenML's `default` orchestrator, which every stack this project registers uses. */
export async function defaultOrchestratorId(client: ZenmlClient): Promise<string> {
  const orchestrator = await client.findByName("component", DEFAULT_ORCHESTRATOR, "orchestrator");
  if (!orchestrator) {
    throw new Error(
      `the ZenML server has no "${DEFAULT_ORCHESTRATOR}" orchestrator to build the stack with`,
    );
  }
  return orchestrator.id;
}

export async function upsertStack(
  client: ZenmlClient,
  doc: StackDocument,
  artifactStoreId: string,
  options: UpsertOptions,
): Promise<ZenmlObject> {
  const body = stackRequest(doc, {
    artifact_store: artifactStoreId,
    orchestrator: await defaultOrchestratorId(client),
  });
  return upsert(client, "stack", body, options);
}

/**
 * Registers one store's connector, artifact store and stack, adopting objects
 * of the same name and updating them in place, so re-running creates nothing new.
 */
export async function applyStoreRegistration(
  client: ZenmlClient,
  docs: StoreDocuments,
): Promise<RegisteredIds> {
  const adopt = { adopt: true };
  const connector = await upsertConnector(client, docs.connector, adopt);
  const store = await upsertArtifactStore(client, docs.artifactStore, connector.id, adopt);
  const stack = await upsertStack(client, docs.stack, store.id, adopt);
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
  if (store) await deleteArtifactStore(client, store, report);
  const connector = await client.findByName("connector", docs.connector.name);
  if (connector) await client.delete("connector", connector.id, docs.connector.name);
}

/** Deletes an artifact store after switching any stack that uses it to `default`. */
export async function deleteArtifactStore(
  client: ZenmlClient,
  store: Pick<ZenmlObject, "id" | "name">,
  report: (line: string) => void,
): Promise<void> {
  await detachFromStacks(client, store, report);
  await client.delete("component", store.id, store.name);
}

async function detachFromStacks(
  client: ZenmlClient,
  store: Pick<ZenmlObject, "id" | "name">,
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
