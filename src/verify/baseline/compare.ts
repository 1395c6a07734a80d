/**
 * The hardening baseline this project provisions (src/stores/*), as pure
 * comparisons of a bucket's live settings with it. The readers (s3.ts, gcs.ts,
 * azure.ts beside this file) fetch the settings; nothing here does I/O.
 */

/** One setting as read from the live bucket. */
export type Read<T> =
  | { readonly value: T }
  /** The read failed (no permission, no bucket): the setting is unverified. */
  | { readonly error: string }
  /** The endpoint has no such setting (an emulator without a management plane). */
  | { readonly notShown: string };

/** What the project provisions for a store, as configured (`bucket.*`). */
export interface Expectation {
  readonly versioning: boolean;
  readonly noncurrentVersionExpirationDays: number;
  readonly abortIncompleteUploadDays: number;
  /** Customer-managed key; undefined means the provider's own key. */
  readonly encryptionKey?: string;
}

export interface Deviation {
  readonly store: string;
  readonly setting: string;
  readonly found: string;
  readonly expected: string;
  /** The risk, in a few words. */
  readonly risk: string;
}

export interface StoreAudit {
  readonly store: string;
  readonly backend: string;
  /** Settings that match the baseline. */
  readonly compliant: readonly string[];
  readonly deviations: readonly Deviation[];
  readonly unreadable: readonly { setting: string; reason: string }[];
  readonly notShown: readonly { setting: string; reason: string }[];
}

/** One rule: a setting, what the baseline wants, and what a value found says. */
interface Rule<T> {
  readonly setting: string;
  readonly read: Read<T>;
  readonly expected: string;
  /** Undefined when the value meets the baseline, else how to show it. */
  readonly deviation: (value: T) => string | undefined;
  readonly risk: string;
}

/** Applies rules for one store. */
export class Audit {
  private readonly compliant: string[] = [];
  private readonly deviations: Deviation[] = [];
  private readonly unreadable: { setting: string; reason: string }[] = [];
  private readonly notShown: { setting: string; reason: string }[] = [];

  constructor(
    readonly store: string,
    readonly backend: string,
  ) {}

  check<T>(rule: Rule<T>): this {
    const { setting, read } = rule;
    if ("error" in read) this.unreadable.push({ setting, reason: read.error });
    else if ("notShown" in read) this.notShown.push({ setting, reason: read.notShown });
    else {
      const found = rule.deviation(read.value);
      if (found === undefined) this.compliant.push(setting);
      else
        this.deviations.push({
          store: this.store,
          setting,
          found,
          expected: rule.expected,
          risk: rule.risk,
        });
    }
    return this;
  }

  result(): StoreAudit {
    return {
      store: this.store,
      backend: this.backend,
      compliant: this.compliant,
      deviations: this.deviations,
      unreadable: this.unreadable,
      notShown: this.notShown,
    };
  }
}

const days = (n: number): string => `${n} day${n === 1 ? "" : "s"}`;
const onOff = (b: boolean): string => (b ? "on" : "off");

// ---------------------------------------------------------------- bucket policies

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A bucket policy's statements; throws on a policy that is not JSON. */
export function policyStatements(policy: string): PolicyStatement[] {
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const s = doc.Statement;
  return (Array.isArray(s) ? s : s ? [s] : []) as PolicyStatement[];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Everyone: `"*"` or `{"AWS": "*"}`. */
export function isAnyone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (typeof principal === "object" && principal !== null) {
    return list((principal as { AWS?: unknown }).AWS).includes("*");
  }
  return false;
}

/** Whether the policy has the TLS-only statement: Deny s3:* to everyone when aws:SecureTransport is false, on the bucket and its objects. */
export function hasTlsOnlyDeny(statements: readonly PolicyStatement[], bucket: string): boolean {
  return statements.some((s) => {
    if (s.Effect !== "Deny" || !isAnyone(s.Principal)) return false;
    const actions = list(s.Action);
    if (!actions.includes("s3:*") && !actions.includes("*")) return false;
    const secure = s.Condition?.Bool?.["aws:SecureTransport"];
    if (!list(secure).some((v) => v === false || v === "false")) return false;
    const resources = list(s.Resource).map(String);
    const covers = (suffix: string) =>
      resources.some((r) => r === "*" || new RegExp(`^arn:aws[a-z-]*:s3:::${suffix}$`).test(r));
    const name = bucket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return covers(name) && covers(`${name}/\\*`);
  });
}

