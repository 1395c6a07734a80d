/**
 * `verify` on GCS stores, against the GCS emulator and its front (test/support/gcs_emulator.py).
 *
 * REAL: the GCS verifier (google-auth-library signing Google's JWT-bearer grant with the
 * key this project's program minted, @google-cloud/storage writing, reading, listing and
 * deleting the probe object), the emulator's GCS JSON API, and the front's checks: the
 * JWT signature against the key it trusts, and the program's bucket-level bindings on
 * every GCS request. The stack config files and the `verify` command with its retry
 * loop are real too.
 * EMULATED: Google. The token endpoint and IAM checks are the front's (see that file);
 * the keys' `token_uri` is the front, and the verifier sends its grant there as Python's
 * google-auth (ZenML's library) does. The Pulumi workspace is the fake one, whose `up`
 * runs the real program under Pulumi's mock runtime against the emulator
 * (test/support/gcsEmulator.ts). NOT EXERCISED: impersonation's IAM Credentials API
 * (generateAccessToken); no emulator here answers it, so the probe must fail, naming it.
 */
import { generateKeyPairSync } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verify } from "../../src/automation/commands/verify";
import { provision } from "../../src/automation/commands/provision";
import type { Deps } from "../../src/automation/context";
import { StackConfigFile } from "../../src/automation/stackConfigFile";
import { verifierFor } from "../../src/verify";
import { verifyStores } from "../../src/automation/verification";
import type { StoreUnderTest } from "../../src/verify/types";
import {
  mintServiceAccountKey,
  provisionOnGcsEmulator,
  startGcsEmulator,
  type GcsEmulator,
} from "../support/gcsEmulator";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { fakes, type Fakes } from "../unit/automation/support/fakes";
import {
  connectorConfiguration,
  storeFactsFromRecord,
  storeRegistration,
} from "../../src/zenml/model";

const PROJECT = "zrs-verify";
const SOURCE = `zenml-source@${PROJECT}.iam.gserviceaccount.com`;
const STACK = "gcs";

let emu: GcsEmulator;
let f: Fakes;
let deps: Deps;
const leaks = new LeakCheck();
const started = Date.now();

function stackFile(): StackConfigFile {
  return StackConfigFile.read(path.join(f.root, "stacks", `Pulumi.${STACK}.yaml`));
}

/** The recorded (encrypted, here: fake-workspace) key of the store, by config path. */
function recordedKeyEntry(): [string, string] {
  const entry = [...f.workspace.secrets].find(([k]) => /service_account_json$/.test(k));
  if (!entry) throw new Error("no recorded service_account_json");
  return entry;
}

