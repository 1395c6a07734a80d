import type {
  ArtifactStoreDocument,
  ArtifactStoreFields,
  SecretArtifactStoreDocument,
  SecretDocument,
  ServiceConnectorDocument,
  StackDocument,
} from "./documents";

/**
 * Request bodies for ZenML's REST API (servers >= 0.80, where connectors,
 * components and stacks are top-level: /api/v1/service_connectors,
 * /api/v1/components, /api/v1/stacks). References between objects are ids.
 */

/**
 * ZenML's connector request has no separate `secrets` field: the server splits
 * `configuration` into plain values and a ZenML secret by the connector type's
 * schema. So the secret fields travel inside `configuration`, over the
 * authenticated connection only.
 */

export function serviceConnectorRequest(doc: ServiceConnectorDocument): Record<string, unknown> {
  return {
    name: doc.name,
    connector_type: doc.connector_type,
    auth_method: doc.auth_method,
    resource_types: [...doc.resource_types],
    resource_id: doc.resource_id,
    configuration: { ...doc.configuration, ...doc.secrets },
    labels: { ...doc.labels },
  };
}

export function componentRequest(
  doc: ArtifactStoreDocument,
  connectorId: string,
): Record<string, unknown> {
  return {
    ...artifactStoreFields(doc),
    connector: connectorId,
    connector_resource_id: doc.connector_resource_id,
  };
}

export function stackRequest(
  doc: StackDocument,
  componentIds: { readonly artifact_store: string; readonly orchestrator: string },
): Record<string, unknown> {
  return {
    name: doc.name,
    components: {
      artifact_store: [componentIds.artifact_store],
      orchestrator: [componentIds.orchestrator],
    },
    labels: { ...doc.labels },
  };
}

/** `POST /api/v1/secrets`: a ZenML secret (sent over the authenticated connection only). */
export function secretRequest(doc: SecretDocument): Record<string, unknown> {
  return { name: doc.name, private: doc.private, values: { ...doc.values } };
}

/** `POST /api/v1/components` for an artifact store that uses a ZenML secret, not a connector. */
export function secretArtifactStoreRequest(
  doc: SecretArtifactStoreDocument,
): Record<string, unknown> {
  return artifactStoreFields(doc);
}

/** The fields every artifact store's component request has. */
function artifactStoreFields(doc: ArtifactStoreFields): Record<string, unknown> {
  return {
    name: doc.name,
    type: doc.type,
    flavor: doc.flavor,
    configuration: { ...doc.configuration },
    labels: { ...doc.labels },
  };
}
