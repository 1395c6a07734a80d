/**
 * Rotation config and its pure rules (src/config/rotation.ts): which key
 * version is current, what each key resource is named, what is kept; and the
 * rotate command's planning helpers. Pure logic, no Pulumi runtime.
 */
import { describe, expect, it } from "vitest";
import {
  deployedVersions,
  destructiveChanges,
  planRotation,
  rotatedStoresConfig,
} from "../../src/automation/rotationPlan";
import { ConfigError } from "../../src/config/errors";
import { parseDeployment } from "../../src/config/parse";
import {
  credentialResourceName,
  versionedCredentials,
  credentialVersion,
  keyVersions,
  periodStart,
  versionGeneration,
} from "../../src/config/rotation";
import type { StoreConfig } from "../../src/config/types";

const DAY = 86_400_000;
/** 2026-03-15T12:00:00Z */
const MARCH_15 = Date.UTC(2026, 2, 15, 12);

const store = (over: Record<string, unknown> = {}) => ({
  name: "s3-store",
  backend: "aws",
  region: "eu-west-1",
  ...over,
});

/** A store; `region: undefined` drops the key (for backends that have none). */
function storeOf(over: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(store(over)).filter(([, v]) => v !== undefined));
}

function parse(over: Record<string, unknown> = {}): StoreConfig {
  return parseDeployment({ stores: [storeOf(over)] }).stores[0];
}

