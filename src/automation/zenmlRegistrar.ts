import { parse } from "yaml";
import type {
  AnyStoreDocuments,
  ArtifactStoreDocument,
  SecretArtifactStoreDocument,
  ServiceConnectorDocument,
  StackDocument,
} from "../zenml/documents";
import { ARTIFACT_STORE_FLAVORS, type ArtifactStoreFlavor } from "../zenml/model";
import { STACK_YAML_FORMAT, STACK_YAML_VERSION } from "../zenml/stackYaml";
import { OperationError, UsageError } from "./errors";

/** The path schemes ZenML's artifact-store flavors accept. */
const PATH_SCHEMES: Readonly<Record<ArtifactStoreFlavor, readonly string[]>> = {
  s3: ["s3://"],
  gcp: ["gs://"],
  azure: ["az://", "abfs://"],
};

/** How to reach a ZenML server. Secrets come from the environment or the stack config, never flags. */
export interface ZenmlServerSettings {
  readonly url: string;
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface RegisteredStore {
  readonly store: string;
  /** The service connector, or the ZenML secret for a store that authenticates with one. */
  readonly credentialsId?: string;
  readonly artifactStoreId: string;
  readonly stackId: string;
}

/**
 * What the script needs from a ZenML server. Implemented over the project's
 * REST client (src/zenml/client.ts + registration.ts) by `connectZenmlServer`;
 * faked in unit tests.
 */
export interface ZenmlRegistrar {
  /** Creates or updates (adopting by name) each store's connector (or secret), artifact store and stack. */
  apply(docs: readonly AnyStoreDocuments[]): Promise<RegisteredStore[]>;
  /** Deletes each store's stack, artifact store and connector (or secret); missing ones are fine. */
  remove(docs: readonly AnyStoreDocuments[]): Promise<void>;
  /** Asks the server to verify the named connector against one resource; the error text, or undefined. */
  verifyConnector(
    name: string,
    resource: { type: string; id: string },
  ): Promise<{ found: boolean; error?: string }>;
}

export type ConnectZenml = (
  server: ZenmlServerSettings,
  log: (line: string) => void,
) => Promise<ZenmlRegistrar>;

/** The real registrar, over the project's ZenML REST client (loaded only when used). */
export const connectZenmlServer: ConnectZenml = async (server, log) => {
  const { ZenmlClient } = await import("../zenml/client");
  const { applyStoreRegistration, removeStoreRegistration } = await import("../zenml/apply");
  const auth =
    server.apiKey !== undefined
      ? { apiKey: server.apiKey }
      : server.username !== undefined
        ? { username: server.username, password: server.password ?? "" }
        : { none: true as const };
  const client = new ZenmlClient({ url: server.url, auth });
  const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new OperationError(
        `${what}: ${((err as Error).message ?? String(err)).split("\n")[0]}`,
      );
    }
  };
  await wrap(`ZenML server ${server.url}`, () => client.checkServerVersion());
  return {
    async apply(docs) {
      const out: RegisteredStore[] = [];
      for (const d of docs) {
        const ids = await wrap(`registering ${d.artifactStore.name} in ${server.url}`, () =>
          applyStoreRegistration(client, d),
        );
        out.push({
          store: d.artifactStore.name,
          credentialsId: ids.credentialsId,
          artifactStoreId: ids.artifactStoreId,
          stackId: ids.stackId,
        });
      }
      return out;
    },
    async remove(docs) {
      for (const d of docs) {
        await wrap(`removing ${d.artifactStore.name} from ${server.url}`, () =>
          removeStoreRegistration(client, d, log),
        );
      }
    },
    async verifyConnector(name, resource) {
      return wrap(`verifying connector ${name} in ${server.url}`, async () => {
        const connector = await client.findByName("connector", name);
        if (!connector) return { found: false };
        const error = await client.verifyConnector(connector.id, name, resource);
        return error === undefined ? { found: true } : { found: true, error };
      });
    },
  };
};

/** Checks a ZenML server URL from a flag: http(s), no credentials in it. */
export function checkServerUrl(value: string, subject: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(subject, `"${value}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(subject, "must be an http:// or https:// URL");
  }
  if (url.username || url.password) {
    throw new UsageError(
      subject,
      "must not hold credentials; set ZENML_STORE_API_KEY (or ZENML_STORE_USERNAME/ZENML_STORE_PASSWORD) instead",
    );
  }
  return value.replace(/\/+$/, "");
}

/**
 * Credentials for a ZenML server from the environment (ZenML's own variables);
 * `stackApiKey` is the stack config's `zenmlApiKey`, used when the environment has none.
 */
export function serverSettings(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
  stackApiKey?: string,
): ZenmlServerSettings {
  const apiKey = env.ZENML_STORE_API_KEY || stackApiKey;
  if (apiKey) return { url, apiKey };
  if (env.ZENML_STORE_USERNAME) {
    return { url, username: env.ZENML_STORE_USERNAME, password: env.ZENML_STORE_PASSWORD ?? "" };
  }
  return { url };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

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
    throw new UsageError(source, `is not valid YAML: ${first}${where}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.components)) {
    throw new UsageError(source, "is not a zenml-remote-storage stack document (no components)");
  }
  if (doc.format !== undefined && doc.format !== STACK_YAML_FORMAT) {
    throw new UsageError(
      source,
      `has format ${JSON.stringify(doc.format)}; this zenml-remote-storage reads ${STACK_YAML_FORMAT}`,
    );
  }
  if (doc.version !== undefined && doc.version !== STACK_YAML_VERSION) {
    throw new UsageError(
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
        throw new UsageError(
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
        throw new UsageError(
          source,
          `component ${name} has flavor ${JSON.stringify(component.flavor)}; expected one of: ${ARTIFACT_STORE_FLAVORS.join(", ")}`,
        );
      }
      const path = String(configuration.path ?? "");
      if (!PATH_SCHEMES[f].some((scheme) => path.startsWith(scheme))) {
        throw new UsageError(
          source,
          `component ${name} (flavor ${f}) has path "${path}"; it must start with ${PATH_SCHEMES[f].join(" or ")}`,
        );
      }
      return f;
    };
    const configuration = isObject(component.configuration) ? component.configuration : {};
    const s = stacks.find((st) => isObject(st.components) && st.components.artifact_store === name);
    if (!s) throw new UsageError(source, `no stack uses artifact store ${name}`);
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
        throw new UsageError(
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
      throw new UsageError(
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
