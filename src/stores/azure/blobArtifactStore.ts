import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { FIRST_VERSION, versionedCredentials, type KeyVersions } from "../../config/rotation";
import { AZURE_BACKEND } from "../../config/backends/azure";
import type { AzureKeylessIdentity } from "../../config/backends/keyless";
import type { CredentialMode } from "../../config/types";
import type { LiveStoreAuth, StoreOutputs } from "../../zenml/model";
import {
  builtInRoleId,
  CONTAINER_LISTER_ACTIONS,
  containerSasArgs,
  containerScope,
  KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
  keyVaultKeyScope,
  oneYearAfter,
  parseKeyVaultKeyUrl,
  resourceGroupScope,
  sasConnectionString,
  STORAGE_BLOB_DATA_CONTRIBUTOR,
  storageAccountScope,
} from "./access";
import {
  authenticationSecretName,
  containerListerRoleName,
  defaultContainerName,
  resourceGroupName as defaultResourceGroupName,
  storageAccountName as defaultStorageAccountName,
} from "./names";

export interface AzureBlobArtifactStoreArgs {
  /** Azure region of the resource group and storage account; not needed for an adopted container. */
  readonly location?: pulumi.Input<string>;
  /** The resource group's name; `zenml-<store>-<hash>` when omitted. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** Use the existing resource group `resourceGroupName` instead of creating one. */
  readonly adoptResourceGroup?: boolean;
  /** The storage account's name (3-24 of a-z 0-9, global); generated when omitted. */
  readonly storageAccountName?: pulumi.Input<string>;
  /** Use the existing container `containerName` in the existing account; no storage resource is created or changed. */
  readonly adoptExistingContainer?: boolean;
  /** The blob container's name; the store name when omitted. */
  readonly containerName?: pulumi.Input<string>;
  /** Storage account redundancy, e.g. `Standard_LRS` (default) or `Standard_ZRS`. */
  readonly sku?: pulumi.Input<string>;
  /** Require infrastructure (double) encryption; creation-time only. */
  readonly infrastructureEncryption?: boolean;
  /** Keep deleted blobs and containers this many days (soft delete); off when omitted. */
  readonly softDeleteDays?: number;
  /** Keep blob versions (ZenML advises against it); previous versions then expire. */
  readonly versioning?: boolean;
  /** Days after which previous blob versions are deleted, when versioning is on. */
  readonly noncurrentVersionExpirationDays?: pulumi.Input<number>;
  /** Key Vault key URL for customer-managed encryption; Microsoft-managed keys when omitted. */
  readonly encryptionKeyUrl?: pulumi.Input<string>;
  /** Resource group of that Key Vault; the store's resource group when omitted. */
  readonly keyVaultResourceGroupName?: pulumi.Input<string>;
  /** Let `pulumi destroy` delete the storage account and container (and their blobs). */
  readonly forceDestroy?: boolean;
  /** How ZenML authenticates: a service principal (connector) or a container SAS (ZenML secret). */
  readonly credentials: CredentialMode<"azure">;
  /** `sas` mode: the SAS expiry, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly sasExpiry?: pulumi.Input<string>;
  /** `service-principal` mode: the client secret's expiry; one year after creation when omitted. */
  readonly clientSecretExpiry?: string;
  /** Tags added to the resource group, storage account and managed identity. */
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `service-principal` mode: the client secret's version and earlier ones kept next to it (rotation). */
  readonly keyVersions?: KeyVersions;
  /** `implicit` mode: the ZenML server's managed identity, or a workload identity to create. */
  readonly identity?: AzureKeylessIdentity;
}

/**
 * An Azure storage account and private blob container hardened for ZenML
 * artifacts, an identity that can use that one container only (a service
 * principal, or a container SAS), and everything ZenML needs to register it.
 */
