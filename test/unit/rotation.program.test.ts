/**
 * Key rotation in the program, under Pulumi's mock runtime (no engine, no
 * provider, no cloud). The real program runs once per phase of a rotation,
 * for one store of every backend whose key this project mints; the mocks give
 * each key resource its own secret, so it is visible which key ZenML is given.
 * The engine's plan between two runs is computed from the registrations
 * (test/unit/rotation.helpers.ts planChanges): Pulumi creates new resources
 * and updates changed ones first, and deletes resources that left the program
 * at the end of the update.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  KEY_RESOURCES,
  ROTATABLE_STORES,
  SECRET_SIG,
  planChanges,
  runProgram,
  secretOf,
  stepsOf,
  storesConfig,
  type ProgramRun,
  type Registration,
} from "./rotation.helpers";

const ZENML = {
  "zenml-remote-storage:zenml": { serverUrl: "https://zenml.example.com" },
  "zenml-remote-storage:zenmlApiKey": "ZENKEY_mock",
};
const STORES = ROTATABLE_STORES.map((s) => s.name);

/** The key resources of a store in a run, by logical name. */
function keysOf(run: ProgramRun, store: string): Registration[] {
  const { type, base } = KEY_RESOURCES[store];
  return run.registered.filter((r) => r.type === type && r.name.startsWith(base));
}

/** The secret ZenML is given for a store (program output `credentials`). */
function givenSecret(run: ProgramRun, store: string): string {
  const creds = (run.outputs.credentials as Record<string, Record<string, string>>)[store];
  return (
    creds.aws_secret_access_key ??
    creds.client_secret ??
    (JSON.parse(creds.service_account_json) as { private_key: string }).private_key
  );
}

/** The secret in the ZenML connector's (or ZenML secret's) document the program registers. */
function registeredSecret(run: ProgramRun, store: string): string {
  const credentials = run.registered.find(
    (r) =>
      r.type === "pulumi-nodejs:dynamic:Resource" &&
      (r.name === `${store}-zenml-connector` || r.name === `${store}-zenml-secret`),
  )!;
  expect(credentials.inputs.document[SECRET_SIG]).toBeDefined();
  const doc = credentials.inputs.document.value;
  const values: Record<string, string> = doc.secrets ?? doc.values;
  return (
    values.aws_secret_access_key ??
    values.client_secret ??
    (JSON.parse(values.service_account_json) as { private_key: string }).private_key
  );
}

describe("rotate's two updates, for every backend with a minted key", () => {
  let gen1: ProgramRun;
  let add: ProgramRun;
  let retire: ProgramRun;

  beforeAll(async () => {
    gen1 = await runProgram(storesConfig({}, ZENML));
    add = await runProgram(storesConfig({ credentialGeneration: 2, keepCredentials: [1] }, ZENML));
    retire = await runProgram(storesConfig({ credentialGeneration: 2 }, ZENML));
  }, 120_000);

  it.each(STORES)("%s: generation 1 has one key, under the name it always had", (store) => {
    expect(keysOf(gen1, store).map((k) => k.name)).toEqual([KEY_RESOURCES[store].base]);
    expect(givenSecret(gen1, store)).toBe(secretOf(KEY_RESOURCES[store].base));
    expect((gen1.outputs.credentialVersions as Record<string, string>)[store]).toBe("1");
  });

  it.each(STORES)(
    "%s: the add update creates the new key, keeps the old one unchanged, gives ZenML the new one",
    (store) => {
      const base = KEY_RESOURCES[store].base;
      expect(keysOf(add, store).map((k) => k.name)).toEqual([`${base}-2`, base]);
      const oldBefore = keysOf(gen1, store)[0];
      const oldNow = keysOf(add, store).find((k) => k.name === base)!;
      // endDate: the Azure secret's computed default, under ignoreChanges (see IGNORED_CHANGES).
      const compared = (inputs: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "endDate"));
      expect(compared(oldNow.inputs)).toEqual(compared(oldBefore.inputs));
      expect(givenSecret(add, store)).toBe(secretOf(`${base}-2`));
      expect(registeredSecret(add, store)).toBe(secretOf(`${base}-2`));
      expect((add.outputs.credentialVersions as Record<string, string>)[store]).toBe("2");
    },
  );

  it("the add update deletes nothing: the old keys outlive the ZenML update and verification", () => {
    const steps = planChanges(gen1.registered, add.registered);
    expect(stepsOf(steps, "delete")).toEqual([]);
    expect(stepsOf(steps, "create").sort()).toEqual(
      STORES.map((s) => `${KEY_RESOURCES[s].base}-2`).sort(),
    );
    // The ZenML registration holding the key is updated in place.
    for (const store of STORES) {
      const credentials = stepsOf(steps, "update").filter(
        (n) => n === `${store}-zenml-connector` || n === `${store}-zenml-secret`,
      );
      expect(credentials).toHaveLength(1);
    }
    // Nothing about buckets, users, policies or roles changes.
    const touched = steps.filter(
      (s) => s.op !== "same" && !s.type.startsWith("zenml-remote-storage:"),
    );
    expect(
      touched.filter(
        (s) =>
          s.type !== "pulumi-nodejs:dynamic:Resource" &&
          !Object.values(KEY_RESOURCES).some((k) => k.type === s.type),
      ),
    ).toEqual([]);
  });

  it("the retire update deletes only the old keys, at the end of the update", () => {
    const steps = planChanges(add.registered, retire.registered);
    expect(stepsOf(steps, "create")).toEqual([]);
    expect(stepsOf(steps, "delete").sort()).toEqual(
      STORES.map((s) => KEY_RESOURCES[s].base).sort(),
    );
    const firstDelete = steps.findIndex((s) => s.op === "delete");
    expect(steps.slice(firstDelete).every((s) => s.op === "delete")).toBe(true);
    // ZenML already has the new key: its registration does not change again.
    for (const store of STORES) {
      expect(stepsOf(steps, "update")).not.toContain(`${store}-zenml-connector`);
      expect(stepsOf(steps, "update")).not.toContain(`${store}-zenml-secret`);
      expect(givenSecret(retire, store)).toBe(secretOf(`${KEY_RESOURCES[store].base}-2`));
    }
  });

  it("a rollback (generation 1 again, nothing kept) deletes only the new keys and gives ZenML the old ones", async () => {
    const rollback = await runProgram(storesConfig({}, ZENML));
    const steps = planChanges(add.registered, rollback.registered);
    expect(stepsOf(steps, "create")).toEqual([]);
    expect(stepsOf(steps, "delete").sort()).toEqual(
      STORES.map((s) => `${KEY_RESOURCES[s].base}-2`).sort(),
    );
    for (const store of STORES) {
      expect(registeredSecret(rollback, store)).toBe(secretOf(KEY_RESOURCES[store].base));
    }
  });

  it("azure: each client secret is named after its version; the original keeps its name", () => {
    const names = keysOf(add, "az-sp").map((k) => k.inputs.displayName);
    expect(names).toEqual(["zenml-remote-storage 2", "zenml-remote-storage"]);
  });
});

