/**
 * provision → register → verify → destroy through the automation handlers, with:
 * REAL: a ZenML 0.98 server (auth on) and this project's REST client; moto with IAM
 * enforcement standing in for AWS; the S3 verifier (@aws-sdk/client-s3) probing moto
 * with the credentials the program minted; stack config and ZenML YAML files.
 * FAKE: the Pulumi workspace — no Pulumi CLI exists here, so its `up` runs the real
 * program under Pulumi's mock runtime with moto-backed resource creation
 * (test/support/awsEmulator.ts), and secret config values are kept in memory
 * (a fake ciphertext goes into the file) instead of being encrypted by Pulumi.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { destroy } from "../../src/automation/commands/destroy";
import { provision } from "../../src/automation/commands/provision";
import { register } from "../../src/automation/commands/register";
import { verify } from "../../src/automation/commands/verify";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { verifierFor } from "../../src/verify";
import { connectZenmlServer } from "../../src/automation/zenmlRegistrar";
import { ZenmlClient } from "../../src/zenml/client";
import { provisionOnMoto, s3Client } from "../support/awsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import {
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";
import { fakes, type Fakes } from "../unit/automation/support/fakes";

const STACK = "tier";
let moto: MotoServer;
let zenml: ZenmlServer;
let f: Fakes;
let deps: Deps;
let client: ZenmlClient;
let bucket: string;
const leaks = new LeakCheck();

/** What a command showed its user: the text and the --json data, for the leak check. */
function seen(name: string, outcome: { text: string; data: unknown }): void {
  leaks.text(name, `${outcome.text}\n${JSON.stringify(outcome.data)}`);
}

beforeAll(async () => {
  leaks.captureOutput();
  moto = await startMoto();
  zenml = await startZenmlServer({ auth: true, awsEndpointUrl: moto.endpoint });
  client = new ZenmlClient({ url: zenml.url, auth: { apiKey: zenml.apiKey! } });
  f = fakes({
    env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase", ZENML_STORE_API_KEY: zenml.apiKey! },
  });
  // FAKE workspace, REAL program: `up` provisions into moto through the emulator-backed mocks.
  f.workspace.upHook = async () => {
    const file = StackConfigFile.read(path.join(f.root, "stacks", `Pulumi.${STACK}.yaml`));
    const { outputs } = await provisionOnMoto(moto, file.config);
    return {
      stores: { value: outputs.stores, secret: false },
      credentials: { value: outputs.credentials, secret: true },
    };
  };
  f.workspace.destroyHook = async () => undefined;
  deps = {
    ...f.deps,
    connectZenml: connectZenmlServer,
    verifierFor,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  leaks
    .secret("ZenML API key", zenml.apiKey)
    .secret("Pulumi passphrase", "tier-passphrase")
    .text("CLI stdout", f.io.stdout)
    .text("CLI stderr", f.io.stderr)
    .log(zenml.logFile)
    .log(moto.logFile)
    .dir(f.root);
}, 1_200_000);

afterAll(async () => {
  await zenml?.stop();
  await moto?.stop();
});

describe("the script against moto and a real ZenML server", () => {
  it("provision: records the registration, registers in ZenML, verifies storage and connector", async () => {
    const outcome = await provision(
      {
        stack: STACK,
        yes: true,
        storeName: "tier-keyed",
        backend: "aws",
        region: moto.region,
        credentials: "access-key",
        zenmlServer: zenml.url,
        endpointUrl: moto.endpoint,
        verifyTimeout: 90,
      },
      deps,
    );
    expect(outcome.data.verification).toEqual([
      expect.objectContaining({
        store: "tier-keyed",
        storage: expect.objectContaining({ status: "passed" }),
        zenml: expect.objectContaining({ status: "passed" }),
      }),
    ]);
    seen("provision", outcome);
    for (const [key, value] of f.workspace.secrets) {
      if (/secret_access_key$/.test(key)) leaks.secret(key, value);
    }
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.zenml?.registeredBy).toBe("script");
    bucket = outcome.data.stores[0].path.replace("s3://", "");
    const yaml = fs.readFileSync(path.join(f.root, "stacks", `${STACK}.zenml.yaml`), "utf8");
    expect(yaml).toContain(
      "from_stack_config: registration.tier-keyed.credentials.aws_secret_access_key",
    );
    for (const kind of ["connector", "stack"] as const) {
      expect(
        await client.findByName(kind, kind === "connector" ? "tier-keyed-connector" : "tier-keyed"),
      ).toBeDefined();
    }
  });

  it("register: applies the recorded document again, adopting by name (same ids, nothing new)", async () => {
    const first = await register({ stack: STACK, server: zenml.url }, deps);
    const second = await register({ stack: STACK, server: zenml.url }, deps);
    seen("register", second);
    leaks.dirNow(f.root); // stacks/tier.zenml.yaml is deleted by destroy below
    expect(second.data.registered).toEqual(first.data.registered);
    const connector = await client.findByName("connector", "tier-keyed-connector");
    expect(first.data.registered[0].credentialsId).toBe(connector!.id);
  });

  it("verify: passes with the minted key; fails with exit 3 and the reason when the key is wrong", async () => {
    const ok = await verify({ stack: STACK, endpointUrl: moto.endpoint, verifyTimeout: 60 }, deps);
    seen("verify", ok);
    expect(ok.exitCode).toBe(0);
    const key = "zenml-remote-storage:registration.tier-keyed.credentials.aws_secret_access_key";
    const real = f.workspace.secrets.get(key)!;
    f.workspace.secrets.set(key, "wrong-secret-key-for-this-access-key-id");
    try {
      const bad = await verify(
        { stack: STACK, endpointUrl: moto.endpoint, verifyTimeout: 3, zenml: false },
        deps,
      );
      expect(bad.exitCode).toBe(3);
      expect(bad.data.checks[0].storage.status).toBe("failed");
      expect(bad.data.checks[0].storage.detail).toMatch(/^write: SignatureDoesNotMatch/);
    } finally {
      f.workspace.secrets.set(key, real);
    }
  });

  it("destroy: refuses a bucket with objects (counted with the minted key), then deregisters first with --force-destroy", async () => {
    await s3Client(moto, moto.admin).send(
      new PutObjectCommand({ Bucket: bucket, Key: "artifact.bin", Body: "x" }),
    );
    await expect(
      destroy({ stack: STACK, yes: true, endpointUrl: moto.endpoint }, deps),
    ).rejects.toThrow(
      `bucket s3://${bucket} (store tier-keyed) holds 1 object; nothing was destroyed — pass --force-destroy to delete it with its objects`,
    );
    expect(await client.findByName("stack", "tier-keyed")).toBeDefined();
    f.workspace.upHook = async () => f.workspace.outputs; // forceDestroy update: nothing new in moto
    const outcome = await destroy(
      { stack: STACK, yes: true, forceDestroy: true, endpointUrl: moto.endpoint },
      deps,
    );
    seen("destroy", outcome);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.data.deregistered).toEqual([{ server: zenml.url, stores: ["tier-keyed"] }]);
    expect(await client.findByName("stack", "tier-keyed")).toBeUndefined();
    expect(await client.findByName("connector", "tier-keyed-connector")).toBeUndefined();
    expect(fs.existsSync(path.join(f.root, "stacks", `${STACK}.zenml.yaml`))).toBe(false);
  });

  it("leak check: no minted key, API key or passphrase in output, service logs or project files", () => {
    expectNoLeaks(leaks, { texts: 6, logs: 2, files: 2 });
  });
});
