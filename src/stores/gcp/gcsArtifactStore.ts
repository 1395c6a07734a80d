import * as gcpIam from "@pulumi/gcp/iam";
import * as kms from "@pulumi/gcp/kms";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { GCP_BACKEND, gcsBucketHash, gcsBucketName } from "../../config/backends/gcp";
import { versionedCredentials, type KeyVersions } from "../../config/rotation";
import type { CredentialMode } from "../../config/types";
import type { ConnectorAuth, Live, StoreOutputs } from "../../zenml/model";
import type { BucketArgs } from "../bucketArgs";
import {
  externalAccountCredentialConfig,
  federatedMember,
  providerAttributes,
  WORKLOAD_IDENTITY_USER_ROLE,
  type GcpFederation,
} from "./federation";
import {
  bindingSuffix,
  KMS_ENCRYPTER_DECRYPTER_ROLE,
  TOKEN_CREATOR_ROLE,
  ZENML_BUCKET_ROLES,
} from "./iam";

/** A GCS store's settings; an omitted `bucketName` is `zenml-<name>-<hash of project, stack and GCP project>`. */
export interface GcsArtifactStoreArgs extends BucketArgs {
  /** The GCP project of the bucket and the service account. */
  readonly project: pulumi.Input<string>;
  /** The bucket's location (region, multi-region or dual-region); required unless adopting. */
  readonly location?: pulumi.Input<string>;
  /** Days after which incomplete multipart uploads are aborted. */
  readonly abortIncompleteUploadDays?: pulumi.Input<number>;
  /** Cloud KMS key name for CMEK (`projects/…/cryptoKeys/…`); Google-managed keys when omitted. */
  readonly kmsKeyName?: pulumi.Input<string>;
  /** With `kmsKeyName`: grant the project's GCS service agent use of the key (default true). */
  readonly grantKmsKeyAccess?: boolean;
  /** How ZenML authenticates: a key of the store's service account, or impersonation of it. */
  readonly credentials: CredentialMode<"gcp">;
  /** Impersonation: the IAM member (`serviceAccount:…`, `group:…`) that may mint tokens. */
  readonly impersonator?: pulumi.Input<string>;
  /** Impersonation: the impersonator's service-account key JSON, ZenML's source credentials. */
  readonly impersonatorKey?: pulumi.Input<string>;
  /** `external-account` mode: who federates into the store's service account. */
  readonly federation?: GcpFederation;
  /** `implicit` mode: the ZenML server's own service account e-mail; no account is created. */
  readonly serverServiceAccount?: pulumi.Input<string>;
  /** The service account's id; derived from project, stack and store name when omitted. */
  readonly accountId?: pulumi.Input<string>;
  /** Labels added to the bucket. */
  readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `service-account-key` mode: the key's version and earlier keys kept next to it (rotation). */
  readonly keyVersions?: KeyVersions;
}

/** Labels this project puts on what it creates (GCP label keys allow no `:`). */
export function storeLabels(storeName: string): Record<string, string> {
  return { "managed-by": "zenml-remote-storage", "zenml-store": storeName };
}

/** The JSON key file from @pulumi/gcp's `privateKey`, which is base64 of that file. */
export function decodeServiceAccountKey(privateKey: string): string {
  return Buffer.from(privateKey, "base64").toString("utf8");
}

/**
 * A GCS bucket hardened for ZenML artifacts, a service account that can do ZenML's
 * artifact I/O on that bucket only (used through a key, or through impersonation), and
 * everything ZenML needs to register it.
 *
 * TLS: GCS's JSON API, which ZenML's clients (google-cloud-storage, gcsfs) use, accepts
 * HTTPS only. GCS has no bucket setting like S3's `aws:SecureTransport` policy; its XML
 * API also answers plain HTTP, but with public access prevention enforced a request
 * there succeeds only if a client sends its OAuth token in clear, which Google's
 * clients never do. So there is nothing to configure for transport.
 */
