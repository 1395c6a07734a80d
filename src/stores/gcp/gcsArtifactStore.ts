import * as kms from "@pulumi/gcp/kms";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { gcpServiceAccountId, gcsBucketHash, gcsBucketName } from "../../config/backends/gcp";
import { credentialResourceName, FIRST_VERSION, type KeyVersions } from "../../config/rotation";
import type { CredentialMode } from "../../config/types";
import type { ConnectorAuth, Live, StoreOutputs } from "../../zenml/model";
import {
  bindingSuffix,
  KMS_ENCRYPTER_DECRYPTER_ROLE,
  TOKEN_CREATOR_ROLE,
  ZENML_BUCKET_ROLES,
} from "./iam";

export interface GcsArtifactStoreArgs {
  /** The GCP project of the bucket and the service account. */
  readonly project: pulumi.Input<string>;
  /** The bucket's location (region, multi-region or dual-region); required unless adopting. */
  readonly location?: pulumi.Input<string>;
  /** The bucket's name; `zenml-<name>-<hash of project, stack and GCP project>` when omitted. */
  readonly bucketName?: pulumi.Input<string>;
  /** Use the existing bucket `bucketName`; no bucket resource is created or changed. */
  readonly adoptExistingBucket?: boolean;
  /** Let `pulumi destroy` delete the bucket while it still holds objects. */
  readonly forceDestroy?: pulumi.Input<boolean>;
  /** Keep object versions (ZenML advises against it); noncurrent versions then expire. */
  readonly versioning?: boolean;
  /** Days after which noncurrent versions are deleted, when versioning is on. */
  readonly noncurrentVersionExpirationDays?: pulumi.Input<number>;
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
  public readonly flavor = "gcp" as const;
  /** The bucket, unless it was adopted. */
  public readonly bucket?: storage.Bucket;
  public readonly bucketName: pulumi.Output<string>;
  /** The identity ZenML acts as on the bucket. */
  public readonly serviceAccount: serviceaccount.Account;
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

    const accountId =
      args.accountId ?? gcpServiceAccountId(pulumi.getProject(), pulumi.getStack(), name);
    this.serviceAccount = new serviceaccount.Account(
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

    // Bucket-level, additive bindings: nothing at project level, and nobody else's
    // bindings on an adopted bucket are touched.
    for (const role of ZENML_BUCKET_ROLES) {
      new storage.BucketIAMMember(
        `${name}-${bindingSuffix(role)}`,
        { bucket: this.bucketName, role, member: this.serviceAccount.member },
        parent,
      );
    }

    let configuration: pulumi.Output<Record<string, string>>;
    if (args.credentials === "impersonation") {
      // The impersonator may mint tokens for this one service account, nothing else.
      new serviceaccount.IAMMember(
        `${name}-token-creator`,
        {
          serviceAccountId: this.serviceAccount.name,
          role: TOKEN_CREATOR_ROLE,
          member: args.impersonator!,
        },
        parent,
      );
      configuration = pulumi
        .all([project, this.serviceAccount.email])
        .apply(([p, email]): Record<string, string> => ({
          project_id: p,
          target_principal: email,
        }));
      this.credentials = pulumi
        .secret(secretKey!)
        .apply((json): Record<string, string> => ({ service_account_json: json }));
    } else {
      // One resource per key version: a new version is a new key, created before
      // the old one is deleted (at the end of the update that drops it).
      const versions = args.keyVersions ?? { current: FIRST_VERSION, previous: [] };
      this.credentialVersion = versions.current;
      const key = (version: string): serviceaccount.Key =>
        new serviceaccount.Key(
          credentialResourceName(`${name}-key`, version),
          { serviceAccountId: this.serviceAccount.name },
          parent,
        );
      this.key = key(versions.current);
      this.previousKeys = versions.previous.map(key);
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
    this.auth = {
      kind: "connector",
      type: "gcp",
      method: args.credentials === "impersonation" ? "impersonation" : "service-account",
      resourceType: "gcs-bucket",
      resourceId: this.path,
      configuration,
    };
    this.artifactStoreConfiguration = this.path.apply((path): Record<string, unknown> => ({
      path,
    }));

    this.registerOutputs({
      bucketName: this.bucketName,
      serviceAccountEmail: this.serviceAccount.email,
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

function checkArgs(args: GcsArtifactStoreArgs): void {
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
