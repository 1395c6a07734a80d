import { stringify } from "yaml";
import type { StoreDocuments } from "./documents";

/** Where a secret field lives in the stack config: `registration.<store>.credentials.<field>`. */
export function credentialConfigPath(storeName: string, field: string): string {
  return `registration.${storeName}.credentials.${field}`;
}

export const STACK_YAML_VERSION = 1;

/**
 * The ZenML registration of a deployment as YAML: service connectors,
 * artifact stores and stacks. Secret fields are references to encrypted
 * stack-config values, never the values.
 */
export function renderStackYaml(pulumiStack: string, stores: readonly StoreDocuments[]): string {
  const doc = {
    version: STACK_YAML_VERSION,
    pulumi_stack: pulumiStack,
    service_connectors: stores.map(({ connector, artifactStore }) => ({
      name: connector.name,
      connector_type: connector.connector_type,
      auth_method: connector.auth_method,
      resource_types: [...connector.resource_types],
      resource_id: connector.resource_id,
      configuration: { ...connector.configuration },
      secrets: Object.fromEntries(
        Object.keys(connector.secrets)
          .sort()
          .map((field) => [
            field,
            { from_stack_config: credentialConfigPath(artifactStore.name, field) },
          ]),
      ),
      labels: { ...connector.labels },
    })),
    components: stores.map(({ artifactStore }) => ({
      name: artifactStore.name,
      type: artifactStore.type,
      flavor: artifactStore.flavor,
      configuration: { ...artifactStore.configuration },
      connector: artifactStore.connector,
      connector_resource_id: artifactStore.connector_resource_id,
      labels: { ...artifactStore.labels },
    })),
    stacks: stores.map(({ stack }) => ({
      name: stack.name,
      components: { ...stack.components },
      labels: { ...stack.labels },
    })),
  };
  return (
    `# ZenML registration written by zenml-remote-storage for Pulumi stack "${pulumiStack}".\n` +
    "# Credentials are references to encrypted values in the stack config, never inline.\n" +
    stringify(doc, { sortMapEntries: false })
  );
}