export class GcsArtifactStore extends pulumi.ComponentResource implements StoreOutputs {
  public readonly storeName: string;
  public readonly backend = "gcp" as const;
  public readonly flavor = GCP_BACKEND.zenml.flavor;
  /** The bucket, unless it was adopted. */
  public readonly bucket?: storage.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  /** The identity ZenML acts as on the bucket; none in `implicit` mode (the server's own). */
  public readonly serviceAccount?: serviceaccount.Account;
  /** `external-account` mode: the workload identity pool and its provider. */
  public readonly workloadIdentityPool?: gcpIam.WorkloadIdentityPool;
  public readonly workloadIdentityPoolProvider?: gcpIam.WorkloadIdentityPoolProvider;
  /** The service account's key, in `service-account-key` mode only. */
  public readonly key?: serviceaccount.Key;
  /** Earlier keys still kept valid while a rotation is verified (`service-account-key` mode). */
  public readonly previousKeys: serviceaccount.Key[] = [];
  /** The key's version, in `service-account-key` mode only. */
  public readonly credentialVersion?: string;
  public readonly path: pulumi.Output<string>;
  public readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  /** ZenML's `gcp` connector for the bucket: `service-account` (the key) or `impersonation`. */
  public readonly auth: Live<ConnectorAuth, "resourceId" | "configuration">;
  public readonly credentials: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: GcsArtifactStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    // Component inputs are recorded in the state: the impersonator's key goes in as a secret.
    const secretKey =
      args.impersonatorKey !== undefined ? pulumi.secret(args.impersonatorKey) : undefined;
    super(
      "zenml-remote-storage:gcp:GcsArtifactStore",
      name,
      { ...args, impersonatorKey: secretKey },
      opts,
    );
    checkArgs(args);
    this.storeName = name;
    const parent = { parent: this };
    const project = pulumi.output(args.project);

    if (args.adoptExistingBucket) {
      this.bucketName = pulumi.output(args.bucketName!);
    } else {
      this.bucket = this.createBucket(name, args);
      this.bucketName = this.bucket.name;
    }

    // Bucket-level, additive bindings: nothing at project level, and nobody else's
    // bindings on an adopted bucket are touched.
    const bindBucketRoles = (member: pulumi.Input<string>): void => {
      for (const role of ZENML_BUCKET_ROLES) {
        new storage.BucketIAMMember(
          `${name}-${bindingSuffix(role)}`,
          { bucket: this.bucketName, role, member },
          parent,
        );
      }
    };