/** Allow statements for everyone, as `Sid: actions`. */
export function anonymousAllows(statements: readonly PolicyStatement[]): string[] {
  return statements
    .filter((s) => s.Effect === "Allow" && isAnyone(s.Principal))
    .map(
      (s, i) =>
        `${s.Sid ?? `statement ${i + 1}`}: ${list(s.Action).join(", ")}${s.Condition ? " (with conditions)" : ""}`,
    );
}

/** ACL grantees that mean everyone or any AWS account. */
export const PUBLIC_GRANTEES = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
] as const;

// ---------------------------------------------------------------- S3 (AWS)

export interface S3Settings {
  readonly publicAccessBlock: Read<{
    readonly BlockPublicAcls?: boolean;
    readonly IgnorePublicAcls?: boolean;
    readonly BlockPublicPolicy?: boolean;
    readonly RestrictPublicBuckets?: boolean;
  } | null>;
  readonly objectOwnership: Read<string | null>;
  /** Default encryption: algorithm and key, or null when none is set. */
  readonly encryption: Read<{ readonly algorithm: string; readonly kmsKeyId?: string } | null>;
  /** The bucket policy's statements, or null when there is no policy. */
  readonly policy: Read<readonly PolicyStatement[] | null>;
  /** Lifecycle rules, or null when there is no lifecycle configuration. */
  readonly lifecycle: Read<readonly LifecycleRule[] | null>;
  /** `Enabled`, `Suspended`, or null when versioning was never enabled. */
  readonly versioning: Read<string | null>;
  /** ACL grantee URIs (groups), for public grants. */
  readonly aclGrantees: Read<readonly string[]>;
}

export interface LifecycleRule {
  readonly enabled: boolean;
  /** Whether the rule applies to the whole bucket (no prefix or tag filter). */
  readonly wholeBucket: boolean;
  readonly abortIncompleteUploadDays?: number;
  readonly noncurrentVersionExpirationDays?: number;
}

const PUBLIC_ACCESS_BLOCK = [
  ["BlockPublicAcls", "new public ACLs are accepted"],
  ["IgnorePublicAcls", "existing public ACLs take effect"],
  ["BlockPublicPolicy", "a public bucket policy can be attached"],
  ["RestrictPublicBuckets", "a public policy gives anonymous access"],
] as const;

/** S3 and GCS alike: incomplete multipart uploads are aborted after the configured days. */
function abortUploadsRule(
  lifecycle: Parameters<typeof daysRule>[0],
  expected: Expectation,
): ReturnType<typeof daysRule> {
  return daysRule(
    lifecycle,
    "lifecycle: abort incomplete multipart uploads",
    expected.abortIncompleteUploadDays,
    (r) => r.abortIncompleteUploadDays,
    "unfinished uploads are kept and billed",
  );
}

/** The days of the first enabled whole-bucket rule that sets `pick`. */
function wholeBucketDays(
  rules: readonly LifecycleRule[] | null,
  pick: (r: LifecycleRule) => number | undefined,
): number | undefined {
  for (const rule of rules ?? []) {
    const d = pick(rule);
    if (rule.enabled && rule.wholeBucket && d !== undefined) return d;
  }
  return undefined;
}

function daysRule(
  rules: Read<readonly LifecycleRule[] | null>,
  setting: string,
  want: number,
  pick: (r: LifecycleRule) => number | undefined,
  risk: string,
): Rule<readonly LifecycleRule[] | null> {
  return {
    setting,
    read: rules,
    expected: `after ${days(want)}`,
    deviation: (value) => {
      const found = wholeBucketDays(value, pick);
      if (found === want) return undefined;
      return found === undefined ? "no rule for the whole bucket" : `after ${days(found)}`;
    },
    risk,
  };
}

