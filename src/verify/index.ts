import { BACKEND_DESCRIPTORS } from "../config/backends";
import type { VerifierProtocol } from "../config/backends/descriptor";
import { BACKENDS, type Backend } from "../config/types";
import type { StorageVerifier, VerifierFor } from "./types";

/**
 * Storage verifiers by protocol (each backend's descriptor names its own),
 * each loaded (with its SDK) only when used. A backend without one is
 * reported as "not verified", never as passed.
 */
const VERIFIERS: Readonly<Record<VerifierProtocol, () => Promise<StorageVerifier>>> = {
  s3: async () => (await import("./s3")).s3Verifier,
  gcs: async () => (await import("./gcs")).gcsVerifier,
  azure: async () => (await import("./azure")).azureVerifier,
};

export const verifierFor: VerifierFor = async (backend) =>
  (BACKENDS as readonly string[]).includes(backend)
    ? VERIFIERS[BACKEND_DESCRIPTORS[backend as Backend].verifier]()
    : undefined;
