/**
 * Pure helpers shared by the S3-compatible stores: how an endpoint becomes
 * MinIO provider settings, and ZenML's artifact-store settings and secret.
 */

import type * as pulumi from "@pulumi/pulumi";

/** The S3-compatible server every S3-compatible store component talks to. */
export interface S3CompatibleServerArgs {
  /** The server's S3 API URL (plain, validated by the component). */
  readonly endpoint: string;
  /** Accept a plain-http endpoint (a warning is logged); https otherwise. */
  readonly allowHttp?: boolean;
  /** The region the server expects in signatures (`auto` on Cloudflare R2). */
  readonly region: pulumi.Input<string>;
  /** Tell ZenML to use path-style requests (`<endpoint>/<bucket>`). */
  readonly pathStyle?: boolean;
}

/** What the MinIO provider takes instead of a URL: `host[:port]` and whether to use TLS. */
export function minioServerSettings(endpoint: string): { server: string; ssl: boolean } {
  const url = new URL(endpoint);
  return { server: url.host, ssl: url.protocol === "https:" };
}

/** Whether the endpoint sends keys and data without TLS. */
export function isPlainHttp(endpoint: string): boolean {
  return new URL(endpoint).protocol === "http:";
}

/** The one-line warning for a plain-http endpoint (allowed only by `allowHttp`). */
export function plainHttpWarning(storeName: string, endpoint: string): string {
  return `store ${storeName}: endpoint ${endpoint} is plain http (allowHttp: true); S3 keys and artifacts travel unencrypted`;
}

/** ARNs of a bucket and its objects in the AWS IAM policy grammar MinIO uses. */
export function s3BucketArns(bucket: string): { bucketArn: string; objectsArn: string } {
  return { bucketArn: `arn:aws:s3:::${bucket}`, objectsArn: `arn:aws:s3:::${bucket}/*` };
}

/**
 * The `s3` artifact store's configuration for an S3-compatible server. ZenML
 * copies only keys and region from the connector into s3fs, never its
 * endpoint, so the endpoint must be in `client_kwargs` as well.
 */
export function s3CompatibleArtifactStoreConfiguration(args: {
  path: string;
  endpoint: string;
  region: string;
  pathStyle: boolean;
}): Record<string, unknown> {
  return {
    path: args.path,
    client_kwargs: { endpoint_url: args.endpoint, region_name: args.region },
    ...(args.pathStyle ? { config_kwargs: { s3: { addressing_style: "path" } } } : {}),
  };
}

/** The ZenML secret's values (the fields of ZenML's AWS secret schema), from an S3 key pair. */
export function s3CompatibleConnectorSecrets(pair: {
  accessKeyId: string;
  secretAccessKey: string;
}): Record<string, string> {
  return { aws_access_key_id: pair.accessKeyId, aws_secret_access_key: pair.secretAccessKey };
}

/** The ZenML secret holding a store's key (ZenML's AWS secret schema fields). */
export function s3CompatibleSecretName(storeName: string): string {
  return `${storeName}-s3-key`;
}
