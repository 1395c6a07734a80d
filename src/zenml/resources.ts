/**
 * ZenML's registration as Pulumi resources: `pulumi up` creates and updates the
 * service connector, artifact store and stack; `pulumi destroy` deletes them.
 * Each is a dynamic resource whose provider talks to ZenML's REST API through
 * `ZenmlClient`. Credentials arrive as Pulumi secrets and stay secret in state.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  COLLECTIONS,
  isZenmlError,
  ZenmlClient,
  type Kind,
  type ZenmlAuth,
  type ZenmlObject,
} from "./client";
import type {
  ArtifactStoreDocument,
  SecretArtifactStoreDocument,
  SecretDocument,
  ServiceConnectorDocument,
  StackDocument,
} from "./documents";
import {
  artifactStoreRequest,
  deleteArtifactStore,
  defaultOrchestratorId,
  upsertArtifactStore,
  upsertConnector,
  upsertSecret,
  upsertStack,
} from "./apply";
import { secretRequest, serviceConnectorRequest, stackRequest } from "./restBodies";

/** How a ZenML resource reaches its server. */
export interface ZenmlServerArgs {
  /** The ZenML server's URL. */
  readonly serverUrl: pulumi.Input<string>;
  /** A service account's API key; omit for a server without authentication. */
  readonly apiKey?: pulumi.Input<string>;
  /** Take over an existing object of the same name instead of failing. */
  readonly adoptExisting?: pulumi.Input<boolean>;
}

interface ServerProps {
  readonly serverUrl: string;
  readonly apiKey?: string;
  readonly adoptExisting?: boolean;
}

export interface ConnectorProps extends ServerProps {
  readonly document: ServiceConnectorDocument;
}
export interface SecretProps extends ServerProps {
  readonly document: SecretDocument;
}
export interface ArtifactStoreProps extends ServerProps {
  readonly document: ArtifactStoreDocument | SecretArtifactStoreDocument;
  /** Absent for a store that names a ZenML secret instead of using a connector. */
  readonly connectorId?: string;
}
export interface StackProps extends ServerProps {
  readonly document: StackDocument;
  readonly artifactStoreId: string;
}

function clientFor(props: ServerProps): ZenmlClient {
  const auth: ZenmlAuth = props.apiKey ? { apiKey: props.apiKey } : { none: true };
  return new ZenmlClient({ url: props.serverUrl, auth });
}

/** A client for a server whose version was checked, for creating objects. */
async function checkedClientFor(props: ServerProps): Promise<ZenmlClient> {
  const client = clientFor(props);
  await client.checkServerVersion();
  return client;
}

/** JSON with object keys sorted at every level, so key order never shows up as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * The engine's stand-in for a value not known yet, as a provider sees it during a
 * preview (sdk/nodejs/runtime/rpc.ts `unknownValue`).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Properties that are not ours to compare: the dynamic-provider host adds the serialised
 * provider (`__provider`) to olds and news alike, so a new release of this code would
 * otherwise rewrite every ZenML object; `adoptExisting` only matters when creating.
 */
// An array, not a Set: the closure serialiser rebuilds a captured Set as a plain object.
const NOT_COMPARED: readonly string[] = ["__provider", "adoptExisting"];

type Comparison = "same" | "changed" | "unknown";

/** Compares one dotted path of olds and news; a path that reaches an unknown is `unknown`. */
function compareAt(olds: object, news: object, path: string): Comparison {
  let oldValue: unknown = olds;
  let newValue: unknown = news;
  for (const key of path.split(".")) {
    if (newValue === UNKNOWN) return "unknown";
    oldValue = (oldValue as Record<string, unknown> | undefined)?.[key];
    newValue = (newValue as Record<string, unknown> | undefined)?.[key];
  }
  if (newValue === UNKNOWN) return "unknown";
  return canonicalJson(oldValue) === canonicalJson(newValue) ? "same" : "changed";
}

/**
 * The fields that differ between old and new props. A `replaceOn` field (the server,
 * and what ZenML cannot change in place) forces a replacement only when it is known to
 * change: during a preview a value that is not known yet (a new key, say) is an update.
 */
export function diffProps(
  olds: object,
  news: object,
  replaceOn: readonly string[],
): pulumi.dynamic.DiffResult {
  const fields = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => !NOT_COMPARED.includes(k),
  );
  const changes = fields.some((f) => compareAt(olds, news, f) !== "same");
  const replaces = replaceOn.filter((f) => compareAt(olds, news, f) === "changed");
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/** What differs between the four kinds of ZenML object the program keeps in step. */
interface ZenmlObjectSpec<P extends ServerProps> {
  readonly kind: Kind;
  /** Fields ZenML cannot change in place (besides the server). */
  readonly replaceOn: readonly string[];
  name(props: P): string;
  create(client: ZenmlClient, props: P): Promise<ZenmlObject>;
  /** The PUT body that brings the object in line with `props`. */
  updateBody(client: ZenmlClient, props: P): Promise<Record<string, unknown>>;
  remove(client: ZenmlClient, id: string, props: P): Promise<void>;
}

function isNotFound(err: unknown): boolean {
  return isZenmlError(err, "refused") && err.status === 404;
}

/**
 * A dynamic provider for one kind of ZenML object: create (adopting by name only when
 * asked), diff, in-place update, read (so `pulumi refresh` notices an object deleted in
 * ZenML) and delete (an object already gone is fine).
 */
