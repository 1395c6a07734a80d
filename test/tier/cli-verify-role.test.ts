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
import { verifierFor } from "../../src/verify";
import { provisionOnMoto } from "../support/awsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { startMoto, type MotoServer } from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";

let moto: MotoServer;
let f: Fakes;
let deps: Deps;
const leaks = new LeakCheck();

beforeAll(async () => {
  leaks.captureOutput();
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
  leaks
    .secret("Pulumi passphrase", "tier-passphrase")
    .text("CLI stdout", f.io.stdout)
    .text("CLI stderr", f.io.stderr)
    .log(moto.logFile)
    .dir(f.root);
}, 1_200_000);

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
    leaks.text("provision", `${outcome.text}\n${JSON.stringify(outcome.data)}`);
    for (const [key, value] of f.workspace.secrets) {
      if (/secret_access_key$/.test(key)) leaks.secret(key, value);
    }
    expect(outcome.data.verification?.[0].storage.status).toBe("passed");
    expect(outcome.exitCode).toBe(0);
  });

  it("verify fails with the STS reason when the role ARN is not the store's", async () => {
    const file = StackConfigFile.read(path.join(f.root, "stacks", "Pulumi.role.yaml"));
    const reg = file.get("registration") as Record<
      string,
      { auth: { configuration: Record<string, string> } }
    >;
    const good = reg["tier-roled"].auth.configuration.role_arn;
    expect(good).toMatch(/^arn:aws:iam::\d{12}:role\//);
    reg["tier-roled"].auth.configuration.role_arn = good.replace(
      /role\/.*$/,
      "role/someone-elses-role",
    );
    file.set("registration", reg);
    file.save();
    const bad = await verify({ stack: "role", endpointUrl: moto.endpoint, verifyTimeout: 3 }, deps);
    leaks.text("verify", `${bad.text}\n${JSON.stringify(bad.data)}`);
    expect(bad.exitCode).toBe(3);
    expect(bad.data.checks[0].storage.detail).toMatch(/^credentials: /);
  });

  it("leak check: no minted key or passphrase in output, the moto log or project files", () => {
    expectNoLeaks(leaks, { texts: 5, logs: 1, files: 1 });
  });
});
