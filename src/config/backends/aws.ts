import { ConfigError } from "../errors";
import { optionalString, type Obj } from "../fields";
import type { ConfigContext, StoreBaseWith } from "../base";
import {
  awsAccountIdRule,
  awsPrincipalArnRule,
  uuidRule,
  ZENML_PRO_AWS_ACCOUNT,
  zenmlProRoleArn,
} from "./keyless";

export interface AwsStoreConfig extends StoreBaseWith<"aws"> {
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
  base: StoreBaseWith<"aws">,
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
