import type { StorageVerifier, VerifierFor } from "./types";

/**
 * Storage verifiers by backend, each loaded (with its SDK) only when used. A
 * backend without one is reported as "not verified", never as passed.
 */
const VERIFIERS: Readonly<Record<string, () => Promise<StorageVerifier>>> = {
  aws: async () => (await import("./s3")).s3Verifier,
  "s3-compatible": async () => (await import("./s3")).s3Verifier,
  gcp: async () => (await import("./gcs")).gcsVerifier,
  azure: async () => (await import("./azure")).azureVerifier,
};

export const verifierFor: VerifierFor = async (backend) => {
  const load = VERIFIERS[backend];
  return load ? load() : undefined;
};

export const VERIFIED_BACKENDS = Object.keys(VERIFIERS);