beforeAll(async () => {
  leaks.captureOutput();
  emu = await startGcsEmulator();
  f = fakes({ env: { PULUMI_CONFIG_PASSPHRASE: "tier-passphrase" } });
  f.workspace.upHook = async () => {
    const { outputs } = await provisionOnGcsEmulator(emu, stackFile().config);
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
    .log(emu.logFile)
    .dir(f.root);
});

afterAll(async () => {
  await emu?.stop();
});

describe("GCS probe with the store's minted service-account key", () => {
  it("provision (no verify) records the store; verify passes against the emulator", async () => {
    const provisioned = await provision(
      {
        stack: STACK,
        yes: true,
        verify: false,
        storeName: "gcs-keyed",
        backend: "gcp",
        credentials: "service-account-key",
        storeOption: [`project=${PROJECT}`, "location=europe-west1"],
      },
      deps,
    );
    leaks.text("provision", `${provisioned.text}\n${JSON.stringify(provisioned.data)}`);
    expect(provisioned.exitCode).toBe(0);
    const [, keyJson] = recordedKeyEntry();
    leaks.credentials("gcs-keyed", { service_account_json: keyJson });

    const outcome = await verify(
      { stack: STACK, zenml: false, endpointUrl: emu.endpoint, verifyTimeout: 30 },
      deps,
    );
    leaks.text("verify", `${outcome.text}\n${JSON.stringify(outcome.data)}`);
    expect(outcome.exitCode).toBe(0);
    const check = outcome.data.checks[0];
    expect(check.storage.status).toBe("passed");
    expect(check.storage.attempts).toBe(1);
    expect(check.storage.detail).toMatch(
      /^wrote, read, listed and deleted gs:\/\/zenml-gcs-keyed-[0-9a-f]+\/\.zenml-remote-storage-verify\//,
    );

    // What the front saw: the key's grant, then the store's account on its own bucket only.
    const email = (JSON.parse(keyJson) as { client_email: string }).client_email;
    const bucket = check.storage.detail.split("/")[2];
    const log = await emu.requestLog();
    expect(log).toContainEqual(expect.objectContaining({ kind: "token", status: 200, iss: email }));
    const mine = log.filter((e) => e.kind === "gcs" && e.email === email);
    expect(mine.map((e) => `${e.method} ${e.status}`)).toEqual([
      "POST 200", // upload
      "GET 200", // download
      "GET 200", // list
      "DELETE 204",
    ]);
    for (const e of mine) expect((e.needs ?? []).map(([, b]) => b)).toEqual([bucket]);
    // The probe cleaned up after itself.
    expect(await emu.objectNames(bucket)).toEqual([]);
  });

  it("a key the token endpoint does not trust fails at `credentials`, quoting the refusal", async () => {
    const [configKey, good] = recordedKeyEntry();
    const wrong = JSON.parse(good) as Record<string, string>;
    // Same account and key id, another private key: the signature cannot be checked.
    wrong.private_key = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    leaks.credentials("wrong key", { service_account_json: JSON.stringify(wrong) });
    f.workspace.secrets.set(configKey, JSON.stringify(wrong));
    try {
      const outcome = await verify(
        { stack: STACK, zenml: false, endpointUrl: emu.endpoint, verifyTimeout: 2 },
        deps,
      );
      leaks.text("verify (wrong key)", `${outcome.text}\n${JSON.stringify(outcome.data)}`);
      expect(outcome.exitCode).toBe(3);
      expect(outcome.data.checks[0].storage.status).toBe("failed");
      expect(outcome.data.checks[0].storage.detail).toMatch(
        /^credentials: HTTP 400: invalid_grant: Invalid JWT Signature\. \(after \d+ attempts?\)$/,
      );
    } finally {
      f.workspace.secrets.set(configKey, good);
    }
  });

  it("a valid key of an account without the bucket binding fails at `write`, quoting the 403", async () => {
    const [configKey, good] = recordedKeyEntry();
    const other = await mintServiceAccountKey(emu, `intruder@${PROJECT}.iam.gserviceaccount.com`);
    leaks.credentials("intruder key", { service_account_json: other.json });
    f.workspace.secrets.set(configKey, other.json);
    try {
      const outcome = await verify(
        { stack: STACK, zenml: false, endpointUrl: emu.endpoint, verifyTimeout: 2 },
        deps,
      );
      leaks.text("verify (intruder)", `${outcome.text}\n${JSON.stringify(outcome.data)}`);
      expect(outcome.exitCode).toBe(3);
      expect(outcome.data.checks[0].storage.detail).toMatch(
        /^write: HTTP 403: intruder@zrs-verify\.iam\.gserviceaccount\.com does not have storage\.objects\.create access to bucket zenml-gcs-keyed-[0-9a-f]+\. \(after \d+ attempts?\)$/,
      );
    } finally {
      f.workspace.secrets.set(configKey, good);
    }
  });

  it("countObjects (destroy's emptiness check) counts what is in the bucket, with the store's key", async () => {
    const facts = storeFactsFromRecord(
      (stackFile().get("zenml-remote-storage:registration") as Record<string, unknown>)[
        "gcs-keyed"
      ],
      "registration.gcs-keyed",
    );
    const store: StoreUnderTest = storeRegistration("gcs-keyed", facts, {
      service_account_json: recordedKeyEntry()[1],
    });
    const verifier = (await verifierFor("gcp"))!;
    const opts = { endpointUrl: emu.endpoint };
    expect(await verifier.countObjects(store, 100, opts)).toBe(0);
    const bucket = store.path.slice("gs://".length);
    const { keyClient } = await import("../../src/verify/gcs");
    const { Storage } = await import("@google-cloud/storage");
    const gcs = new Storage({
      authClient: await keyClient(store.credentials.service_account_json),
      apiEndpoint: emu.endpoint,
      useAuthWithCustomEndpoint: true,
    });
    for (const name of ["a", "b", "c"])
      await gcs.bucket(bucket).file(name).save(name, { resumable: false });
    expect(await verifier.countObjects(store, 100, opts)).toBe(3);
    expect(await verifier.countObjects(store, 2, opts)).toBe(2);
  });
});

describe("GCS probe in impersonation mode", () => {
  it("exchanges the impersonator's key for real, then fails naming the IAM Credentials API (not verifiable here)", async () => {
    const sourceKey = (await mintServiceAccountKey(emu, SOURCE)).json;
    leaks.credentials("impersonator key", { service_account_json: sourceKey });
    const { outputs } = await provisionOnGcsEmulator(emu, {
      "gcp:project": PROJECT,
      "zenml-remote-storage:stores": [
        {
          name: "gcs-imp",
          backend: "gcp",
          location: "europe-west1",
          credentials: "impersonation",
          impersonator: `serviceAccount:${SOURCE}`,
        },
      ],
      "zenml-remote-storage:storeSecrets": {
        "gcs-imp": { impersonatorKey: Buffer.from(sourceKey).toString("base64") },
      },
    });
    const out = (outputs.stores as Record<string, unknown>)["gcs-imp"];
    const creds = (outputs.credentials as Record<string, Record<string, string>>)["gcs-imp"];
    const store: StoreUnderTest = storeRegistration(
      "gcs-imp",
      storeFactsFromRecord(out, "stores.gcs-imp"),
      creds,
    );
    const targetPrincipal = connectorConfiguration(store.auth).target_principal;
    expect(store.auth).toMatchObject({ kind: "connector", method: "impersonation" });
    const checks = await verifyStores(
      { stores: [store], timeoutMs: 0, endpointUrl: emu.endpoint },
      deps,
    );
    leaks.text("impersonation checks", JSON.stringify(checks));
    expect(checks[0].storage.status).toBe("failed");
    expect(checks[0].storage.detail).toMatch(
      new RegExp(
        `^credentials: could not mint a token for ${targetPrincipal.replace(/\./g, "\\.")} through the IAM Credentials API \\(https://iamcredentials\\.googleapis\\.com\\): .*ENOTFOUND`,
      ),
    );
    // The source key's own grant was a real exchange with the front.
    expect(await emu.requestLog()).toContainEqual(
      expect.objectContaining({ kind: "token", status: 200, iss: SOURCE }),
    );
  });
});

it("leak check: no key, private key or passphrase in output, the emulator log or project files", () => {
  expectNoLeaks(leaks, { texts: 6, logs: 1, files: 1 });
  console.log(`test/tier/verify.gcs.test.ts: ${Math.round((Date.now() - started) / 1000)} s`);
});
