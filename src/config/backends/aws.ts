import { ConfigError } from "../errors";
import { optionalString, type Obj } from "../fields";
import { iamUserName, s3BucketNameRule } from "../names";
import type { ConfigContext, StoreBaseWith } from "../base";
import { REGION_FLAG, type BackendDescriptor, type CredentialKind } from "./descriptor";
import {
  awsAccountIdRule,
  awsPrincipalArnRule,
  uuidRule,
  ZENML_PRO_AWS_ACCOUNT,
  zenmlProRoleArn,
} from "./keyless";

/** The identity modes: ZenML gets an IAM user's access key, a role (assumed with that key), or the server's own identity. */
const AWS_CREDENTIALS = {
  "access-key": "minted-key",
  "iam-role": "minted-key",
  implicit: "keyless",
} as const satisfies Record<string, CredentialKind>;
export type AwsCredentialMode = keyof typeof AWS_CREDENTIALS;

export interface AwsStoreConfig extends StoreBaseWith<AwsCredentialMode> {
  readonly backend: "aws";
  /** AWS region of the bucket. */
  readonly region: string;
  /**
   * `implicit` mode: the principals the store's role trusts, exactly: the ZenML
   * server's own role (IRSA / Pod Identity) or user, and/or ZenML Pro's workspace role.
   */
  readonly trustedPrincipals?: readonly string[];
}

/** Store keys only the aws backend has. */
export const AWS_STORE_KEYS = [
  "region",
  "trustedPrincipals",
  "zenmlProWorkspaceId",
  "zenmlProAwsAccount",
] as const;

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const IMPLICIT_ONLY = ["trustedPrincipals", "zenmlProWorkspaceId", "zenmlProAwsAccount"] as const;

export function parseAwsStore(
  obj: Obj,
  key: string,
  base: StoreBaseWith<AwsCredentialMode>,
  context: ConfigContext,
): AwsStoreConfig {
  const region = optionalString(obj, "region", key) ?? context.providerConfig["aws:region"];
  if (region === undefined) {
    throw new ConfigError(`${key}.region`, "is required when aws:region is not set");
  }
  if (!AWS_REGION.test(region)) {
    throw new ConfigError(
      `${key}.region`,
      `"${region}" is not an AWS region name (e.g. eu-west-1)`,
    );
  }
  if (base.credentials !== "implicit") {
    const extra = IMPLICIT_ONLY.find((k) => obj[k] !== undefined && obj[k] !== null);
    if (extra !== undefined) {
      throw new ConfigError(`${key}.${extra}`, "only applies when credentials is implicit");
    }
    return { ...base, backend: "aws", region };
  }
  return { ...base, backend: "aws", region, trustedPrincipals: parseTrust(obj, key) };
}

/** The principals an `implicit` store's role trusts: the listed ARNs, then ZenML Pro's role. */
function parseTrust(obj: Obj, key: string): string[] {
  const raw = obj.trustedPrincipals;
  const principals: string[] = [];
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) {
      throw new ConfigError(`${key}.trustedPrincipals`, "must be a list of IAM role or user ARNs");
    }
    raw.forEach((arn: unknown, i) => {
      const where = `${key}.trustedPrincipals[${i}]`;
      if (typeof arn !== "string") throw new ConfigError(where, "must be an IAM role or user ARN");
      const broken = awsPrincipalArnRule(arn);
      if (broken) throw new ConfigError(where, broken);
      if (principals.includes(arn)) throw new ConfigError(where, `"${arn}" is listed twice`);
      principals.push(arn);
    });
  }
  const workspace = optionalString(obj, "zenmlProWorkspaceId", key);
  const account = optionalString(obj, "zenmlProAwsAccount", key);
  if (workspace !== undefined) {
    const broken = uuidRule(workspace);
    if (broken) throw new ConfigError(`${key}.zenmlProWorkspaceId`, broken);
    if (account !== undefined) {
      const bad = awsAccountIdRule(account);
      if (bad) throw new ConfigError(`${key}.zenmlProAwsAccount`, bad);
    }
    principals.push(zenmlProRoleArn(workspace.toLowerCase(), account ?? ZENML_PRO_AWS_ACCOUNT));
  } else if (account !== undefined) {
    throw new ConfigError(`${key}.zenmlProAwsAccount`, "only applies with zenmlProWorkspaceId");
  }
  if (principals.length === 0) {
    throw new ConfigError(
      `${key}.trustedPrincipals`,
      "is required with credentials implicit: the ZenML server's IAM role ARN (or set zenmlProWorkspaceId for ZenML Pro)",
    );
  }
  return principals;
}

// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export const AWS_BACKEND = {
  backend: "aws",
  credentials: AWS_CREDENTIALS,
  defaultCredentials: "access-key",
  storeKeys: AWS_STORE_KEYS,
  parse: parseAwsStore,
  names: { bucket: s3BucketNameRule, identity: iamUserName },
  customerKey: {
    pattern: KMS_KEY_ARN,
    rule: "must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); IAM cannot grant use of a key through an alias",
  },
  // https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
  tagRule: (k, v) =>
    k.length < 1 || k.length > 128 || v.length > 256
      ? "AWS tag keys must be 1-128 characters and values at most 256"
      : k.toLowerCase().startsWith("aws:")
        ? 'AWS tag keys must not start with "aws:"'
        : undefined,
  zenml: { flavor: "s3", pathSchemes: ["s3://"] },
  verifier: "s3",
  storeFlags: [REGION_FLAG],
} as const satisfies BackendDescriptor<"aws", AwsCredentialMode, AwsStoreConfig>;