    let configuration: pulumi.Output<Record<string, string>>;
    if (args.credentials === "implicit") {
      // The ZenML server's own service account gets the bucket roles; nothing is minted.
      bindBucketRoles(pulumi.interpolate`serviceAccount:${args.serverServiceAccount!}`);
      configuration = project.apply((p): Record<string, string> => ({ project_id: p }));
      this.credentials = pulumi.secret(pulumi.output({} as Record<string, string>));
      this.path = pulumi.interpolate`gs://${this.bucketName}`;
      this.auth = this.connector("implicit", configuration);
      this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
        path,
      }));
      this.registerAll();
      return;
    }

    const accountId =
      args.accountId ?? GCP_BACKEND.names.identity(pulumi.getProject(), pulumi.getStack(), name);
    const serviceAccount = new serviceaccount.Account(
      `${name}-sa`,
      {
        project,
        accountId,
        displayName: `ZenML artifact store ${name}`,
        // Plain text, so the account need not wait for the (possibly generated) bucket name.
        description: `ZenML artifact I/O for store ${name} (zenml-remote-storage)`,
      },
      parent,
    );
    this.serviceAccount = serviceAccount;
    bindBucketRoles(serviceAccount.member);

    if (args.credentials === "external-account") {
      const fed = args.federation!;
      // Pool and provider ids: 4-32 of a-z 0-9 -, unique per project, stack and store.
      this.workloadIdentityPool = new gcpIam.WorkloadIdentityPool(
        `${name}-pool`,
        {
          project,
          workloadIdentityPoolId: accountId,
          displayName: `ZenML store ${name}`.slice(0, 32),
          description: `Federation into the ZenML artifact store ${name} (zenml-remote-storage)`,
        },
        parent,
      );
      const attributes = providerAttributes(fed);
      this.workloadIdentityPoolProvider = new gcpIam.WorkloadIdentityPoolProvider(
        `${name}-provider`,
        {
          project,
          workloadIdentityPoolId: this.workloadIdentityPool.workloadIdentityPoolId,
          workloadIdentityPoolProviderId: accountId,
          displayName: fed.kind === "oidc" ? "ZenML server (OIDC)" : "ZenML server (AWS)",
          attributeMapping: attributes.attributeMapping,
          attributeCondition: attributes.attributeCondition,
          ...(fed.kind === "oidc"
            ? {
                oidc: {
                  issuerUri: fed.issuer,
                  ...(fed.audience !== undefined ? { allowedAudiences: [fed.audience] } : {}),
                },
              }
            : { aws: { accountId: fed.accountId } }),
        },
        parent,
      );
      // Exactly the federated principal (set) may act as this one service account.
      new serviceaccount.IAMMember(
        `${name}-workload-identity-user`,
        {
          serviceAccountId: serviceAccount.name,
          role: WORKLOAD_IDENTITY_USER_ROLE,
          member: this.workloadIdentityPool.name.apply((pool) => federatedMember(pool, fed)),
        },
        parent,
      );
      configuration = pulumi
        .all([project, this.workloadIdentityPoolProvider.name, serviceAccount.email])
        .apply(([p, providerName, email]): Record<string, string> => ({
          project_id: p,
          external_account_json: JSON.stringify(
            externalAccountCredentialConfig({
              providerName,
              serviceAccountEmail: email,
              federation: fed,
            }),
          ),
        }));
      this.credentials = pulumi.secret(pulumi.output({} as Record<string, string>));
    } else if (args.credentials === "impersonation") {
      // The impersonator may mint tokens for this one service account, nothing else.
      new serviceaccount.IAMMember(
        `${name}-token-creator`,
        {
          serviceAccountId: serviceAccount.name,
          role: TOKEN_CREATOR_ROLE,
          member: args.impersonator!,
        },
        parent,
      );
      configuration = pulumi
        .all([project, serviceAccount.email])
        .apply(([p, email]): Record<string, string> => ({
          project_id: p,
          target_principal: email,
        }));
      this.credentials = pulumi
        .secret(secretKey!)
        .apply((json): Record<string, string> => ({ service_account_json: json }));
    } else {
      const keys = versionedCredentials(
        args.keyVersions,
        `${name}-key`,
        (keyName) =>
          new serviceaccount.Key(keyName, { serviceAccountId: serviceAccount.name }, parent),
      );
      this.credentialVersion = keys.version;
      this.key = keys.current;
      this.previousKeys = keys.previous;
      configuration = project.apply((p): Record<string, string> => ({
        project_id: p,
      }));
      // The provider marks privateKey secret already; wrapping keeps it so under mocks too.
      // ZenML accepts the key file as JSON or base64; the JSON is what ZenML stores.
      this.credentials = pulumi.secret(
        this.key.privateKey.apply((privateKey): Record<string, string> => ({
          service_account_json: decodeServiceAccountKey(privateKey),
        })),
      );
    }

    this.path = pulumi.interpolate`gs://${this.bucketName}`;
    this.auth = this.connector(connectorMethod(args.credentials), configuration);
    this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
      path,
    }));
    this.registerAll();
  }

  /** ZenML's `gcp` connector for the bucket with `method` and its plain configuration. */
  private connector(
    method: string,
    configuration: pulumi.Output<Record<string, string>>,
  ): Live<ConnectorAuth, "resourceId" | "configuration"> {
    return {
      kind: "connector",
      type: "gcp",
      method,
      resourceType: "gcs-bucket",
      resourceId: this.path,
      configuration,
    };
  }

  private registerAll(): void {
    this.registerOutputs({
      bucketName: this.bucketName,
      serviceAccountEmail: this.serviceAccount?.email,
      path: this.path,
      artifactStoreConfiguration: this.artifactStoreConfiguration,
      auth: this.auth,
      credentials: this.credentials,
      credentialVersion: this.credentialVersion,
    });
  }

  private createBucket(name: string, args: GcsArtifactStoreArgs): storage.Bucket {
    const parent = { parent: this };
    const dependsOn: pulumi.Resource[] = [];
    if (args.kmsKeyName !== undefined && (args.grantKmsKeyAccess ?? true)) {
      // GCS encrypts with the key as the project's Cloud Storage service agent, which
      // needs this role on the key before the bucket can be created with it. Kept on
      // destroy: other buckets of the same project may use the same key through it.
      const agent = storage.getProjectServiceAccountOutput({ project: args.project }, parent);
      dependsOn.push(
        new kms.CryptoKeyIAMMember(
          `${name}-kms-agent`,
          {
            cryptoKeyId: args.kmsKeyName,
            role: KMS_ENCRYPTER_DECRYPTER_ROLE,
            member: pulumi.interpolate`serviceAccount:${agent.emailAddress}`,
          },
          { ...parent, retainOnDelete: true },
        ),
      );
    }
    const bucketName =
      args.bucketName ??
      pulumi
        .output(args.project)
        .apply((p) =>
          gcsBucketName(name, gcsBucketHash(pulumi.getProject(), pulumi.getStack(), p, name)),
        );
    return new storage.Bucket(
      `${name}-bucket`,
      {
        name: bucketName,
        project: args.project,
        location: args.location!,
        forceDestroy: args.forceDestroy ?? false,
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: args.versioning ?? false },
        lifecycleRules: [
          {
            action: { type: "AbortIncompleteMultipartUpload" },
            condition: { age: args.abortIncompleteUploadDays ?? 7 },
          },
          ...(args.versioning
            ? [
                {
                  action: { type: "Delete" },
                  condition: {
                    withState: "ARCHIVED",
                    daysSinceNoncurrentTime: args.noncurrentVersionExpirationDays ?? 30,
                  },
                },
              ]
            : []),
        ],
        ...(args.kmsKeyName !== undefined
          ? { encryption: { defaultKmsKeyName: args.kmsKeyName } }
          : {}),
        labels: pulumi
          .output(args.labels ?? {})
          .apply((l): Record<string, string> => ({ ...l, ...storeLabels(name) })),
      },
      { ...parent, dependsOn },
    );
  }
}

