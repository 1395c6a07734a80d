/**
 * The Pulumi program: config -> one store component per configured store ->
 * stack outputs. Run by `pulumi up` and by the provisioning script alike.
 * Pulumi runs the exported function and exports the object it returns; being
 * async lets each backend's SDK load only when a store uses it.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_NAME } from "./config/keys";
import { loadDeployment } from "./config/load";
import type { DeploymentConfig } from "./config/types";
import { createStore } from "./stores";
import { liveStoreFacts, type StoreOutputs } from "./zenml/model";

async function createStores(
  deployment: DeploymentConfig,
): Promise<{ name: string; stackName: string; outputs: StoreOutputs }[]> {
  return Promise.all(
    deployment.stores.map(async (store) => ({
      name: store.name,
      stackName: store.stackName,
      outputs: await createStore(store),
    })),
  );
}

/** Registers each store in the configured ZenML server (one owner per deployment). */
async function registerInZenml(
  serverUrl: string,
  adoptExisting: boolean,
  created: { name: string; stackName: string; outputs: StoreOutputs }[],
): Promise<Record<string, pulumi.Output<string>>> {
  const { ZenmlRegistration } = await import("./zenml/registrationComponent");
  const apiKey = new pulumi.Config(PROJECT_NAME).getSecret("zenmlApiKey");
  return Object.fromEntries(
    created.map(({ name, stackName, outputs }) => {
      const registration = new ZenmlRegistration(`${name}-zenml`, {
        store: outputs,
        stackName,
        serverUrl,
        apiKey,
        adoptExisting,
      });
      return [name, registration.stack.id];
    }),
  );
}

export = async () => {
  const deployment = loadDeployment();
  const created = await createStores(deployment);
  const { serverUrl, adoptExisting } = deployment.zenml;
  return {
    /** Everything ZenML needs per store, except credentials: `StoreFacts` (src/zenml/model.ts). */
    stores: Object.fromEntries(
      created.map(({ name, stackName, outputs }) => [name, liveStoreFacts(outputs, stackName)]),
    ),
    /** The credentials ZenML's connectors use, per store; a Pulumi secret. */
    credentials: pulumi.secret(
      pulumi.all(
        Object.fromEntries(created.map(({ name, outputs }) => [name, outputs.credentials])),
      ),
    ),
    /**
     * The version of each minted credential (`1`, `2`, `3-20260101`, …), per store; the
     * `rotate` command keeps this version alive until the next one is verified.
     */
    credentialVersions: Object.fromEntries(
      created
        .filter(({ outputs }) => outputs.credentialVersion !== undefined)
        .map(({ name, outputs }) => [name, outputs.credentialVersion!]),
    ),
    /** The ZenML stack id per store, when the deployment registers in a ZenML server. */
    ...(serverUrl !== undefined
      ? { zenmlStackIds: await registerInZenml(serverUrl, adoptExisting, created) }
      : {}),
  };
};
