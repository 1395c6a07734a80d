import type { StoreUnderTest, VerifierOptions } from "../types";
import type { Expectation, StoreAudit } from "./compare";

/**
 * Reads one store's live settings with the operator's own credentials (the cloud
 * SDK's ambient ones, never the store's minted key) and compares them with the
 * baseline this project provisions.
 */
export interface BaselineAuditor {
  audit(store: StoreUnderTest, expected: Expectation, opts: VerifierOptions): Promise<StoreAudit>;
}

/** The auditor for a store, by backend; undefined when none exists. */
export type BaselineAuditorFor = (backend: string) => Promise<BaselineAuditor | undefined>;
