/**
 * provision + verify for an `iam-role` store. REAL: moto (IAM enforcement on), the
 * S3 verifier assuming the role through STS with the minted user key, the stack
 * config files. FAKE: the Pulumi workspace (its `up` runs the real program under
 * Pulumi's mock runtime with moto-backed resource creation; no Pulumi CLI here).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provision } from "../../src/automation/commands/provision";
import { verify } from "../../src/automation/commands/verify";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { verifierFor } from "../../src/automation/verify";
import { provisionOnMoto } from "../support/awsEmulator";
import { startMoto, type MotoServer } from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";

let moto: MotoServer;
let f: Fakes;
let deps: Deps;

beforeAll(async () => {
  moto = await startMoto();
  f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase" } });
  f.workspace.upHook = async () => {
    const file = StackConfigFile.read(path.join(f.root, "stacks", "Pulumi.role.yaml"));
    const { outputs } = await provisionOnMoto(moto, file.config);
    return {
      stores: { value: outputs.stores, secret: false },
      credentials: { value: outputs.credentials, secret: true },
    };
  };
  deps = {
    ...f.deps,
    verifierFor,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
}, 300_000);

afterAll(async () => {
  await moto?.stop();
});

describe("iam-role store on moto", () => {
  it("provision verifies through the role the user may assume", async () => {
    const outcome = await provision(
      {
        stack: "role",
        yes: true,
        storeName: "tier-roled",
        backend: "aws",
        region: moto.region,
        credentials: "iam-role",
        endpointUrl: moto.endpoint,
        verifyTimeout: 90,
      },
      deps,
    );
    expect(outcome.data.verification?.[0].storage.status).toBe("passed");
    expect(outcome.exitCode).toBe(0);
  });

  it("verify fails with the STS reason when the role ARN is not the store's", async () => {
    const file = StackConfigFile.read(path.join(f.root, "stacks", "Pulumi.role.yaml"));
    const reg = file.get("registration") as Record<
      string,
      { connectorConfiguration: Record<string, string> }
    >;
    const good = reg["tier-roled"].connectorConfiguration.role_arn;
    expect(good).toMatch(/^arn:aws:iam::\d{12}:role\//);
    reg["tier-roled"].connectorConfiguration.role_arn = good.replace(
      /role\/.*$/,
      "role/someone-elses-role",
    );
    file.set("registration", reg);
    file.save();
    const bad = await verify({ stack: "role", endpointUrl: moto.endpoint, verifyTimeout: 3 }, deps);
    expect(bad.exitCode).toBe(3);
    expect(bad.data.checks[0].storage.detail).toMatch(/^credentials: /);
  });
});
