import type { Storage } from "@google-cloud/storage";
import { GCP_SCOPE, parseGsUri, sendGrantsTo } from "../gcs";
import type { StoreUnderTest, VerifierOptions } from "../types";
import { auditGcs, type GcsSettings, type LifecycleRule } from "./compare";
import type { BaselineAuditor } from "./types";

/** The bucket resource's fields the baseline covers, as the JSON API returns them. */
export interface GcsBucketMetadata {
  readonly iamConfiguration?: {
    readonly uniformBucketLevelAccess?: { readonly enabled?: boolean };
    readonly publicAccessPrevention?: string;
  };
  readonly versioning?: { readonly enabled?: boolean };
  readonly retentionPolicy?: {
    readonly retentionPeriod?: string | number;
    readonly isLocked?: boolean;
  };
  readonly lifecycle?: {
    readonly rule?: readonly {
      readonly action?: { readonly type?: string };
      readonly condition?: {
        readonly age?: number;
        readonly withState?: string;
        readonly isLive?: boolean;
        readonly daysSinceNoncurrentTime?: number;
        readonly matchesPrefix?: readonly string[];
        readonly matchesSuffix?: readonly string[];
      };
    }[];
  };
  readonly encryption?: { readonly defaultKmsKeyName?: string };
}

/** The baseline's settings from a bucket resource (pure). */
export function gcsSettingsOf(b: GcsBucketMetadata): GcsSettings {
  const rules = (b.lifecycle?.rule ?? []).map((r): LifecycleRule => {
    const c = r.condition ?? {};
    const noncurrent = c.withState === "ARCHIVED" || c.isLive === false;
    return {
      enabled: true,
      wholeBucket: !c.matchesPrefix?.length && !c.matchesSuffix?.length,
      ...(r.action?.type === "AbortIncompleteMultipartUpload" && c.age !== undefined
        ? { abortIncompleteUploadDays: c.age }
        : {}),
      ...(r.action?.type === "Delete" && noncurrent
        ? { noncurrentVersionExpirationDays: c.daysSinceNoncurrentTime ?? c.age }
        : {}),
    };
  });
  const retention = b.retentionPolicy;
  return {
    uniformBucketLevelAccess: {
      value: b.iamConfiguration?.uniformBucketLevelAccess?.enabled === true,
    },
    publicAccessPrevention: { value: b.iamConfiguration?.publicAccessPrevention ?? null },
    versioning: { value: b.versioning?.enabled === true },
    retentionPolicy: {
      value:
        retention?.retentionPeriod !== undefined
          ? { seconds: Number(retention.retentionPeriod), locked: retention.isLocked === true }
          : null,
    },
    lifecycle: { value: b.lifecycle?.rule ? rules : null },
    defaultKmsKeyName: { value: b.encryption?.defaultKmsKeyName ?? null },
  };
}

/**
 * The operator's client: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's, or the metadata server); an endpoint override is used with them too.
 */
async function operatorClient(opts: VerifierOptions): Promise<Storage> {
  const { GoogleAuth } = await import("google-auth-library");
  const { Storage } = await import("@google-cloud/storage");
  const auth = new GoogleAuth({ scopes: [GCP_SCOPE] });
  const authClient = await auth.getClient();
  sendGrantsTo(authClient, (auth.jsonContent as { token_uri?: string } | null)?.token_uri);
  return new Storage({
    authClient,
    retryOptions: { autoRetry: false },
    ...(opts.endpointUrl
      ? { apiEndpoint: opts.endpointUrl.replace(/\/+$/, ""), useAuthWithCustomEndpoint: true }
      : {}),
  });
}

function unreadable(reason: string): GcsSettings {
  const error = { error: reason };
  return {
    uniformBucketLevelAccess: error,
    publicAccessPrevention: error,
    versioning: error,
    retentionPolicy: error,
    lifecycle: error,
    defaultKmsKeyName: error,
  };
}

/** GCS: the live bucket (one `buckets.get`) against GcsArtifactStore's baseline. */
export const gcsAuditor: BaselineAuditor = {
  async audit(store: StoreUnderTest, expected, opts) {
    const { bucket } = parseGsUri(store.path);
    let settings: GcsSettings;
    try {
      const gcs = await operatorClient(opts);
      const [metadata] = await gcs.bucket(bucket).getMetadata();
      settings = gcsSettingsOf(metadata as GcsBucketMetadata);
    } catch (err) {
      const e = err as { code?: number; message?: string };
      const message = (e.message ?? String(err)).split("\n")[0];
      settings = unreadable(typeof e.code === "number" ? `HTTP ${e.code}: ${message}` : message);
    }
    return auditGcs(store.storeName, settings, expected);
  },
};
