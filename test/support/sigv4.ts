// Minimal AWS Signature Version 4 client for tests against a local AWS emulator (moto).
// node:crypto + fetch only. Good for query-style APIs (STS, IAM: POST form bodies) and
// simple path-style S3 requests; not a general SDK.
import { createHash, createHmac } from "node:crypto";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface AwsRequest {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  region: string;
  /** Signing name: "sts", "iam", "s3", ... */
  service: string;
  method?: string;
  /** Path, already URI-safe (e.g. "/", "/bucket/key.txt"). */
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** Omit to send the request unsigned. */
  credentials?: AwsCredentials;
  /** Signing time (default now). */
  date?: Date;
}

const sha256Hex = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Headers (incl. Authorization) for a SigV4-signed request. */
export function signRequest(req: AwsRequest): Record<string, string> {
  const creds = req.credentials;
  if (!creds) throw new Error("signRequest: no credentials");
  const url = new URL(req.endpoint);
  const method = (req.method ?? "GET").toUpperCase();
  const path = req.path ?? "/";
  const body = req.body ?? "";
  const now = req.date ?? new Date();
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const dateStamp = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(body);

  const headers: Record<string, string> = {
    ...req.headers,
    host: url.host,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": payloadHash,
  };
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;

  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    lower[k.toLowerCase()] = v.trim().replace(/\s+/g, " ");
  const signedNames = Object.keys(lower).sort();
  const canonicalHeaders = signedNames.map((k) => `${k}:${lower[k]}\n`).join("");
  const signedHeaders = signedNames.join(";");
  const canonicalQuery = Object.entries(req.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalRequest = [
    method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${dateStamp}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${creds.secretAccessKey}`, dateStamp);
  const kSigning = hmac(hmac(hmac(kDate, req.region), req.service), "aws4_request");
  const signature = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");

  const out: Record<string, string> = { ...headers };
  delete out.host; // fetch sets Host from the URL (same value)
  out.authorization =
    `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return out;
}

/** Send an AWS request, SigV4-signed when `credentials` are given. */
export async function awsFetch(req: AwsRequest): Promise<{ status: number; body: string }> {
  const url = new URL(req.path ?? "/", req.endpoint);
  for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
  const headers = req.credentials ? signRequest(req) : { ...req.headers };
  const res = await fetch(url, {
    method: req.method ?? "GET",
    headers,
    body: req.body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * A query-protocol call (STS, IAM, ...): POST form `Action=…&Version=…&params`.
 * e.g. awsQuery(moto.endpoint, moto.region, "sts", "GetCallerIdentity", "2011-06-15", {}, creds)
 */
export function awsQuery(
  endpoint: string,
  region: string,
  service: string,
  action: string,
  version: string,
  params: Record<string, string>,
  credentials?: AwsCredentials,
): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  return awsFetch({
    endpoint,
    region,
    service,
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    credentials,
  });
}