function configError(over: Record<string, unknown>): string {
  try {
    parse(over);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("rotation config", () => {
  it("is absent by default: generation 1, no period, nothing kept", () => {
    expect(parse().rotation).toBeUndefined();
    expect("rotation" in parse()).toBe(false);
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ["a generation", { credentialGeneration: 3 }, { generation: 3, keep: [] }],
    ["a period", { rotationPeriodDays: 90 }, { generation: 1, periodDays: 90, keep: [] }],
    [
      "a kept key (number or string)",
      { credentialGeneration: 2, keepCredentials: [1] },
      { generation: 2, keep: ["1"] },
    ],
    [
      "a kept key of an earlier period",
      { credentialGeneration: 2, rotationPeriodDays: 30, keepCredentials: ["2-20260101"] },
      { generation: 2, periodDays: 30, keep: ["2-20260101"] },
    ],
  ])("reads %s", (_what, over, expected) => {
    expect(parse(over).rotation).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "generation 0",
      { credentialGeneration: 0 },
      "stores[0].credentialGeneration: must be a whole number from 1 to 9999",
    ],
    [
      "a fractional generation",
      { credentialGeneration: 1.5 },
      "stores[0].credentialGeneration: must be a whole number from 1 to 9999",
    ],
    [
      "a string generation",
      { credentialGeneration: "2" },
      "stores[0].credentialGeneration: must be a whole number from 1 to 9999",
    ],
    [
      "a period of 0 days",
      { rotationPeriodDays: 0 },
      "stores[0].rotationPeriodDays: must be a whole number of days from 1 to 3650",
    ],
    [
      "keepCredentials not a list",
      { credentialGeneration: 2, keepCredentials: "1" },
      "stores[0].keepCredentials: must be a list of credential versions (e.g. [1])",
    ],
    [
      "two kept keys",
      { credentialGeneration: 3, keepCredentials: [1, 2] },
      "stores[0].keepCredentials: may keep at most 1 earlier credential (AWS allows two access keys per user)",
    ],
    [
      "a kept key that is no version",
      { credentialGeneration: 2, keepCredentials: ["old"] },
      'stores[0].keepCredentials[0]: "old" is not a credential version: <generation> or <generation>-<YYYYMMDD>',
    ],
    [
      "a kept key with an impossible date",
      { credentialGeneration: 2, keepCredentials: ["1-20260231"] },
      'stores[0].keepCredentials[0]: "1-20260231" is not a credential version: <generation> or <generation>-<YYYYMMDD>',
    ],
    [
      "a kept key newer than the generation",
      { credentialGeneration: 2, keepCredentials: [3] },
      'stores[0].keepCredentials[0]: "3" is newer than credentialGeneration 2; only earlier credentials can be kept',
    ],
    [
      "keeping the current key",
      { credentialGeneration: 2, keepCredentials: [2] },
      'stores[0].keepCredentials[0]: "2" is the current credential',
    ],
  ])("refuses %s", (_what, over, message) => {
    expect(configError(over)).toBe(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "gcp impersonation",
      {
        backend: "gcp",
        region: undefined,
        project: "my-project-1",
        location: "EU",
        credentials: "impersonation",
        impersonator: "serviceAccount:ci@my-project-1.iam.gserviceaccount.com",
        credentialGeneration: 2,
      },
      "stores[0].credentialGeneration: only applies to credentials this project mints (backend gcp: service-account-key); impersonation credentials are not rotated here",
    ],
    [
      "an azure SAS",
      {
        backend: "azure",
        region: undefined,
        location: "westeurope",
        credentials: "sas",
        sasExpiry: "2031-01-01T00:00:00Z",
        rotationPeriodDays: 30,
      },
      "stores[0].rotationPeriodDays: only applies to credentials this project mints (backend azure: service-principal); sas credentials are not rotated here",
    ],
    [
      "s3-compatible existing credentials",
      {
        backend: "s3-compatible",
        region: undefined,
        endpoint: "https://s3.example.com",
        credentials: "existing-credentials",
        bucket: { name: "artifacts" },
        keepCredentials: [1],
      },
      "stores[0].keepCredentials: only applies to credentials this project mints (backend s3-compatible: minio); existing-credentials credentials are not rotated here",
    ],
    [
      "an azure period longer than the secret's one-year lifetime",
      { backend: "azure", region: undefined, location: "westeurope", rotationPeriodDays: 400 },
      "stores[0].rotationPeriodDays: must be at most 365 for azure: each client secret expires one year after it is created",
    ],
  ])("refuses rotation keys for %s", (_what, over, message) => {
    expect(configError(over)).toBe(message);
  });

  it.each([
    ["aws", "access-key", {}],
    ["aws", "iam-role", {}],
    ["gcp", "service-account-key", { project: "my-project-1", location: "EU" }],
    ["azure", "service-principal", { location: "westeurope" }],
  ])("accepts rotation keys for %s %s", (backend, credentials, extra) => {
    const s = parse({
      backend,
      credentials,
      ...(backend === "aws" ? {} : { region: undefined }),
      ...extra,
      credentialGeneration: 2,
    });
    expect(s.rotation).toEqual({ generation: 2, keep: [] });
  });
});

describe("key versions and names", () => {
  it("a period starts on a fixed UTC day counted from 1970-01-01", () => {
    expect(periodStart(MARCH_15, 1)).toBe("20260315");
    // 20527 days since the epoch on 2026-03-15; 20527 - 20527 % 30 = 20520 → 2026-03-08.
    expect(periodStart(MARCH_15, 30)).toBe("20260308");
    expect(periodStart(Date.UTC(2026, 2, 8), 30)).toBe("20260308");
    expect(periodStart(Date.UTC(2026, 2, 8) - 1, 30)).toBe("20260206");
    expect(periodStart(Date.UTC(2026, 2, 8) + 30 * DAY, 30)).toBe("20260407");
  });

  it.each<[string, Parameters<typeof credentialVersion>[0], number, string]>([
    ["no rotation config", undefined, MARCH_15, "1"],
    ["generation 3", { generation: 3, keep: [] }, MARCH_15, "3"],
    ["a 30-day period", { generation: 1, periodDays: 30, keep: [] }, MARCH_15, "1-20260308"],
    [
      "the next period",
      { generation: 1, periodDays: 30, keep: [] },
      MARCH_15 + 30 * DAY,
      "1-20260407",
    ],
    [
      "a bumped generation with a period",
      { generation: 4, periodDays: 30, keep: [] },
      MARCH_15,
      "4-20260308",
    ],
  ])("version with %s", (_what, rotation, now, expected) => {
    expect(credentialVersion(rotation, now)).toBe(expected);
  });

  it("keeps earlier versions, never the current one twice", () => {
    expect(keyVersions(undefined, MARCH_15)).toEqual({ current: "1", previous: [] });
    expect(keyVersions({ generation: 2, keep: ["1"] }, MARCH_15)).toEqual({
      current: "2",
      previous: ["1"],
    });
    expect(keyVersions({ generation: 1, periodDays: 30, keep: ["1-20260308"] }, MARCH_15)).toEqual({
      current: "1-20260308",
      previous: [],
    });
  });

  it("names version 1 as before rotation existed, every other version by its version", () => {
    expect(credentialResourceName("s3-store-key", "1")).toBe("s3-store-key");
    expect(credentialResourceName("s3-store-key", "2")).toBe("s3-store-key-2");
    expect(credentialResourceName("az-secret", "3-20260308")).toBe("az-secret-3-20260308");
  });

  it("creates one credential per version, the current one first, each under its version's name", () => {
    const created: string[] = [];
    const make = (name: string, version: string): string => {
      created.push(`${name}@${version}`);
      return name;
    };
    expect(versionedCredentials({ current: "3", previous: ["2"] }, "s3-store-key", make)).toEqual({
      version: "3",
      current: "s3-store-key-3",
      previous: ["s3-store-key-2"],
    });
    expect(created).toEqual(["s3-store-key-3@3", "s3-store-key-2@2"]);
    // Never rotated: version 1 alone, under the original name.
    expect(versionedCredentials(undefined, "s3-store-key", make)).toEqual({
      version: "1",
      current: "s3-store-key",
      previous: [],
    });
  });

  it.each([
    ["1", 1],
    ["12", 12],
    ["2-20260308", 2],
    ["0", undefined],
    ["2-2026030", undefined],
    ["2-20261301", undefined],
    ["x", undefined],
  ])("versionGeneration(%s) = %s", (v, gen) => {
    expect(versionGeneration(v)).toBe(gen);
  });
});

describe("rotate: planning", () => {
  it("starts a rotation from the deployed version", () => {
    expect(planRotation(parse(), undefined, MARCH_15)).toEqual({
      store: "s3-store",
      from: "1",
      generation: 2,
      resumed: false,
    });
    expect(planRotation(parse({ credentialGeneration: 4 }), "4", MARCH_15)).toEqual({
      store: "s3-store",
      from: "4",
      generation: 5,
      resumed: false,
    });
  });

  it("keeps the key that is deployed, even from an earlier period than today's", () => {
    // Deployed in February; the program would now compute a March version.
    const s = parse({ rotationPeriodDays: 30 });
    expect(planRotation(s, "1-20260206", MARCH_15)).toEqual({
      store: "s3-store",
      from: "1-20260206",
      generation: 2,
      resumed: false,
    });
  });

  it("never goes back to a generation that was deployed", () => {
    expect(planRotation(parse({ credentialGeneration: 2 }), "5", MARCH_15).generation).toBe(6);
  });

  it("resumes a rotation an earlier run left half-way instead of starting another", () => {
    const s = parse({ credentialGeneration: 2, keepCredentials: [1] });
    expect(planRotation(s, "2", MARCH_15)).toEqual({
      store: "s3-store",
      from: "1",
      generation: 2,
      resumed: true,
    });
  });

  const raw = [store({ tags: { team: "ml" } }), store({ name: "other", credentialGeneration: 7 })];
  const plan = [{ store: "s3-store", from: "1", generation: 2, resumed: false }];

  it("add: the next generation, the deployed key kept; other stores untouched", () => {
    expect(rotatedStoresConfig(raw, plan, "add")).toEqual([
      { ...raw[0], credentialGeneration: 2, keepCredentials: ["1"] },
      raw[1],
    ]);
  });

  it("retire: the kept key dropped", () => {
    expect(rotatedStoresConfig(raw, plan, "retire")).toEqual([
      { ...raw[0], credentialGeneration: 2 },
      raw[1],
    ]);
  });

  it("rollback: back to the deployed generation (generation 1 stays implicit)", () => {
    expect(rotatedStoresConfig(raw, plan, "rollback")).toEqual(raw);
    const resumed = [store({ credentialGeneration: 3, keepCredentials: ["2"] })];
    expect(
      rotatedStoresConfig(
        resumed,
        [{ store: "s3-store", from: "2", generation: 3, resumed: true }],
        "rollback",
      ),
    ).toEqual([store({ credentialGeneration: 2 })]);
  });

  it("each phase's config passes the program's own parser", () => {
    for (const phase of ["add", "retire", "rollback"] as const) {
      expect(() =>
        parseDeployment({ stores: rotatedStoresConfig(raw, plan, phase) }),
      ).not.toThrow();
    }
  });

  it("reads the deployed versions from the program's output", () => {
    expect(
      deployedVersions({ credentialVersions: { value: { a: "2", b: 3 }, secret: false } }),
    ).toEqual({
      a: "2",
    });
    expect(deployedVersions({})).toEqual({});
  });

  it("counts what a preview would delete or replace", () => {
    expect(destructiveChanges({ create: 1, update: 1, same: 9 })).toBe(0);
    expect(destructiveChanges({ create: 1, delete: 1, replace: 2, same: 3 })).toBe(3);
  });
});