function zenmlProvider<P extends ServerProps>(
  spec: ZenmlObjectSpec<P>,
): pulumi.dynamic.ResourceProvider<P, P> {
  const noun = COLLECTIONS[spec.kind].noun;
  return {
    async create(inputs) {
      const object = await spec.create(await checkedClientFor(inputs), inputs);
      return { id: object.id, outs: inputs };
    },
    async diff(_id, olds, news) {
      return diffProps(olds, news, ["serverUrl", ...spec.replaceOn]);
    },
    async read(id, props) {
      if (props === undefined) {
        throw new Error(`a ZenML ${noun} cannot be imported; let the program create it`);
      }
      try {
        await clientFor(props).get(spec.kind, id);
      } catch (err) {
        // An empty id tells the engine the object no longer exists.
        if (isNotFound(err)) return { id: "" };
        throw err;
      }
      return { id, props };
    },
    async update(id, _olds, news) {
      const client = clientFor(news);
      try {
        await client.update(spec.kind, id, await spec.updateBody(client, news));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        throw new Error(
          `the ZenML ${noun} "${spec.name(news)}" (${id}) no longer exists in ${news.serverUrl}; run \`pulumi refresh\` so Pulumi forgets it, then \`pulumi up\` creates it again`,
        );
      }
      return { outs: news };
    },
    async delete(id, props) {
      try {
        await spec.remove(clientFor(props), id, props);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

export const connectorProvider = zenmlProvider<ConnectorProps>({
  kind: "connector",
  replaceOn: ["document.connector_type"],
  name: (props) => props.document.name,
  create: (client, props) =>
    upsertConnector(client, props.document, { adopt: props.adoptExisting ?? false }),
  updateBody: async (_client, props) => serviceConnectorRequest(props.document),
  remove: (client, id, props) => client.delete("connector", id, props.document.name),
});

export const secretProvider = zenmlProvider<SecretProps>({
  kind: "secret",
  replaceOn: [],
  name: (props) => props.document.name,
  create: (client, props) =>
    upsertSecret(client, props.document, { adopt: props.adoptExisting ?? false }),
  updateBody: async (_client, props) => secretRequest(props.document),
  remove: (client, id, props) => client.delete("secret", id, props.document.name),
});

export const artifactStoreProvider = zenmlProvider<ArtifactStoreProps>({
  kind: "component",
  replaceOn: ["document.flavor", "document.type"],
  name: (props) => props.document.name,
  create: (client, props) =>
    upsertArtifactStore(client, props.document, props.connectorId, {
      adopt: props.adoptExisting ?? false,
    }),
  updateBody: async (_client, props) => artifactStoreRequest(props.document, props.connectorId),
  remove: (client, id, props) =>
    deleteArtifactStore(client, { id, name: props.document.name }, (line) => pulumi.log.warn(line)),
});

export const stackProvider = zenmlProvider<StackProps>({
  kind: "stack",
  replaceOn: [],
  name: (props) => props.document.name,
  create: (client, props) =>
    upsertStack(client, props.document, props.artifactStoreId, {
      adopt: props.adoptExisting ?? false,
    }),
  updateBody: async (client, props) =>
    stackRequest(props.document, {
      artifact_store: props.artifactStoreId,
      orchestrator: await defaultOrchestratorId(client),
    }),
  remove: (client, id, props) => client.delete("stack", id, props.document.name),
});

/** The API key (and, where it holds credentials, the document) stay secret in state. */
function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  outputs: string[],
): pulumi.CustomResourceOptions {
  return pulumi.mergeOptions(opts, { additionalSecretOutputs: outputs });
}

export interface ServiceConnectorArgs extends ZenmlServerArgs {
  /** The connector document; its `secrets` must be a Pulumi secret. */
  readonly document: pulumi.Input<ServiceConnectorDocument>;
}

/** A ZenML service connector kept in step with the stack. */
export class ServiceConnector extends pulumi.dynamic.Resource {
  constructor(name: string, args: ServiceConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(connectorProvider, name, { ...args }, withSecretOutputs(opts, ["apiKey", "document"]));
  }
}

export interface ZenmlSecretArgs extends ZenmlServerArgs {
  /** The secret document; its values must be a Pulumi secret. */
  readonly document: pulumi.Input<SecretDocument>;
}

/** A ZenML secret an artifact store authenticates with, kept in step with the stack. */
export class ZenmlSecret extends pulumi.dynamic.Resource {
  constructor(name: string, args: ZenmlSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(secretProvider, name, { ...args }, withSecretOutputs(opts, ["apiKey", "document"]));
  }
}

export interface ArtifactStoreComponentArgs extends ZenmlServerArgs {
  /** The artifact-store component document. */
  readonly document: pulumi.Input<ArtifactStoreDocument | SecretArtifactStoreDocument>;
  /** The id of the service connector the store uses; omitted when it names a ZenML secret. */
  readonly connectorId?: pulumi.Input<string>;
}

/** A ZenML artifact-store component kept in step with the stack. */
export class ArtifactStoreComponent extends pulumi.dynamic.Resource {
  constructor(name: string, args: ArtifactStoreComponentArgs, opts?: pulumi.CustomResourceOptions) {
    super(artifactStoreProvider, name, { ...args }, withSecretOutputs(opts, ["apiKey"]));
  }
}

export interface ZenmlStackArgs extends ZenmlServerArgs {
  /** The stack document. */
  readonly document: pulumi.Input<StackDocument>;
  /** The id of the stack's artifact store. */
  readonly artifactStoreId: pulumi.Input<string>;
}

/** A ZenML stack (the artifact store plus the `default` orchestrator) kept in step with the stack. */
export class ZenmlStack extends pulumi.dynamic.Resource {
  constructor(name: string, args: ZenmlStackArgs, opts?: pulumi.CustomResourceOptions) {
    super(stackProvider, name, { ...args }, withSecretOutputs(opts, ["apiKey"]));
  }
}
