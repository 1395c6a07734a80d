/**
 * ZenML's registration as Pulumi resources: `pulumi up` creates and updates the
 * service connector, artifact store and stack; `pulumi destroy` deletes them.
 * Each is a dynamic resource whose provider talks to ZenML's REST API through
 * `ZenmlClient`. Credentials arrive as Pulumi secrets and stay secret in state.
 */
import * as pulumi from "@pulumi/pulumi";
import { ZenmlClient, type ZenmlAuth } from "./client";
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
} from "./registration";
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
 * The fields that differ between old and new props. `replaceOn` fields (the
 * server, and what ZenML cannot change in place) force a replacement.
 */
export function diffProps(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  replaceOn: readonly string[],
): pulumi.dynamic.DiffResult {
  const changed = (path: string): boolean => {
    const read = (obj: Record<string, unknown>) =>
      path
        .split(".")
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    return canonicalJson(read(olds)) !== canonicalJson(read(news));
  };
  const fields = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => k !== "zenmlId" && k !== "adoptExisting",
  );
  const changes = fields.filter(changed);
  const replaces = replaceOn.filter(changed);
  return { changes: changes.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

export const connectorProvider: pulumi.dynamic.ResourceProvider<ConnectorProps, ConnectorProps> = {
  async create(inputs) {
    const object = await upsertConnector(await checkedClientFor(inputs), inputs.document, {
      adopt: inputs.adoptExisting ?? false,
    });
    return { id: object.id, outs: inputs };
  },
  async diff(_id, olds, news) {
    return diffProps({ ...olds }, { ...news }, ["serverUrl", "document.connector_type"]);
  },
  async update(id, _olds, news) {
    await clientFor(news).update("connector", id, serviceConnectorRequest(news.document));
    return { outs: news };
  },
  async delete(id, props) {
    await clientFor(props).delete("connector", id, props.document.name);
  },
};

export const secretProvider: pulumi.dynamic.ResourceProvider<SecretProps, SecretProps> = {
  async create(inputs) {
    const object = await upsertSecret(await checkedClientFor(inputs), inputs.document, {
      adopt: inputs.adoptExisting ?? false,
    });
    return { id: object.id, outs: inputs };
  },
  async diff(_id, olds, news) {
    return diffProps({ ...olds }, { ...news }, ["serverUrl"]);
  },
  async update(id, _olds, news) {
    await clientFor(news).update("secret", id, secretRequest(news.document));
    return { outs: news };
  },
  async delete(id, props) {
    await clientFor(props).delete("secret", id, props.document.name);
  },
};

export const artifactStoreProvider: pulumi.dynamic.ResourceProvider<
  ArtifactStoreProps,
  ArtifactStoreProps
> = {
  async create(inputs) {
    const object = await upsertArtifactStore(
      await checkedClientFor(inputs),
      inputs.document,
      inputs.connectorId,
      {
        adopt: inputs.adoptExisting ?? false,
      },
    );
    return { id: object.id, outs: inputs };
  },
  async diff(_id, olds, news) {
    return diffProps({ ...olds }, { ...news }, ["serverUrl", "document.flavor", "document.type"]);
  },
  async update(id, _olds, news) {
    await clientFor(news).update(
      "component",
      id,
      artifactStoreRequest(news.document, news.connectorId),
    );
    return { outs: news };
  },
  async delete(id, props) {
    await deleteArtifactStore(clientFor(props), { id, name: props.document.name }, (line) =>
      pulumi.log.warn(line),
    );
  },
};

export const stackProvider: pulumi.dynamic.ResourceProvider<StackProps, StackProps> = {
  async create(inputs) {
    const object = await upsertStack(
      await checkedClientFor(inputs),
      inputs.document,
      inputs.artifactStoreId,
      {
        adopt: inputs.adoptExisting ?? false,
      },
    );
    return { id: object.id, outs: inputs };
  },
  async diff(_id, olds, news) {
    return diffProps({ ...olds }, { ...news }, ["serverUrl"]);
  },
  async update(id, _olds, news) {
    const client = clientFor(news);
    const body = stackRequest(news.document, {
      artifact_store: news.artifactStoreId,
      orchestrator: await defaultOrchestratorId(client),
    });
    await client.update("stack", id, body);
    return { outs: news };
  },
  async delete(id, props) {
    await clientFor(props).delete("stack", id, props.document.name);
  },
};

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