/** ZenML's `gcp` connector auth method for a credential mode. */
export function connectorMethod(mode: CredentialMode<"gcp">): string {
  return mode === "service-account-key" ? "service-account" : mode;
}

function checkArgs(args: GcsArtifactStoreArgs): void {
  if (args.credentials === "external-account" && args.federation === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "federation",
      reason: "The external-account mode needs the federated identity.",
    });
  }
  if (args.credentials === "implicit" && args.serverServiceAccount === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "serverServiceAccount",
      reason: "The implicit mode needs the ZenML server's service account.",
    });
  }
  if (args.adoptExistingBucket && args.bucketName === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "bucketName",
      reason: "An adopted bucket needs its name.",
    });
  }
  if (!args.adoptExistingBucket && args.location === undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: "location",
      reason: "A new bucket needs a location.",
    });
  }
  if (args.credentials === "impersonation") {
    if (args.impersonator === undefined || args.impersonatorKey === undefined) {
      throw new pulumi.InputPropertyError({
        propertyPath: args.impersonator === undefined ? "impersonator" : "impersonatorKey",
        reason: "Impersonation needs the impersonator and its service-account key.",
      });
    }
  } else if (args.impersonator !== undefined || args.impersonatorKey !== undefined) {
    throw new pulumi.InputPropertyError({
      propertyPath: args.impersonator !== undefined ? "impersonator" : "impersonatorKey",
      reason: "Only impersonation mode takes an impersonator.",
    });
  }
}
