import type { ArtifactStoreFlavor, ConnectorAuth, SecretAuth, StoreRegistration } from "./model";

/** A registration whose store ZenML reaches through a service connector. */
export type ConnectorRegistration = StoreRegistration & { readonly auth: ConnectorAuth };
/** A registration whose store ZenML reaches with a ZenML secret. */
export type SecretRegistration = StoreRegistration & { readonly auth: SecretAuth };

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

/** What every artifact-store document holds. */
export interface ArtifactStoreFields {
  readonly name: string;
  readonly type: "artifact_store";
  readonly flavor: ArtifactStoreFlavor;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** An artifact store that reaches its bucket through a service connector. */
export interface ArtifactStoreDocument extends ArtifactStoreFields {
  /** The service connector's name. */
  readonly connector: string;
  readonly connector_resource_id: string;
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

export function serviceConnectorDocument(reg: ConnectorRegistration): ServiceConnectorDocument {
  return {
    name: connectorName(reg.storeName),
    connector_type: reg.auth.type,
    auth_method: reg.auth.method,
    resource_types: [reg.auth.resourceType],
    resource_id: reg.auth.resourceId,
    configuration: { ...reg.auth.configuration },
    secrets: { ...reg.credentials },
    labels: MANAGED_LABELS,
  };
}

export function artifactStoreDocument(reg: ConnectorRegistration): ArtifactStoreDocument {
  return {
    name: reg.storeName,
    type: "artifact_store",
    flavor: reg.flavor,
    configuration: { ...reg.artifactStoreConfiguration },
    connector: connectorName(reg.storeName),
    connector_resource_id: reg.auth.resourceId,
    labels: MANAGED_LABELS,
  };
}

export function stackDocument(
  reg: Pick<StoreRegistration, "storeName" | "stackName">,
): StackDocument {
  return {
    name: reg.stackName,
    components: { artifact_store: reg.storeName, orchestrator: DEFAULT_ORCHESTRATOR },
    labels: MANAGED_LABELS,
  };
}

export function storeDocuments(reg: ConnectorRegistration): StoreDocuments {
  return {
    connector: serviceConnectorDocument(reg),
    artifactStore: artifactStoreDocument(reg),
    stack: stackDocument(reg),
  };
}

/** A ZenML secret an artifact store authenticates with, instead of a service connector. */
export interface SecretDocument {
  readonly name: string;
  /** A private secret is visible to its creator only; everyone using the stack must read this one. */
  readonly private: false;
  /** The secret's values (e.g. `connection_string`); kept apart from plain configuration everywhere. */
  readonly values: Readonly<Record<string, string>>;
}

/** An artifact store that reads its credentials from a ZenML secret (`authentication_secret`). */
export interface SecretArtifactStoreDocument extends ArtifactStoreFields {
  /** Includes `authentication_secret`: the secret's name, never its values. */
  readonly configuration: Readonly<Record<string, unknown>>;
}

/** A store registered through a ZenML secret: secret -> artifact store -> stack; no connector. */
export interface SecretStoreDocuments {
  readonly secret: SecretDocument;
  readonly artifactStore: SecretArtifactStoreDocument;
  readonly stack: StackDocument;
}

export type AnyStoreDocuments = StoreDocuments | SecretStoreDocuments;

export function usesSecret(docs: AnyStoreDocuments): docs is SecretStoreDocuments {
  return "secret" in docs;
}

/** The documents of a store that authenticates through the ZenML secret `reg.auth.name`. */
export function secretStoreDocuments(reg: SecretRegistration): SecretStoreDocuments {
  return {
    secret: { name: reg.auth.name, private: false, values: { ...reg.credentials } },
    artifactStore: {
      name: reg.storeName,
      type: "artifact_store",
      flavor: reg.flavor,
      configuration: {
        ...reg.artifactStoreConfiguration,
        authentication_secret: reg.auth.name,
      },
      labels: MANAGED_LABELS,
    },
    stack: stackDocument(reg),
  };
}

/** A store's documents, whichever way ZenML authenticates to it (connector or secret). */
export function registrationDocuments(reg: StoreRegistration): AnyStoreDocuments {
  const { auth } = reg;
  return auth.kind === "secret"
    ? secretStoreDocuments({ ...reg, auth })
    : storeDocuments({ ...reg, auth });
}