describe("periodic rotation (rotationPeriodDays) with a plain pulumi up", () => {
  /** 2026-03-15T12:00:00Z; the 30-day period started on 2026-03-08. */
  const MARCH_15 = Date.UTC(2026, 2, 15, 12);
  let before: ProgramRun;
  let sameDay: ProgramRun;
  let nextPeriod: ProgramRun;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(MARCH_15);
    const config = storesConfig({ rotationPeriodDays: 30 }, ZENML);
    before = await runProgram(config);
    vi.setSystemTime(MARCH_15 + 20 * 86_400_000); // April 4: same period
    sameDay = await runProgram(config);
    vi.setSystemTime(MARCH_15 + 25 * 86_400_000); // April 9: the next period began on April 7
    nextPeriod = await runProgram(config);
  }, 120_000);
  afterAll(() => {
    vi.useRealTimers();
  });

  it("names each key after its period", () => {
    for (const store of STORES) {
      expect(keysOf(before, store).map((k) => k.name)).toEqual([
        `${KEY_RESOURCES[store].base}-1-20260308`,
      ]);
    }
  });

  it("within a period, an update changes nothing", () => {
    const steps = planChanges(before.registered, sameDay.registered);
    expect(steps.filter((s) => s.op !== "same")).toEqual([]);
  });

  it("after the period, one update creates the new key, updates ZenML, then deletes the old key", () => {
    const steps = planChanges(before.registered, nextPeriod.registered);
    for (const store of STORES) {
      const base = KEY_RESOURCES[store].base;
      const created = steps.findIndex((s) => s.op === "create" && s.name === `${base}-1-20260407`);
      const updated = steps.findIndex(
        (s) =>
          s.op === "update" &&
          (s.name === `${store}-zenml-connector` || s.name === `${store}-zenml-secret`),
      );
      const deleted = steps.findIndex((s) => s.op === "delete" && s.name === `${base}-1-20260308`);
      expect(created).toBeGreaterThanOrEqual(0);
      expect(updated).toBeGreaterThan(created);
      expect(deleted).toBeGreaterThan(updated);
      expect(registeredSecret(nextPeriod, store)).toBe(secretOf(`${base}-1-20260407`));
    }
    expect(
      steps
        .filter((s) => s.op === "delete")
        .map((s) => s.name)
        .sort(),
    ).toEqual(STORES.map((s) => `${KEY_RESOURCES[s].base}-1-20260308`).sort());
  });
});