/** Policy rules every S3 API bucket gets: no statement allowing everyone, no public ACL grant. */
function noAnonymousAccess(
  audit: Audit,
  policy: Read<readonly PolicyStatement[] | null>,
  aclGrantees: Read<readonly string[]>,
): void {
  audit.check({
    setting: "bucket policy: anonymous access",
    read: policy,
    expected: "no Allow to everyone",
    deviation: (statements) => {
      const allows = anonymousAllows(statements ?? []);
      return allows.length === 0 ? undefined : `Allow to everyone (${allows.join("; ")})`;
    },
    risk: "anyone can use the bucket without a key",
  });
  audit.check({
    setting: "ACL: public grants",
    read: aclGrantees,
    expected: "none",
    deviation: (grantees) => {
      const open = grantees.filter((g) => (PUBLIC_GRANTEES as readonly string[]).includes(g));
      return open.length === 0 ? undefined : open.map((g) => g.split("/").pop()).join(", ");
    },
    risk: "anyone (or any AWS account) can read or write",
  });
}

function versioningRules(
  audit: Audit,
  versioning: Read<string | null>,
  lifecycle: Read<readonly LifecycleRule[] | null>,
  expected: Expectation,
): void {
  audit.check({
    setting: "versioning",
    read: versioning,
    expected: onOff(expected.versioning),
    deviation: (status) =>
      (status === "Enabled") === expected.versioning
        ? undefined
        : status === null
          ? "off"
          : status === "Enabled"
            ? "on"
            : `off (${status})`,
    risk: expected.versioning
      ? "overwritten or deleted artifacts cannot be recovered"
      : "old versions are kept and billed (ZenML advises against versioning)",
  });
  if (expected.versioning) {
    audit.check(
      daysRule(
        lifecycle,
        "lifecycle: noncurrent versions expire",
        expected.noncurrentVersionExpirationDays,
        (r) => r.noncurrentVersionExpirationDays,
        "old versions are kept and billed",
      ),
    );
  }
}

/** AWS S3: what S3ArtifactStore provisions. */
export function auditS3(
  store: string,
  bucket: string,
  live: S3Settings,
  expected: Expectation,
): StoreAudit {
  const audit = new Audit(store, "aws");
  for (const [flag, risk] of PUBLIC_ACCESS_BLOCK) {
    audit.check({
      setting: `public access block: ${flag}`,
      read: live.publicAccessBlock,
      expected: "true",
      deviation: (pab) =>
        pab?.[flag] === true ? undefined : pab === null ? "not set" : String(pab[flag] ?? false),
      risk,
    });
  }
  audit.check({
    setting: "object ownership",
    read: live.objectOwnership,
    expected: "BucketOwnerEnforced",
    deviation: (o) => (o === "BucketOwnerEnforced" ? undefined : (o ?? "not set")),
    risk: "ACLs stay in effect; writers may own objects",
  });
  const wantEncryption =
    expected.encryptionKey !== undefined ? `aws:kms with ${expected.encryptionKey}` : "AES256";
  audit.check({
    setting: "default encryption",
    read: live.encryption,
    expected: wantEncryption,
    deviation: (e) => {
      if (e === null) return "none";
      const found = e.kmsKeyId ? `${e.algorithm} with ${e.kmsKeyId}` : e.algorithm;
      if (expected.encryptionKey === undefined) {
        return e.algorithm === "AES256" || e.algorithm.startsWith("aws:kms") ? undefined : found;
      }
      return e.algorithm.startsWith("aws:kms") && e.kmsKeyId === expected.encryptionKey
        ? undefined
        : found;
    },
    risk: "objects are not encrypted as configured",
  });
  audit.check({
    setting: "bucket policy: TLS only",
    read: live.policy,
    expected: "Deny s3:* when aws:SecureTransport is false",
    deviation: (statements) =>
      statements === null
        ? "no bucket policy"
        : hasTlsOnlyDeny(statements, bucket)
          ? undefined
          : "no such statement",
    risk: "requests over plain HTTP are accepted",
  });
  noAnonymousAccess(audit, live.policy, live.aclGrantees);
  audit.check(abortUploadsRule(live.lifecycle, expected));
  versioningRules(audit, live.versioning, live.lifecycle, expected);
  return audit.result();
}

/**
 * S3-compatible servers: this project sets a private ACL and no bucket policy, so
 * the baseline is "no anonymous access" (encryption and transport are the server's).
 */
export function auditS3Compatible(
  store: string,
  live: Pick<S3Settings, "policy" | "aclGrantees">,
): StoreAudit {
  const audit = new Audit(store, "s3-compatible");
  noAnonymousAccess(audit, live.policy, live.aclGrantees);
  return audit.result();
}

// ---------------------------------------------------------------- GCS

