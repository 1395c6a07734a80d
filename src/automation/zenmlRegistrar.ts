import type { AnyStoreDocuments } from "../zenml/documents";
import { OperationError } from "./errors";

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
