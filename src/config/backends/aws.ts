import { ConfigError } from "../errors";
import { optionalString, type Obj } from "../fields";
import type { ConfigContext, StoreBaseWith } from "../base";

export interface AwsStoreConfig extends StoreBaseWith<"aws"> {
  readonly backend: "aws";
  /** AWS region of the bucket. */
  readonly region: string;
}

/** Store keys only the aws backend has. */
export const AWS_STORE_KEYS = ["region"] as const;

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

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
  return { ...base, backend: "aws", region };
}