export class AzureBlobArtifactStore extends pulumi.ComponentResource implements StoreOutputs {
  public readonly storeName: string;
  public readonly backend = "azure" as const;
  public readonly flavor = AZURE_BACKEND.zenml.flavor;
  /** The resource group, unless an existing one is used. */
  public readonly resourceGroup?: resources.ResourceGroup;
  /** The storage account and container, unless an existing container is adopted. */
  public readonly storageAccount?: storage.StorageAccount;
  public readonly container?: storage.BlobContainer;
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly storageAccountName: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  /** The container's ARM id: the only scope the identity gets data access on. */
  public readonly containerResourceId: pulumi.Output<string>;
  /** The Azure AD application and service principal (service-principal mode). */
  public readonly application?: azuread.Application;
  public readonly servicePrincipal?: azuread.ServicePrincipal;
  /** The client secret ZenML is given, and earlier ones kept while a rotation is verified. */
  public readonly clientSecret?: azuread.ApplicationPassword;
  public readonly previousClientSecrets: azuread.ApplicationPassword[] = [];
  /** `implicit` mode with a workload identity: the user-assigned identity created for ZenML. */
  public readonly managedIdentity?: managedidentity.UserAssignedIdentity;
  /** `implicit` mode: the client id the ZenML server sets as AZURE_CLIENT_ID (workload identity). */
  public readonly identityClientId?: pulumi.Output<string>;
  /** The client secret's version (`service-principal` mode only). */
  public readonly credentialVersion?: string;
  public readonly path: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  /** ZenML's `azure` service-principal connector, or (sas mode) the ZenML secret the artifact store reads. */
  public readonly auth: LiveStoreAuth;
  public readonly credentials: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    args: AzureBlobArtifactStoreArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("zenml-remote-storage:azure:AzureBlobArtifactStore", name, args, opts);
    checkArgs(args);
    this.storeName = name;
    const parent = { parent: this };
    const project = pulumi.getProject();
    const stack = pulumi.getStack();
    const tags = pulumi.output(args.tags ?? {}).apply((t): Record<string, string> => ({
      ...t,
      "zenml-remote-storage:store": name,
    }));
    const subscriptionId = authorization.getClientConfigOutput(parent).subscriptionId;

    if (args.adoptResourceGroup) {
      this.resourceGroupName = pulumi.output(args.resourceGroupName!);
    } else {
      this.resourceGroup = new resources.ResourceGroup(
        `${name}-rg`,
        {
          resourceGroupName:
            args.resourceGroupName ?? defaultResourceGroupName(project, stack, name),
          location: args.location,
          tags,
        },
        parent,
      );
      this.resourceGroupName = this.resourceGroup.name;
    }

    let blobEndpoint: pulumi.Output<string>;
    if (args.adoptExistingContainer) {
      this.storageAccountName = pulumi.output(args.storageAccountName!);
      this.containerName = pulumi.output(args.containerName!);
      blobEndpoint = storage.getStorageAccountOutput(
        { accountName: this.storageAccountName, resourceGroupName: this.resourceGroupName },
        parent,
      ).primaryEndpoints.blob;
    } else {
      const accountName =
        args.storageAccountName ??
        pulumi.all([subscriptionId, this.resourceGroupName]).apply(([sub, rg]) =>
          defaultStorageAccountName(name, {
            subscriptionId: sub,
            resourceGroup: rg,
            project,
            stack,
          }),
        );
      const created = this.createStorage(name, args, accountName, subscriptionId, tags);
      this.storageAccount = created.account;
      this.container = created.container;
      this.storageAccountName = created.account.name;
      this.containerName = created.container.name;
      blobEndpoint = created.account.primaryEndpoints.blob;
    }

    this.containerResourceId = pulumi
      .all([subscriptionId, this.resourceGroupName, this.storageAccountName, this.containerName])
      .apply(([sub, rg, account, container]) => containerScope(sub, rg, account, container));
    this.path = pulumi.interpolate`az://${this.containerName}`;

