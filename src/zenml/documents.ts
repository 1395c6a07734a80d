import type { ArtifactStoreFlavor } from "../stores/outputs";

/** One store's registration facts, with every Pulumi output resolved. */
export interface StoreRegistration {
  readonly storeName: string;
  readonly stackName: string;
  readonly flavor: ArtifactStoreFlavor;
  readonly artifactStoreConfiguration: Readonly<Record<string, unknown>>;
  readonly connectorType: string;
  readonly authMethod: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly connectorConfiguration: Readonly<Record<string, string>>;
  /** Secret connector fields; kept apart from the plain configuration everywhere. */
  readonly credentials: Readonly<Record<string, string>>;
}

export interface ServiceConnectorDocument {
  readonly name: string;
  readonly connector_type: string;
  readonly auth_method: string;
  readonly resource_types: readonly string[];
  readonly resource_id: string;
  readonly configuration: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ArtifactStoreDocument {
  readonly name: string;
  readonly type: "artifact_store";
  readonly flavor: ArtifactStoreFlavor;
  readonly configuration: Readonly<Record<string, unknown>>;
  /** The service connector's name. */
  readonly connector: string;
  readonly connector_resource_id: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface StackDocument {
  readonly name: string;
  /** Component names by type: the artifact store plus ZenML's `default` orchestrator. */
  readonly components: { readonly artifact_store: string; readonly orchestrator: string };
  readonly labels: Readonly<Record<string, string>>;
}

export interface StoreDocuments {
  readonly connector: ServiceConnectorDocument;
  readonly artifactStore: ArtifactStoreDocument;
  readonly stack: StackDocument;
}

/** ZenML's built-in local orchestrator, present on every server. */
export const DEFAULT_ORCHESTRATOR = "default";

/** Marks the objects this project manages, so they can be told apart from hand-made ones. */
export const MANAGED_LABELS: Readonly<Record<string, string>> = {
  "managed-by": "zenml-remote-storage",
};

export function connectorName(storeName: string): string {
  return `${storeName}-connector`;
}

export function serviceConnectorDocument(reg: StoreRegistration): ServiceConnectorDocument {
  return {
    name: connectorName(reg.storeName),
    connector_type: reg.connectorType,
    auth_method: reg.authMethod,
    resource_types: [reg.resourceType],
    resource_id: reg.resourceId,
    configuration: { ...reg.connectorConfiguration },
    secrets: { ...reg.credentials },
    labels: MANAGED_LABELS,
  };
}

export function artifactStoreDocument(reg: StoreRegistration): ArtifactStoreDocument {
  return {
    name: reg.storeName,
    type: "artifact_store",
    flavor: reg.flavor,
    configuration: { ...reg.artifactStoreConfiguration },
    connector: connectorName(reg.storeName),
    connector_resource_id: reg.resourceId,
    labels: MANAGED_LABELS,
  };
}

export function stackDocument(reg: StoreRegistration): StackDocument {
  return {
    name: reg.stackName,
    components: { artifact_store: reg.storeName, orchestrator: DEFAULT_ORCHESTRATOR },
    labels: MANAGED_LABELS,
  };
}

export function storeDocuments(reg: StoreRegistration): StoreDocuments {
  return {
    connector: serviceConnectorDocument(reg),
    artifactStore: artifactStoreDocument(reg),
    stack: stackDocument(reg),
  };
}
