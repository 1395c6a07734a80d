import { shortHash } from "../../config/names";

/**
 * Derived Azure names for a store. Each is stable for a given project, stack
 * and store, so `pulumi up` never renames anything by itself.
 */

/** Where a store is deployed: what makes its tenant- or globally-unique names unique. */
export interface AzureDeployment {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly project: string;
  readonly stack: string;
}

function deploymentHash(storeName: string, where: AzureDeployment): string {
  return shortHash(
    where.subscriptionId,
    where.resourceGroup,
    where.project,
    where.stack,
    storeName,
  );
}

/** The resource group created for a store when none is named: `zenml-<store>-<hash>` (≤ 55 chars). */
export function resourceGroupName(project: string, stack: string, storeName: string): string {
  return `zenml-${storeName}-${shortHash(project, stack, storeName)}`;
}

/**
 * A storage account name within Azure's rule (3-24 lower-case letters and
 * digits, globally unique): `zenml`, up to 11 characters of the store name
 * without hyphens, and a hash of where it is deployed (subscription, resource
 * group, project, stack, store), so two deployments of the same project do not
 * collide on the global name.
 */
export function storageAccountName(storeName: string, where: AzureDeployment): string {
  const stem = storeName.replace(/[^a-z0-9]/g, "").slice(0, 11);
  return `zenml${stem}${deploymentHash(storeName, where)}`;
}

/** The default container name: the store name, which already is a valid container name but for `--`. */
export function defaultContainerName(storeName: string): string {
  return storeName.replace(/-{2,}/g, "-");
}

/**
 * The custom role that lets the service principal list the containers of one
 * storage account; role names are unique per tenant, hence the hash.
 */
export function containerListerRoleName(storeName: string, where: AzureDeployment): string {
  return `zenml-${storeName}-${deploymentHash(storeName, where)} container lister`;
}

/** The ZenML secret holding a store's SAS connection string. */
export function authenticationSecretName(storeName: string): string {
  return `${storeName}-secret`;
}