export interface GcsSettings {
  readonly uniformBucketLevelAccess: Read<boolean>;
  /** `enforced`, `inherited`, or null when unset. */
  readonly publicAccessPrevention: Read<string | null>;
  readonly versioning: Read<boolean>;
  /** Retention period in seconds and whether it is locked, or null when none. */
  readonly retentionPolicy: Read<{ readonly seconds: number; readonly locked: boolean } | null>;
  readonly lifecycle: Read<readonly LifecycleRule[] | null>;
  /** The default Cloud KMS key, or null for Google-managed keys. */
  readonly defaultKmsKeyName: Read<string | null>;
}

/** GCS: what GcsArtifactStore provisions. */
export function auditGcs(store: string, live: GcsSettings, expected: Expectation): StoreAudit {
  const audit = new Audit(store, "gcp");
  audit.check({
    setting: "uniform bucket-level access",
    read: live.uniformBucketLevelAccess,
    expected: "on",
    deviation: (on) => (on ? undefined : "off"),
    risk: "object ACLs can grant access outside IAM",
  });
  audit.check({
    setting: "public access prevention",
    read: live.publicAccessPrevention,
    expected: "enforced",
    deviation: (p) => (p === "enforced" ? undefined : (p ?? "not set")),
    risk: "the bucket or its objects can be made public",
  });
  audit.check({
    setting: "retention policy",
    read: live.retentionPolicy,
    expected: "none",
    deviation: (r) => (r === null ? undefined : `${r.seconds} s${r.locked ? " (locked)" : ""}`),
    risk: "ZenML cannot delete or overwrite artifacts until they age",
  });
  audit.check(abortUploadsRule(live.lifecycle, expected));
  versioningRules(
    audit,
    "value" in live.versioning
      ? { value: live.versioning.value ? "Enabled" : null }
      : live.versioning,
    live.lifecycle,
    expected,
  );
  if (expected.encryptionKey !== undefined) {
    audit.check({
      setting: "default encryption key",
      read: live.defaultKmsKeyName,
      expected: expected.encryptionKey,
      deviation: (k) => (k === expected.encryptionKey ? undefined : (k ?? "Google-managed key")),
      risk: "objects are not encrypted with the configured key",
    });
  }
  return audit.result();
}

// ---------------------------------------------------------------- Azure

export interface AzureSettings {
  /** The container's anonymous access level: `blob`, `container`, or null for none. */
  readonly containerPublicAccess: Read<string | null>;
  /** null when unset (Azure's default then depends on the account's age). */
  readonly allowBlobPublicAccess: Read<boolean | null>;
  readonly httpsOnly: Read<boolean>;
  /** e.g. `TLS1_2`. */
  readonly minimumTlsVersion: Read<string>;
  readonly versioning: Read<boolean>;
}

const TLS_ORDER = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"];

/** Azure Blob: what AzureBlobArtifactStore provisions. */
export function auditAzure(store: string, live: AzureSettings, expected: Expectation): StoreAudit {
  const audit = new Audit(store, "azure");
  audit.check({
    setting: "container public access",
    read: live.containerPublicAccess,
    expected: "off",
    deviation: (level) => (level === null ? undefined : level),
    risk: "anyone can read blobs without a key",
  });
  audit.check({
    setting: "account: allow blob public access",
    read: live.allowBlobPublicAccess,
    expected: "false",
    deviation: (allowed) => (allowed === false ? undefined : allowed === null ? "not set" : "true"),
    risk: "any container can be made public",
  });
  audit.check({
    setting: "account: HTTPS only",
    read: live.httpsOnly,
    expected: "true",
    deviation: (on) => (on ? undefined : "false"),
    risk: "requests over plain HTTP are accepted",
  });
  audit.check({
    setting: "account: minimum TLS version",
    read: live.minimumTlsVersion,
    expected: "TLS1_2",
    deviation: (v) => (TLS_ORDER.indexOf(v) >= TLS_ORDER.indexOf("TLS1_2") ? undefined : v),
    risk: "clients may connect with TLS 1.0/1.1",
  });
  audit.check({
    setting: "versioning",
    read: live.versioning,
    expected: onOff(expected.versioning),
    deviation: (on) => (on === expected.versioning ? undefined : onOff(on)),
    risk: expected.versioning
      ? "overwritten or deleted artifacts cannot be recovered"
      : "old versions are kept and billed (ZenML advises against versioning)",
  });
  return audit.result();
}
