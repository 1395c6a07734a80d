import { COLLECTIONS, isZenmlError, type Kind, type ZenmlClient, type ZenmlObject } from "./client";
import {
  DEFAULT_ORCHESTRATOR,
  type AnyStoreDocuments,
  type ArtifactStoreDocument,
  type SecretArtifactStoreDocument,
  type SecretDocument,
  type ServiceConnectorDocument,
  type StackDocument,
  usesSecret,
} from "./documents";
import {
  componentRequest,
  secretArtifactStoreRequest,
  secretRequest,
  serviceConnectorRequest,
  stackRequest,
} from "./restBodies";

/** The ids of one store's registration in a ZenML server. */
export interface RegisteredIds {
  /** The service connector, or the ZenML secret for a store that authenticates with one. */
  readonly credentialsId: string;
  readonly artifactStoreId: string;
  readonly stackId: string;
}

/** Whether an object found by name may be taken over, or is an error. */
export interface UpsertOptions {
  readonly adopt: boolean;
  /** Told about each object this call created (not adopted), e.g. to undo a failed run. */
  readonly onCreate?: (kind: Kind, object: ZenmlObject) => void;
}

/** Creates the object, or updates the one of the same name when adoption is allowed. */
async function upsert(
  client: ZenmlClient,
  kind: Kind,
  body: Record<string, unknown>,
  options: UpsertOptions,
  componentType?: string,
): Promise<ZenmlObject> {
  const name = String(body.name);
  const existing = await client.findByName(kind, name, componentType);
  if (!existing) {
    let created: ZenmlObject;
    try {
      created = await client.create(kind, body);
    } catch (err) {
      // A create whose answer was lost is retried, and ZenML then answers 409 for
      // the object the first attempt made: when adopting, take that object over.
      if (!(options.adopt && isZenmlError(err, "refused") && err.status === 409)) throw err;
      const made = await client.findByName(kind, name, componentType);
      if (!made) throw err;
      created = await client.update(kind, made.id, body);
    }
    options.onCreate?.(kind, created);
    return created;
  }
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

export function upsertSecret(
  client: ZenmlClient,
  doc: SecretDocument,
  options: UpsertOptions,
): Promise<ZenmlObject> {
  return upsert(client, "secret", secretRequest(doc), options);
}

/** The artifact store's request body: linked to a connector, or naming its ZenML secret. */
export function artifactStoreRequest(
  doc: ArtifactStoreDocument | SecretArtifactStoreDocument,
  connectorId: string | undefined,
): Record<string, unknown> {
  if ("connector" in doc) {
    if (connectorId === undefined)
      throw new Error(`artifact store "${doc.name}" needs its connector's id`);
    return componentRequest(doc, connectorId);
  }
  return secretArtifactStoreRequest(doc);
}

export function upsertArtifactStore(
  client: ZenmlClient,
  doc: ArtifactStoreDocument | SecretArtifactStoreDocument,
  connectorId: string | undefined,
  options: UpsertOptions,
): Promise<ZenmlObject> {
  return upsert(client, "component", artifactStoreRequest(doc, connectorId), options, doc.type);
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
 * Registers one store's connector (or secret), artifact store and stack,
 * adopting objects of the same name and updating them in place, so re-running
 * creates nothing new. If a step fails, the objects this run created are
 * deleted again, so a refused registration leaves nothing half-made behind.
 */
export async function applyStoreRegistration(
  client: ZenmlClient,
  docs: AnyStoreDocuments,
): Promise<RegisteredIds> {
  const created: { kind: Kind; object: ZenmlObject }[] = [];
  const adopt: UpsertOptions = {
    adopt: true,
    onCreate: (kind, object) => created.push({ kind, object }),
  };
  try {
    const credentials = usesSecret(docs)
      ? await upsertSecret(client, docs.secret, adopt)
      : await upsertConnector(client, docs.connector, adopt);
    const connectorId = usesSecret(docs) ? undefined : credentials.id;
    const store = await upsertArtifactStore(client, docs.artifactStore, connectorId, adopt);
    const stack = await upsertStack(client, docs.stack, store.id, adopt);
    return { credentialsId: credentials.id, artifactStoreId: store.id, stackId: stack.id };
  } catch (err) {
    for (const { kind, object } of created.reverse()) {
      // Best effort: the original error is the one to report.
      await client.delete(kind, object.id, object.name).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * Removes one store's stack, artifact store and connector. Other stacks that
 * still use the artifact store are switched to ZenML's `default` artifact
 * store first, so the component can be deleted; each switch is reported.
 */
export async function removeStoreRegistration(
  client: ZenmlClient,
  docs: AnyStoreDocuments,
  report: (line: string) => void = () => undefined,
): Promise<void> {
  const stack = await client.findByName("stack", docs.stack.name);
  if (stack) await client.delete("stack", stack.id, docs.stack.name);
  const store = await client.findByName("component", docs.artifactStore.name, "artifact_store");
  if (store) await deleteArtifactStore(client, store, report);
  const [kind, name] = usesSecret(docs)
    ? (["secret", docs.secret.name] as const)
    : (["connector", docs.connector.name] as const);
  const credentials = await client.findByName(kind, name);
  if (credentials) await client.delete(kind, credentials.id, name);
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
