/**
 * Set-up shared by the engine-backed tier tests (rotation, idempotence): a
 * throwaway project directory with one stack config, the emulated engine
 * behind the script's workspace interface (test/support/emulatedEngine.ts),
 * and the script's real dependencies otherwise — the real ZenML registrar and
 * the real S3 verifier — with the test's moto and ZenML server.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { baselineAuditorFor } from "../../src/verify/baseline";
import { verifierFor } from "../../src/verify";
import type { WorkspaceRequest } from "../../src/automation/workspace";
import { connectZenmlServer } from "../../src/automation/zenmlRegistrar";
import { EngineWorkspace } from "../support/emulatedEngine";
import type { MotoServer, ZenmlServer } from "../support/services";
import { FakeIo } from "../unit/automation/support/fakes";

const REPO = path.resolve(__dirname, "..", "..");

export interface EngineWorld {
  readonly root: string;
  readonly workspace: EngineWorkspace;
  readonly io: FakeIo;
  readonly deps: Deps;
}

/**
 * A project whose stack `stack` describes `stores`, registered by the program
 * in `zenml` (zenml.serverUrl, the service account's API key as the secret
 * `zenmlApiKey`).
 */
export async function engineWorld(
  moto: MotoServer,
  zenml: ZenmlServer,
  stack: string,
  stores: Record<string, unknown>[],
): Promise<EngineWorld> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-engine-"));
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  fs.mkdirSync(path.join(root, "stacks"));
  const file = StackConfigFile.read(path.join(root, "stacks", `Pulumi.${stack}.yaml`));
  file.set("aws:region", moto.region);
  file.set("zenml-remote-storage:stores", stores);
  file.set("zenml-remote-storage:zenml", { serverUrl: zenml.url });
  file.save();
  const workspace = new EngineWorkspace(moto);
  await workspace.open({ projectRoot: root } as WorkspaceRequest);
  const s = await workspace.createOrSelectStack(stack);
  await s.setConfig("zenml-remote-storage:zenmlApiKey", { value: zenml.apiKey!, secret: true });
  const io = new FakeIo(false);
  const deps: Deps = {
    projectRoot: root,
    env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase", ZENML_STORE_API_KEY: zenml.apiKey! },
    io,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    findPulumiCli: async () => undefined,
    openWorkspace: workspace.open,
    connectZenml: connectZenmlServer,
    verifierFor,
    baselineAuditorFor,
  };
  return { root, workspace, io, deps };
}
