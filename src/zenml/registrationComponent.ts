import * as pulumi from "@pulumi/pulumi";
import {
  artifactStoreDocument,
  secretStoreDocuments,
  serviceConnectorDocument,
  stackDocument,
} from "./documents";
import type { StoreOutputs, StoreRegistration } from "./model";
import {
  ArtifactStoreComponent,
  ServiceConnector,
  ZenmlSecret,
  ZenmlStack,
  type ZenmlServerArgs,
} from "./resources";

export interface ZenmlRegistrationArgs extends ZenmlServerArgs {
  /** The provisioned store to register. */
  readonly store: StoreOutputs;
  /** The ZenML stack that uses the store. */
  readonly stackName: string;
}

/**
 * One store's registration in a ZenML server, created, updated and deleted with
 * the Pulumi stack: service connector -> artifact store -> stack, or, for a
 * store that authenticates with a ZenML secret, secret -> artifact store -> stack.
 */
export class ZenmlRegistration extends pulumi.ComponentResource {
  /** The service connector, or the ZenML secret the artifact store names. */
  public readonly credentials: ServiceConnector | ZenmlSecret;
  public readonly artifactStore: ArtifactStoreComponent;
  public readonly stack: ZenmlStack;

  constructor(name: string, args: ZenmlRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zenml-remote-storage:zenml:Registration", name, {}, opts);
    const { store } = args;
    const server = {
      serverUrl: args.serverUrl,
      apiKey: args.apiKey,
      adoptExisting: args.adoptExisting,
    };
    const base = { storeName: store.storeName, stackName: args.stackName, flavor: store.flavor };
    const { auth } = store;
    if (auth.kind === "secret") {
      // Documents without secrets come from plain outputs only, so they stay readable in state.
      const plain = pulumi
        .all([store.artifactStoreConfiguration, store.path])
        .apply(([artifactStoreConfiguration, path]): StoreRegistration & { auth: typeof auth } => ({
          ...base,
          backend: store.backend,
          path,
          artifactStoreConfiguration,
          auth,
          credentials: {},
        }));
      this.credentials = new ZenmlSecret(
        `${name}-secret`,
        {
          ...server,
          document: pulumi.secret(
            pulumi
              .all([plain, store.credentials])
              .apply(([r, credentials]) => secretStoreDocuments({ ...r, credentials }).secret),
          ),
        },
        { parent: this },
      );
      this.artifactStore = new ArtifactStoreComponent(
        `${name}-artifact-store`,
        { ...server, document: plain.apply((r) => secretStoreDocuments(r).artifactStore) },
        { parent: this, dependsOn: [this.credentials] },
      );
    } else {
      const plain = pulumi
        .all([store.artifactStoreConfiguration, store.path, auth.resourceId, auth.configuration])
        .apply(([artifactStoreConfiguration, path, resourceId, configuration]) => ({
          ...base,
          backend: store.backend,
          path,
          artifactStoreConfiguration,
          auth: { ...auth, resourceId, configuration },
          credentials: {},
        }));
      this.credentials = new ServiceConnector(
        `${name}-connector`,
        {
          ...server,
          document: pulumi.secret(
            pulumi
              .all([plain, store.credentials])
              .apply(([r, credentials]) => serviceConnectorDocument({ ...r, credentials })),
          ),
        },
        { parent: this },
      );
      this.artifactStore = new ArtifactStoreComponent(
        `${name}-artifact-store`,
        {
          ...server,
          document: plain.apply(artifactStoreDocument),
          connectorId: this.credentials.id,
        },
        { parent: this },
      );
    }
    this.stack = new ZenmlStack(
      `${name}-stack`,
      { ...server, document: stackDocument(base), artifactStoreId: this.artifactStore.id },
      { parent: this },
    );
    this.registerOutputs({
      credentialsId: this.credentials.id,
      artifactStoreId: this.artifactStore.id,
      stackId: this.stack.id,
    });
  }
}
