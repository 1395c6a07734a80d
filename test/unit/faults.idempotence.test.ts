/**
 * Idempotence of the program, for every backend and credential mode, under
 * Pulumi's mock runtime (no engine, no provider, no cloud): run twice with the
 * same config, the program declares the same resources (type and logical
 * name) with the same inputs, so the engine plans no change — nothing is
 * created, updated or deleted by a second `pulumi up`/`provision`. The only
 * input that moves between runs is the Azure client secret's computed default
 * expiry, which the program puts under `ignoreChanges` (the mocks cannot see
 * resource options; see IGNORED_CHANGES). What a second run does in moto and
 * in a real ZenML server is shown by test/tier/faults.idempotence.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeGcpServiceAccountKeyJson } from "./support/mocks";
import {
  MINIO_ADMIN,
  ROTATABLE_STORES,
  planChanges,
  runProgram,
  type ProgramRun,
} from "./rotation.helpers";

const CONFIG = {
  "zenml-remote-storage:stores": [
    ...ROTATABLE_STORES,
    {
      name: "gcs-imp",
      backend: "gcp",
      project: "my-project-1",
      location: "EU",
      credentials: "impersonation",
      impersonator: "serviceAccount:ci@my-project-1.iam.gserviceaccount.com",
    },
    {
      name: "az-sas",
      backend: "azure",
      location: "westeurope",
      credentials: "sas",
      sasExpiry: "2031-01-01T00:00:00Z",
    },
    {
      name: "wasabi",
      backend: "s3-compatible",
      endpoint: "https://s3.wasabisys.com",
      credentials: "existing-credentials",
      bucket: { name: "team-artifacts" },
    },
    {
      name: "s3-rotating",
      backend: "aws",
      region: "eu-west-1",
      credentialGeneration: 3,
      rotationPeriodDays: 30,
    },
  ],
  "zenml-remote-storage:storeSecrets": {
    "mn-store": MINIO_ADMIN,
    wasabi: { accessKeyId: "WASABIKEY", secretAccessKey: "wasabi-secret" },
    "gcs-imp": {
      impersonatorKey: fakeGcpServiceAccountKeyJson("ci@my-project-1.iam.gserviceaccount.com"),
    },
  },
  "zenml-remote-storage:zenml": { serverUrl: "https://zenml.example.com" },
  "zenml-remote-storage:zenmlApiKey": "ZENKEY_mock",
};

describe("running the program twice with the same config", () => {
  let first: ProgramRun;
  let second: ProgramRun;

  beforeAll(async () => {
    // Both runs inside one rotation period (a run across a period boundary rotates, by design).
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 2, 15, 12));
    first = await runProgram(CONFIG);
    vi.setSystemTime(Date.UTC(2026, 2, 15, 13));
    second = await runProgram(CONFIG);
  }, 120_000);
  afterAll(() => {
    vi.useRealTimers();
  });

  it("declares every resource again, with the same inputs: the engine would change nothing", () => {
    expect(first.registered.length).toBeGreaterThan(60);
    const steps = planChanges(first.registered, second.registered);
    expect(steps.filter((s) => s.op !== "same")).toEqual([]);
    expect(steps).toHaveLength(first.registered.length);
  });

  it("covers every backend and credential mode, and the program's ZenML registration", () => {
    const components = first.registered
      .filter(
        (r) =>
          r.type.startsWith("zenml-remote-storage:") &&
          r.type !== "zenml-remote-storage:zenml:Registration",
      )
      .map((r) => r.name)
      .sort();
    expect(components).toEqual([
      "az-sas",
      "az-sp",
      "gcs-imp",
      "gcs-keyed",
      "mn-store",
      "s3-keyed",
      "s3-roled",
      "s3-rotating",
      "wasabi",
    ]);
    expect(
      first.registered.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource"),
    ).toHaveLength(27);
  });

  it("produces the same outputs", () => {
    expect(second.outputs).toEqual(first.outputs);
  });
});
