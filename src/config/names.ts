import { createHash } from "node:crypto";

/**
 * Bucket (container) naming rules; each backend's descriptor names its own.
 * Each returns the first rule a name breaks, or undefined when the name is valid.
 */

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function s3BucketNameRule(name: string): string | undefined {
  const broken = s3CompatibleBucketNameRule(name);
  if (broken) return broken;
  const prefix = S3_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = S3_RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

// https://cloud.google.com/storage/docs/buckets#naming — dots are refused here because
// ZenML's gcs-bucket resource ids do not accept them.
export function gcsBucketNameRule(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9_-]+$/.test(name)) {
    return "may contain only lower-case letters, digits, hyphens and underscores (ZenML's gcs-bucket ids refuse dots)";
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (name.startsWith("goog")) return 'must not start with "goog"';
  if (/g[o0]{2}g(l|1)e/.test(name)) return 'must not contain "google" or a close misspelling';
  return undefined;
}

// https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata
export function azureContainerNameRule(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9-]+$/.test(name)) return "may contain only lower-case letters, digits and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (name.includes("--")) return "must not contain two adjacent hyphens";
  return undefined;
}

/** S3-compatible servers (MinIO and others) follow the S3 rules, minus AWS's reserved affixes. */
export function s3CompatibleBucketNameRule(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return "may contain only lower-case letters, digits, dots and hyphens";
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (IPV4.test(name)) return "must not be formatted as an IP address";
  return undefined;
}

/** Store names become parts of bucket, IAM and ZenML names, so they are kept simple. */
export const STORE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** An 8-hex-digit digest that keeps derived names stable and distinct across stacks. */
export function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 8);
}

/**
 * The prefix of a generated S3 bucket name. AWS appends a unique 26-character
 * suffix to a `bucketPrefix`, which may be at most 37 characters.
 */
export function s3BucketPrefix(storeName: string): string {
  return `zenml-${storeName}`.slice(0, 36).replace(/-+$/, "") + "-";
}

/** The IAM user name for a store: stable, at most 64 characters, unique per project and stack. */
export function iamUserName(project: string, stack: string, storeName: string): string {
  return `zenml-${storeName}-${shortHash(project, stack, storeName)}`;
}
