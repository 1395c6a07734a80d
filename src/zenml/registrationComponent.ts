import * as pulumi from "@pulumi/pulumi";
import {
  artifactStoreDocument,
  secretStoreDocuments,
  serviceConnectorDocument,
  stackDocument,
  type ConnectorRegistration,
  type SecretRegistration,
} from "./documents";
import {
  liveStoreFacts,
  storeRegistration,
  type StoreOutputs,
  type StoreRegistration,
} from "./model";
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
      .output(liveStoreFacts(store, args.stackName))
      .apply((facts) => storeRegistration(store.storeName, facts, {}));
    if (store.auth.kind === "secret") {
      const registration = plain.apply(withSecretAuth);
      this.credentials = new ZenmlSecret(
        `${name}-secret`,
        {
          ...server,
          document: pulumi.secret(
            pulumi
              .all([registration, store.credentials])
              .apply(([r, credentials]) => secretStoreDocuments({ ...r, credentials }).secret),
          ),
        },
        { parent: this },
      );
      this.artifactStore = new ArtifactStoreComponent(
        `${name}-artifact-store`,
        { ...server, document: registration.apply((r) => secretStoreDocuments(r).artifactStore) },
        { parent: this, dependsOn: [this.credentials] },
      );
    } else {
      const registration = plain.apply(withConnectorAuth);
      this.credentials = new ServiceConnector(
        `${name}-connector`,
        {
          ...server,
          document: pulumi.secret(
            pulumi
              .all([registration, store.credentials])
              .apply(([r, credentials]) => serviceConnectorDocument({ ...r, credentials })),
          ),
        },
        { parent: this },
      );
      this.artifactStore = new ArtifactStoreComponent(
        `${name}-artifact-store`,
        {
          ...server,
          document: registration.apply(artifactStoreDocument),
          connectorId: this.credentials.id,
        },
        { parent: this },
      );
    }
    this.stack = new ZenmlStack(
      `${name}-stack`,
      {
        ...server,
        document: stackDocument({ storeName: store.storeName, stackName: args.stackName }),
        artifactStoreId: this.artifactStore.id,
      },
      { parent: this },
    );
    this.registerOutputs({
      credentialsId: this.credentials.id,
      artifactStoreId: this.artifactStore.id,
      stackId: this.stack.id,
    });
  }
}

function withSecretAuth(reg: StoreRegistration): SecretRegistration {
  const { auth } = reg;
  if (auth.kind !== "secret") throw new Error(`store ${reg.storeName}: expected a ZenML secret`);
  return { ...reg, auth };
}

function withConnectorAuth(reg: StoreRegistration): ConnectorRegistration {
  const { auth } = reg;
  if (auth.kind !== "connector") throw new Error(`store ${reg.storeName}: expected a connector`);
  return { ...reg, auth };
}
