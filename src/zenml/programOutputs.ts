import type { Backend } from "../config/types";
import type { ArtifactStoreFlavor } from "../stores/outputs";
import type { StoreRegistration } from "./documents";

/** One entry of the program's `stores` output (see src/index.ts). */
export interface ProgramStoreOutput {
  readonly backend: Backend;
  readonly stackName: string;
  readonly flavor: ArtifactStoreFlavor;
  readonly path: string;
  readonly artifactStoreConfiguration: Record<string, unknown>;
  readonly connectorType: string;
  readonly authMethod: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly connectorConfiguration: Record<string, string>;
  /** Set when the artifact store authenticates with this ZenML secret instead of a connector. */
  readonly authenticationSecret?: string;
}

/**
 * A store's registration facts from the program's (resolved) `stores` and
 * `credentials` outputs, or from what the provisioning script recorded of them.
 */
export function registrationFromOutputs(
  storeName: string,
  store: Omit<ProgramStoreOutput, "backend" | "path">,
  credentials: Record<string, string>,
): StoreRegistration {
  return {
    storeName,
    stackName: store.stackName,
    flavor: store.flavor,
    artifactStoreConfiguration: store.artifactStoreConfiguration,
    connectorType: store.connectorType,
    authMethod: store.authMethod,
    resourceType: store.resourceType,
    resourceId: store.resourceId,
    connectorConfiguration: store.connectorConfiguration,
    credentials,
    ...(store.authenticationSecret !== undefined
      ? { authenticationSecret: store.authenticationSecret }
      : {}),
  };
}
