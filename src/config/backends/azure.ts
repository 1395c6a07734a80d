import type { Obj } from "../fields";
import type { ConfigContext, StoreBaseWith } from "../types";

export interface AzureStoreConfig extends StoreBaseWith<"azure"> {
  readonly backend: "azure";
}

/** Store keys only the azure backend has. */
export const AZURE_STORE_KEYS = [] as const;

export function parseAzureStore(
  _obj: Obj,
  _key: string,
  base: StoreBaseWith<"azure">,
  _context: ConfigContext,
): AzureStoreConfig {
  return { ...base, backend: "azure" };
}
