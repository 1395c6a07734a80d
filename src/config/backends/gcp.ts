import type { Obj } from "../fields";
import type { ConfigContext, StoreBaseWith } from "../types";

export interface GcpStoreConfig extends StoreBaseWith<"gcp"> {
  readonly backend: "gcp";
}

/** Store keys only the gcp backend has. */
export const GCP_STORE_KEYS = [] as const;

export function parseGcpStore(
  _obj: Obj,
  _key: string,
  base: StoreBaseWith<"gcp">,
  _context: ConfigContext,
): GcpStoreConfig {
  return { ...base, backend: "gcp" };
}
