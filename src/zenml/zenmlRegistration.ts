import * as pulumi from "@pulumi/pulumi";
import type { StoreOutputs } from "../stores/outputs";
import {
  artifactStoreDocument,
  secretStoreDocuments,
  serviceConnectorDocument,
  stackDocument,
  type StoreRegistration,
} from "./documents";
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
    // Documents without secrets come from plain outputs only, so they stay readable in state.
    const plain = pulumi
      .all([store.artifactStoreConfiguration, store.resourceId, store.connectorConfiguration])
      .apply(
        ([artifactStoreConfiguration, resourceId, connectorConfiguration]): StoreRegistration => ({
          storeName: store.storeName,
          stackName: args.stackName,
          flavor: store.flavor,
          artifactStoreConfiguration,
          connectorType: store.connectorType,
          authMethod: store.authMethod,
          resourceType: store.resourceType,
          resourceId,
          connectorConfiguration,
          credentials: {},
        }),
      );
    const withCredentials = pulumi
      .all([plain, store.credentials])
      .apply(([registration, credentials]) => ({ ...registration, credentials }));

    const secretName = store.authenticationSecret;
    if (secretName !== undefined) {
      this.credentials = new ZenmlSecret(
        `${name}-secret`,
        {
          ...server,
          document: pulumi.secret(
            withCredentials.apply(
              (r) => secretStoreDocuments({ ...r, authenticationSecret: secretName }).secret,
            ),
          ),
        },
        { parent: this },
      );
      this.artifactStore = new ArtifactStoreComponent(
        `${name}-artifact-store`,
        {
          ...server,
          document: plain.apply(
            (r) => secretStoreDocuments({ ...r, authenticationSecret: secretName }).artifactStore,
          ),
        },
        { parent: this, dependsOn: [this.credentials] },
      );
    } else {
      this.credentials = new ServiceConnector(
        `${name}-connector`,
        { ...server, document: pulumi.secret(withCredentials.apply(serviceConnectorDocument)) },
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
      { ...server, document: plain.apply(stackDocument), artifactStoreId: this.artifactStore.id },
      { parent: this },
    );
    this.registerOutputs({
      credentialsId: this.credentials.id,
      artifactStoreId: this.artifactStore.id,
      stackId: this.stack.id,
    });
  }
}
