import { stringify } from "yaml";
import { usesSecret, type AnyStoreDocuments, type StoreDocuments } from "./documents";

/** Where a secret field lives in the stack config: `registration.<store>.credentials.<field>`. */
export function credentialConfigPath(storeName: string, field: string): string {
  return `registration.${storeName}.credentials.${field}`;
}

export const STACK_YAML_VERSION = 1;

/**
 * The document's `format`. It is this project's registration document, not a
 * `zenml stack export` file: ZenML 0.98's `zenml stack import` reads only
 * `stack_name`, `zenml_version` (which must equal the client's) and
 * `components` by type, and creates the components without any service
 * connector or secret, so an artifact store imported that way could not
 * authenticate. It is applied with `zenml-remote-storage register`, or the
 * equivalent `zenml` CLI script (src/zenml/cliScript.ts).
 */
export const STACK_YAML_FORMAT = "zenml-remote-storage/registration";

/**
 * The ZenML registration of a deployment as YAML: service connectors,
 * artifact stores and stacks. Secret fields are references to encrypted
 * stack-config values, never the values.
 */
export function renderStackYaml(
  pulumiStack: string,
  stores: readonly AnyStoreDocuments[],
  header: readonly string[] = [],
): string {
  const withConnector = stores.filter((d): d is StoreDocuments => !usesSecret(d));
  const withSecret = stores.filter(usesSecret);
  const doc = {
    format: STACK_YAML_FORMAT,
    version: STACK_YAML_VERSION,
    pulumi_stack: pulumiStack,
    // ZenML secrets some artifact stores authenticate with (Azure SAS); values by reference only.
    ...(withSecret.length > 0
      ? {
          secrets: withSecret.map(({ secret, artifactStore }) => ({
            name: secret.name,
            private: secret.private,
            values: Object.fromEntries(
              Object.keys(secret.values)
                .sort()
                .map((field) => [
                  field,
                  { from_stack_config: credentialConfigPath(artifactStore.name, field) },
                ]),
            ),
          })),
        }
      : {}),
    service_connectors: withConnector.map(({ connector, artifactStore }) => ({
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
    components: stores.map((docs) =>
      usesSecret(docs)
        ? {
            name: docs.artifactStore.name,
            type: docs.artifactStore.type,
            flavor: docs.artifactStore.flavor,
            configuration: { ...docs.artifactStore.configuration },
            labels: { ...docs.artifactStore.labels },
          }
        : {
            name: docs.artifactStore.name,
            type: docs.artifactStore.type,
            flavor: docs.artifactStore.flavor,
            configuration: { ...docs.artifactStore.configuration },
            connector: docs.artifactStore.connector,
            connector_resource_id: docs.artifactStore.connector_resource_id,
            labels: { ...docs.artifactStore.labels },
          },
    ),
    stacks: stores.map(({ stack }) => ({
      name: stack.name,
      components: { ...stack.components },
      labels: { ...stack.labels },
    })),
  };
  return (
    `# ZenML registration written by zenml-remote-storage for Pulumi stack "${pulumiStack}".\n` +
    "# Credentials are references to encrypted values in the stack config, never inline.\n" +
    "# Not a `zenml stack export` file: `zenml stack import` cannot read it (no connectors or\n" +
    "# secrets there). Apply it with `zenml-remote-storage register`, or the register script.\n" +
    header.map((l) => `# ${l}\n`).join("") +
    stringify(doc, { sortMapEntries: false })
  );
}
