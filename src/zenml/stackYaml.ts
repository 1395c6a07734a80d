import { parse, stringify } from "yaml";
import {
  usesSecret,
  type AnyStoreDocuments,
  type ArtifactStoreDocument,
  type SecretArtifactStoreDocument,
  type ServiceConnectorDocument,
  type StackDocument,
  type StoreDocuments,
} from "./documents";
import {
  ARTIFACT_STORE_FLAVORS,
  ARTIFACT_STORE_PATH_SCHEMES,
  type ArtifactStoreFlavor,
} from "./model";
import { isObject } from "../config/fields";

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

/** Why a registration document cannot be read: the file (`source`) and the rule. */
export class StackYamlError extends Error {
  constructor(
    readonly source: string,
    readonly rule: string,
  ) {
    super(`${source}: ${rule}`);
    this.name = "StackYamlError";
  }
}

type Json = Record<string, unknown>;

function stringMap(v: unknown): Record<string, string> {
  return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};
}

/**
 * Reads `stacks/<stack>.zenml.yaml` back into ZenML documents. Each secret
 * field is a `from_stack_config` reference; `resolveSecret` decrypts it.
 */
export async function documentsFromStackYaml(
  text: string,
  source: string,
  resolveSecret: (configPath: string) => Promise<string>,
): Promise<AnyStoreDocuments[]> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const first = (err as Error).message.split("\n")[0].replace(/:$/, "");
    const linePos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    // The parser's message already ends with "at line L, column C" when it knows the place.
    const where =
      linePos !== undefined && !/at line \d+/.test(first)
        ? ` (line ${linePos.line}, column ${linePos.col})`
        : "";
    throw new StackYamlError(source, `is not valid YAML: ${first}${where}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.components)) {
    throw new StackYamlError(
      source,
      "is not a zenml-remote-storage stack document (no components)",
    );
  }
  if (doc.format !== undefined && doc.format !== STACK_YAML_FORMAT) {
    throw new StackYamlError(
      source,
      `has format ${JSON.stringify(doc.format)}; this zenml-remote-storage reads ${STACK_YAML_FORMAT}`,
    );
  }
  if (doc.version !== undefined && doc.version !== STACK_YAML_VERSION) {
    throw new StackYamlError(
      source,
      `has version ${JSON.stringify(doc.version)}; this zenml-remote-storage reads version ${STACK_YAML_VERSION}`,
    );
  }
  const byName = (list: unknown): Map<string, Json> =>
    new Map(
      (Array.isArray(list) ? list : [])
        .filter((c): c is Json => isObject(c) && typeof c.name === "string")
        .map((c) => [String(c.name), c]),
    );
  const connectors = byName(doc.service_connectors);
  const secrets = byName(doc.secrets);
  const stacks = (Array.isArray(doc.stacks) ? doc.stacks : []).filter(isObject);
  const resolveAll = async (refs: unknown, what: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [field, ref] of Object.entries(isObject(refs) ? refs : {})) {
      const path = isObject(ref) ? ref.from_stack_config : undefined;
      if (typeof path !== "string") {
        throw new StackYamlError(
          source,
          `secret ${field} of ${what} is not a from_stack_config reference`,
        );
      }
      out[field] = await resolveSecret(path);
    }
    return out;
  };
  const out: AnyStoreDocuments[] = [];
  for (const component of doc.components.filter(isObject)) {
    const name = String(component.name);
    // Checked here because ZenML refuses a bad flavor or path only after the
    // connector (or secret) was created, and leaves that behind.
    const flavor = (): ArtifactStoreFlavor => {
      const f = component.flavor as ArtifactStoreFlavor;
      if (!ARTIFACT_STORE_FLAVORS.includes(f)) {
        throw new StackYamlError(
          source,
          `component ${name} has flavor ${JSON.stringify(component.flavor)}; expected one of: ${ARTIFACT_STORE_FLAVORS.join(", ")}`,
        );
      }
      const path = String(configuration.path ?? "");
      if (!ARTIFACT_STORE_PATH_SCHEMES[f].some((scheme) => path.startsWith(scheme))) {
        throw new StackYamlError(
          source,
          `component ${name} (flavor ${f}) has path "${path}"; it must start with ${ARTIFACT_STORE_PATH_SCHEMES[f].join(" or ")}`,
        );
      }
      return f;
    };
    const configuration = isObject(component.configuration) ? component.configuration : {};
    const s = stacks.find((st) => isObject(st.components) && st.components.artifact_store === name);
    if (!s) throw new StackYamlError(source, `no stack uses artifact store ${name}`);
    const stack: StackDocument = {
      name: String(s.name),
      components: {
        artifact_store: name,
        orchestrator: String((s.components as Json).orchestrator ?? "default"),
      },
      labels: stringMap(s.labels),
    };
    const secretName = configuration.authentication_secret;
    if (component.connector === undefined && typeof secretName === "string") {
      const sec = secrets.get(secretName);
      if (!sec)
        throw new StackYamlError(
          source,
          `component ${name} names secret "${secretName}", which is not in the file`,
        );
      const artifactStore: SecretArtifactStoreDocument = {
        name,
        type: "artifact_store",
        flavor: flavor(),
        configuration,
        labels: stringMap(component.labels),
      };
      const values = await resolveAll(sec.values, `secret ${secretName}`);
      out.push({ secret: { name: secretName, private: false, values }, artifactStore, stack });
      continue;
    }
    const connectorName = String(component.connector ?? "");
    const c = connectors.get(connectorName);
    if (!c) {
      throw new StackYamlError(
        source,
        `component ${name} names connector "${connectorName}", which is not in the file`,
      );
    }
    const connector: ServiceConnectorDocument = {
      name: connectorName,
      connector_type: String(c.connector_type),
      auth_method: String(c.auth_method),
      resource_types: Array.isArray(c.resource_types) ? c.resource_types.map(String) : [],
      resource_id: String(c.resource_id),
      configuration: stringMap(c.configuration),
      secrets: await resolveAll(c.secrets, `connector ${connectorName}`),
      labels: stringMap(c.labels),
    };
    const artifactStore: ArtifactStoreDocument = {
      name,
      type: "artifact_store",
      flavor: flavor(),
      configuration,
      connector: connectorName,
      connector_resource_id: String(component.connector_resource_id),
      labels: stringMap(component.labels),
    };
    out.push({ connector, artifactStore, stack });
  }
  return out;
}
