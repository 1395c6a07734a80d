import type { Obj } from "../fields";
import type { ConfigContext, StoreBaseWith } from "../types";

export interface S3CompatibleStoreConfig extends StoreBaseWith<"s3-compatible"> {
  readonly backend: "s3-compatible";
}

/** Store keys only the s3-compatible backend has. */
export const S3_COMPATIBLE_STORE_KEYS = [] as const;

export function parseS3CompatibleStore(
  _obj: Obj,
  _key: string,
  base: StoreBaseWith<"s3-compatible">,
  _context: ConfigContext,
): S3CompatibleStoreConfig {
  return { ...base, backend: "s3-compatible" };
}
