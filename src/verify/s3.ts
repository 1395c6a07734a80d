import type { S3Client } from "@aws-sdk/client-s3";
import {
  ProbeError,
  type StorageVerifier,
  type StoreUnderTest,
  type VerifierOptions,
} from "./types";

/** `s3://bucket[/prefix]` → bucket and key prefix. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new ProbeError("credentials", `"${uri}" is not an s3:// URI`);
  const prefix = m[2] ? `${m[2].replace(/\/+$/, "")}/` : "";
  return { bucket: m[1], prefix };
}

function describe(err: unknown): string {
  const e = err as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : "";
  const message = (e.message ?? String(err)).split("\n")[0];
  // A network or JavaScript error (no S3 error code, no HTTP answer): the message
  // alone, not "Error: …" or "TypeError: …".
  if (!e.Code && !status && /^[A-Za-z]*Error$/.test(e.name ?? "Error") && message) return message;
  const code = e.Code ?? e.name ?? "Error";
  return message && message !== code ? `${code}${status}: ${message}` : `${code}${status}`;
}

async function step<T>(name: ProbeError["step"], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError(name, describe(err));
  }
}

/**
 * Where ZenML's S3 client goes: the `aws` connector's region, endpoint and role,
 * or, for a store registered with a ZenML secret (S3-compatible servers), the
 * `client_kwargs` of its artifact store.
 */
export function s3Settings(store: StoreUnderTest): {
  region?: string;
  endpoint?: string;
  roleArn?: string;
} {
  if (store.auth.kind === "connector") {
    const cfg = store.auth.configuration;
    return { region: cfg.region, endpoint: cfg.endpoint_url, roleArn: cfg.role_arn };
  }
  const kwargs = store.artifactStoreConfiguration.client_kwargs as
    { region_name?: string; endpoint_url?: string } | undefined;
  return { region: kwargs?.region_name, endpoint: kwargs?.endpoint_url };
}

/**
 * The S3 client ZenML's connector would use: the minted access key, or for
 * `iam-role` the role assumed with it (STS), in the connector's region; an
 * endpoint override (S3-compatible servers, emulators) switches to path-style.
 */
export async function s3ClientFor(store: StoreUnderTest, opts: VerifierOptions): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const settings = s3Settings(store);
  const region = settings.region || "us-east-1";
  const endpoint = opts.endpointUrl ?? settings.endpoint;
  const accessKeyId = store.credentials.aws_access_key_id;
  const secretAccessKey = store.credentials.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new ProbeError(
      "credentials",
      "the store has no aws_access_key_id / aws_secret_access_key",
    );
  }
  let credentials = {
    accessKeyId,
    secretAccessKey,
    ...(store.credentials.aws_session_token
      ? { sessionToken: store.credentials.aws_session_token }
      : {}),
  };
  if (store.auth.kind === "connector" && store.auth.method === "iam-role") {
    const roleArn = settings.roleArn;
    if (!roleArn) throw new ProbeError("credentials", "iam-role connector without role_arn");
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({ region, credentials, ...(endpoint ? { endpoint } : {}) });
    const assumed = await step("credentials", () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: "zenml-remote-storage-verify",
          DurationSeconds: 900,
        }),
      ),
    );
    sts.destroy();
    const c = assumed.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new ProbeError("credentials", `AssumeRole ${roleArn} returned no credentials`);
    }
    credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    };
  }
  return new S3Client({
    region,
    credentials,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 1,
  });
}

/** S3 (AWS and S3-compatible servers) through @aws-sdk/client-s3. */
export const s3Verifier: StorageVerifier = {
  async probe(store, key, opts) {
    const s3 = await s3ClientFor(store, opts);
    const { PutObjectCommand, GetObjectCommand, ListObjectsV2Command, DeleteObjectCommand } =
      await import("@aws-sdk/client-s3");
    const { bucket, prefix } = parseS3Uri(store.path);
    const objectKey = `${prefix}${key}`;
    const body = `zenml-remote-storage verification probe ${key}`;
    try {
      await step("write", () =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: body })),
      );
      const got = await step("read", async () => {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
        return r.Body ? await r.Body.transformToString() : "";
      });
      if (got !== body)
        throw new ProbeError("read", `s3://${bucket}/${objectKey} came back different`);
      const listed = await step("list", () =>
        s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: objectKey, MaxKeys: 10 })),
      );
      if (!(listed.Contents ?? []).some((o) => o.Key === objectKey)) {
        throw new ProbeError("list", `s3://${bucket}/${objectKey} is not listed`);
      }
      await step("delete", () =>
        s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey })),
      );
    } finally {
      s3.destroy();
    }
  },

  async countObjects(store, limit, opts) {
    const s3 = await s3ClientFor(store, opts);
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const { bucket, prefix } = parseS3Uri(store.path);
    let count = 0;
    let token: string | undefined;
    try {
      do {
        const page = await step("count", () =>
          s3.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix || undefined,
              ContinuationToken: token,
              MaxKeys: Math.min(1000, limit - count),
            }),
          ),
        );
        count += page.KeyCount ?? page.Contents?.length ?? 0;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && count < limit);
    } finally {
      s3.destroy();
    }
    return Math.min(count, limit);
  },
};