    if (args.credentials === "implicit") {
      // No application and no secret: the container roles go to the ZenML server's own
      // managed identity, or to a user-assigned identity its pods federate into.
      const clientConfig = authorization.getClientConfigOutput(parent);
      const keyless = this.createKeylessIdentity(name, args.identity!, tags);
      this.managedIdentity = keyless.managed;
      this.identityClientId = keyless.managed?.clientId;
      this.grantContainerAccess(name, keyless.principalId, subscriptionId);
      this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
        path,
      }));
      this.auth = {
        kind: "connector",
        type: "azure",
        method: "implicit",
        resourceType: "blob-container",
        resourceId: this.path,
        configuration: pulumi
          .all([
            clientConfig.tenantId,
            subscriptionId,
            this.resourceGroupName,
            this.storageAccountName,
          ])
          .apply(([tenant, sub, rg, account]): Record<string, string> => ({
            tenant_id: tenant,
            subscription_id: sub,
            resource_group: rg,
            storage_account: account,
          })),
      };
      this.credentials = pulumi.secret(pulumi.output({} as Record<string, string>));
    } else if (args.credentials === "service-principal") {
      const identity = this.createServicePrincipal(name, args, subscriptionId);
      this.application = identity.application;
      this.servicePrincipal = identity.servicePrincipal;
      this.clientSecret = identity.password;
      this.previousClientSecrets = identity.previousPasswords;
      this.credentialVersion = identity.version;
      this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
        path,
      }));
      const configuration = pulumi
        .all([
          identity.tenantId,
          identity.application.clientId,
          subscriptionId,
          this.resourceGroupName,
          this.storageAccountName,
        ])
        .apply(([tenant, client, sub, rg, account]): Record<string, string> => ({
          tenant_id: tenant,
          client_id: client,
          subscription_id: sub,
          resource_group: rg,
          storage_account: account,
        }));
      this.auth = {
        kind: "connector",
        type: "azure",
        method: "service-principal",
        resourceType: "blob-container",
        resourceId: this.path,
        configuration,
      };
      // The provider marks the password secret; wrapping keeps it so under mocks too.
      this.credentials = pulumi.secret(
        identity.password.value.apply((secret): Record<string, string> => ({
          client_secret: secret,
        })),
      );
    } else {
      // A ZenML secret instead of a connector: ZenML's azure connector has no SAS method.
      const secretName = authenticationSecretName(name);
      this.auth = { kind: "secret", name: secretName };
      this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
        path,
        authentication_secret: secretName,
      }));
      const sasArgs = pulumi
        .all([
          this.resourceGroupName,
          this.storageAccountName,
          this.containerName,
          pulumi.output(args.sasExpiry!),
        ])
        .apply(([resourceGroupName, accountName, containerName, expiry]) =>
          containerSasArgs({ resourceGroupName, accountName, containerName, expiry }),
        );
      // ARM signs the SAS with the account key server-side; the key never reaches this program.
      const sas = storage.listStorageAccountServiceSASOutput(
        {
          resourceGroupName: sasArgs.resourceGroupName,
          accountName: sasArgs.accountName,
          canonicalizedResource: sasArgs.canonicalizedResource,
          resource: sasArgs.resource,
          permissions: sasArgs.permissions,
          protocols: sasArgs.protocols,
          sharedAccessExpiryTime: sasArgs.sharedAccessExpiryTime,
          keyToSign: sasArgs.keyToSign,
        },
        parent,
      ).serviceSasToken;
      this.credentials = pulumi.secret(
        pulumi.all([blobEndpoint, sas]).apply(([endpoint, token]): Record<string, string> => ({
          connection_string: sasConnectionString(endpoint, token),
        })),
      );
    }

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      storageAccountName: this.storageAccountName,
      containerName: this.containerName,
      containerResourceId: this.containerResourceId,
      path: this.path,
      artifactStoreConfiguration: this.artifactStoreConfiguration,
      auth: this.auth,
      credentials: this.credentials,
      credentialVersion: this.credentialVersion,
    });
  }

  private createStorage(
    name: string,
    args: AzureBlobArtifactStoreArgs,
    accountName: pulumi.Input<string>,
    subscriptionId: pulumi.Output<string>,
    tags: pulumi.Output<Record<string, string>>,
  ): { account: storage.StorageAccount; container: storage.BlobContainer } {
    const parent = { parent: this };
    // Deletion protection: `pulumi destroy` (and any replacement) refuses to delete
    // the account or container until forceDestroy is set and applied.
    const protect = { parent: this, protect: !args.forceDestroy };
    const sharedKey = args.credentials === "sas";

    let encryption: storage.StorageAccountArgs["encryption"];
    let identity: storage.StorageAccountArgs["identity"];
    const dependsOn: pulumi.Resource[] = [];
    if (args.encryptionKeyUrl !== undefined) {
      const key = pulumi.output(args.encryptionKeyUrl).apply(parseKeyVaultKeyUrl);
      const keyIdentity = new managedidentity.UserAssignedIdentity(
        `${name}-cmk-identity`,
        { resourceGroupName: this.resourceGroupName, location: args.location, tags },
        parent,
      );
      dependsOn.push(
        new authorization.RoleAssignment(
          `${name}-cmk-access`,
          {
            principalId: keyIdentity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: subscriptionId.apply((sub) =>
              builtInRoleId(sub, KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER),
            ),
            scope: pulumi
              .all([
                subscriptionId,
                pulumi.output(args.keyVaultResourceGroupName ?? this.resourceGroupName),
                key,
              ])
              .apply(([sub, rg, k]) => keyVaultKeyScope(sub, rg, k)),
            description: `Lets storage account encryption for ZenML store ${name} use its key`,
          },
          parent,
        ),
      );
      identity = { type: "UserAssigned", userAssignedIdentities: [keyIdentity.id] };
      encryption = key.apply((k) => ({
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: {
          keyName: k.keyName,
          keyVaultUri: k.vaultUri,
          ...(k.keyVersion !== undefined ? { keyVersion: k.keyVersion } : {}),
        },
        encryptionIdentity: { encryptionUserAssignedIdentity: keyIdentity.id },
        requireInfrastructureEncryption: args.infrastructureEncryption ?? false,
        services: { blob: { enabled: true, keyType: "Account" } },
      }));
    } else {
      encryption = {
        keySource: "Microsoft.Storage",
        requireInfrastructureEncryption: args.infrastructureEncryption ?? false,
        services: { blob: { enabled: true, keyType: "Account" } },
      };
    }

    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        accountName,
        resourceGroupName: this.resourceGroupName,
        location: args.location,
        kind: "StorageV2",
        sku: { name: args.sku ?? "Standard_LRS" },
        accessTier: "Hot",
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        // A service SAS is signed with an account key, so sas mode needs shared-key
        // authorization; service-principal mode turns it off (Azure AD only).
        allowSharedKeyAccess: sharedKey,
        defaultToOAuthAuthentication: true,
        allowCrossTenantReplication: false,
        isLocalUserEnabled: false,
        isSftpEnabled: false,
        isHnsEnabled: false,
        encryption,
        ...(identity !== undefined ? { identity } : {}),
        tags,
      },
      { ...protect, dependsOn },
    );
    const softDelete =
      args.softDeleteDays !== undefined
        ? { enabled: true, days: args.softDeleteDays }
        : { enabled: false };
    new storage.BlobServiceProperties(
      `${name}-blob-service`,
      {
        accountName: account.name,
        resourceGroupName: this.resourceGroupName,
        blobServicesName: "default",
        isVersioningEnabled: args.versioning ?? false,
        deleteRetentionPolicy: softDelete,
        containerDeleteRetentionPolicy: softDelete,
      },
      parent,
    );
    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        accountName: account.name,
        resourceGroupName: this.resourceGroupName,
        containerName: args.containerName ?? defaultContainerName(name),
        publicAccess: "None",
      },
      protect,
    );
    if (args.versioning) {
      new storage.ManagementPolicy(
        `${name}-lifecycle`,
        {
          accountName: account.name,
          resourceGroupName: this.resourceGroupName,
          managementPolicyName: "default",
          policy: {
            rules: [
              {
                name: "expire-previous-versions",
                enabled: true,
                type: "Lifecycle",
                definition: {
                  actions: {
                    version: {
                      delete: {
                        daysAfterCreationGreaterThan: args.noncurrentVersionExpirationDays ?? 30,
                      },
                    },
                  },
                  filters: {
                    blobTypes: ["blockBlob"],
                    prefixMatch: [pulumi.interpolate`${container.name}/`],
                  },
                },
              },
            ],
          },
        },
        parent,
      );
    }
    return { account, container };
  }

  private createServicePrincipal(
    name: string,
    args: AzureBlobArtifactStoreArgs,
    subscriptionId: pulumi.Output<string>,
  ): {
    application: azuread.Application;
    servicePrincipal: azuread.ServicePrincipal;
    password: azuread.ApplicationPassword;
    previousPasswords: azuread.ApplicationPassword[];
    version: string;
    tenantId: pulumi.Output<string>;
  } {
    const parent = { parent: this };
    const deployer = azuread.getClientConfigOutput(parent);
    const displayName = AZURE_BACKEND.names.identity(pulumi.getProject(), pulumi.getStack(), name);
    // The deployer owns what it creates, so it can rotate and delete it later.
    const owners = [deployer.objectId];
    const application = new azuread.Application(
      `${name}-app`,
      {
        displayName,
        owners,
        signInAudience: "AzureADMyOrg",
        preventDuplicateNames: true,
        notes: `Identity ZenML uses for artifact store ${name} (managed by zenml-remote-storage).`,
      },
      parent,
    );
    const servicePrincipal = new azuread.ServicePrincipal(
      `${name}-sp`,
      { clientId: application.clientId, owners },
      parent,
    );
    // One password per key version (see versionedCredentials).
    const passwords = versionedCredentials(
      args.keyVersions,
      `${name}-secret`,
      (secretName, version) =>
        new azuread.ApplicationPassword(
          secretName,
          {
            applicationId: application.id,
            displayName: clientSecretDisplayName(version),
            endDate: args.clientSecretExpiry ?? oneYearAfter(new Date()),
          },
          // A computed default must not move (and replace the secret) on every run.
          args.clientSecretExpiry === undefined
            ? { ...parent, ignoreChanges: ["endDate"] }
            : parent,
        ),
    );
    const password = passwords.current;
    const previousPasswords = passwords.previous;

    this.grantContainerAccess(name, servicePrincipal.objectId, subscriptionId);
    return {
      application,
      servicePrincipal,
      password,
      previousPasswords,
      version: passwords.version,
      tenantId: deployer.tenantId,
    };
  }

  /**
   * The implicit mode's principal: an existing one's object id, or a user-assigned
   * managed identity with a federated credential for exactly one issuer and subject.
   */
  private createKeylessIdentity(
    name: string,
    identity: AzureKeylessIdentity,
    tags: pulumi.Output<Record<string, string>>,
  ): { principalId: pulumi.Output<string>; managed?: managedidentity.UserAssignedIdentity } {
    if (identity.kind === "principal") return { principalId: pulumi.output(identity.objectId) };
    const parent = { parent: this };
    const managed = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      {
        resourceGroupName: this.resourceGroupName,
        resourceName: `zenml-${name}`,
        tags,
      },
      parent,
    );
    new managedidentity.FederatedIdentityCredential(
      `${name}-federated`,
      {
        resourceGroupName: this.resourceGroupName,
        resourceName: managed.name,
        federatedIdentityCredentialResourceName: "zenml-server",
        issuer: identity.issuer,
        subject: identity.subject,
        audiences: [AZURE_TOKEN_EXCHANGE_AUDIENCE],
      },
      parent,
    );
    return { principalId: managed.principalId, managed };
  }

  /**
   * Storage Blob Data Contributor on the container only, and the container-listing
   * role ZenML's connector needs on the account, for one principal.
   */
  private grantContainerAccess(
    name: string,
    principalId: pulumi.Input<string>,
    subscriptionId: pulumi.Output<string>,
  ): void {
    const parent = { parent: this };
    // Data access: Storage Blob Data Contributor on the container only.
    new authorization.RoleAssignment(
      `${name}-blob-access`,
      {
        principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: subscriptionId.apply((sub) =>
          builtInRoleId(sub, STORAGE_BLOB_DATA_CONTRIBUTOR),
        ),
        scope: this.containerResourceId,
        description: `ZenML artifact I/O for store ${name}, on its container only`,
      },
      parent,
    );

    // ZenML 0.98's connector lists the pinned account's containers to find its
    // container; a custom role with only that (non-data) action, on the account.
    const where = pulumi.all([subscriptionId, this.resourceGroupName]);
    const listerRole = new authorization.RoleDefinition(
      `${name}-container-lister`,
      {
        scope: where.apply(([sub, rg]) => resourceGroupScope(sub, rg)),
        assignableScopes: [where.apply(([sub, rg]) => resourceGroupScope(sub, rg))],
        roleName: where.apply(([sub, rg]) =>
          containerListerRoleName(name, {
            subscriptionId: sub,
            resourceGroup: rg,
            project: pulumi.getProject(),
            stack: pulumi.getStack(),
          }),
        ),
        description: `Lists the blob containers of ZenML store ${name}'s storage account; no blob data.`,
        permissions: [{ actions: [...CONTAINER_LISTER_ACTIONS], dataActions: [] }],
      },
      parent,
    );
    new authorization.RoleAssignment(
      `${name}-container-listing`,
      {
        principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: listerRole.id,
        scope: pulumi
          .all([subscriptionId, this.resourceGroupName, this.storageAccountName])
          .apply(([sub, rg, account]) => storageAccountScope(sub, rg, account)),
        description: `ZenML connector container lookup for store ${name}`,
      },
      parent,
    );
  }
}

