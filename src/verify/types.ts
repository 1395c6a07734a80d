import type { StoreRegistration } from "../zenml/model";

/** A deployed store as verification sees it: where it is and the credentials ZenML got (never printed). */
export type StoreUnderTest = Pick<
  StoreRegistration,
  "storeName" | "backend" | "path" | "artifactStoreConfiguration" | "auth" | "credentials"
>;

export interface VerifierOptions {
  /** Overrides the storage endpoint (S3-compatible servers, emulators). */
  readonly endpointUrl?: string;
}

/**
 * Storage checks for one backend, with the store's own minted credentials.
 * Each call is one attempt; the caller retries (IAM changes take time to reach
 * every endpoint).
 */
export interface StorageVerifier {
  /** Writes, reads back, lists and deletes `key`; throws naming the failed step. */
  probe(store: StoreUnderTest, key: string, opts: VerifierOptions): Promise<void>;
  /** How many objects the store holds, counting up to `limit` (returns `limit` when there are more). */
  countObjects(store: StoreUnderTest, limit: number, opts: VerifierOptions): Promise<number>;
}

/** The verifier for a store, by backend; undefined when none exists yet. */
export type VerifierFor = (backend: string) => Promise<StorageVerifier | undefined>;

/** A failed probe step, e.g. `write s3://bucket/key: AccessDenied: …`. */
export class ProbeError extends Error {
  constructor(
    readonly step: "credentials" | "write" | "read" | "list" | "delete" | "count",
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = "ProbeError";
  }
}