/** The audience AKS workload identity tokens carry for Entra ID (`api://AzureADTokenExchange`). */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** The client secret's display name: the original one for version 1, then with its version. */
export function clientSecretDisplayName(version: string): string {
  return version === FIRST_VERSION ? "zenml-remote-storage" : `zenml-remote-storage ${version}`;
}

function checkArgs(args: AzureBlobArtifactStoreArgs): void {
  if (args.adoptExistingContainer) {
    for (const field of ["storageAccountName", "containerName", "resourceGroupName"] as const) {
      if (args[field] === undefined) {
        throw new pulumi.InputPropertyError({
          propertyPath: field,
          reason: "An adopted container needs its account, container and resource group names.",
        });
      }
    }
    if (!args.adoptResourceGroup) {
      throw new pulumi.InputPropertyError({
        propertyPath: "adoptResourceGroup",
        reason: "An adopted container lives in an existing resource group.",
      });
    }
  } else if (args.location === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "location",
      reason: "A new storage account needs a location.",
    });
  }
  if (args.adoptResourceGroup && args.resourceGroupName === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "resourceGroupName",
      reason: "An existing resource group needs its name.",
    });
  }
  if (args.credentials === "implicit" && args.identity === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "identity",
      reason: "The implicit mode needs the principal (or workload identity) to grant.",
    });
  }
  if (args.credentials === "sas" && args.sasExpiry === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "sasExpiry",
      reason: "A SAS needs an expiry.",
    });
  }
}
