import { describe, expect, it } from "vitest";
import { registrationsFromOutputs } from "../../../src/automation/recordedRegistration";
import { retry, backoffDelay } from "../../../src/verify/retry";
import { parseS3Uri } from "../../../src/verify/s3";
import { checkServerUrl } from "../../../src/automation/commands/shared";
import { serverSettings } from "../../../src/automation/zenmlRegistrar";
import { AWS_CREDENTIALS, AWS_STORE_OUTPUTS, awsOutputs } from "./support/fakes";

describe("registrationsFromOutputs", () => {
  it("pairs each store's plain outputs with its credentials", () => {
    const [reg] = registrationsFromOutputs(awsOutputs());
    expect(reg).toEqual({
      storeName: "s3-store",
      ...AWS_STORE_OUTPUTS,
      credentials: AWS_CREDENTIALS,
    });
  });

  it.each([
    [{}, "the stack has no `stores` output; run provision"],
    [{ stores: { value: { s: 1 }, secret: false } }, "stack output stores.s must be a map"],
    [
      { stores: { value: { s: { ...AWS_STORE_OUTPUTS, path: undefined } }, secret: false } },
      "stack output stores.s.path must be a non-empty string",
    ],
    [
      { stores: { value: { s: AWS_STORE_OUTPUTS }, secret: false } },
      "stack output credentials.s is missing",
    ],
  ])("refuses incomplete outputs %#", (outputs, message) => {
    expect(() => registrationsFromOutputs(outputs)).toThrow(message);
  });
});

describe("ZenML server settings", () => {
  it("takes credentials from ZenML's variables, then the stack's API key", () => {
    expect(serverSettings("u", { ZENML_STORE_API_KEY: "k" }, "stack")).toEqual({
      url: "u",
      apiKey: "k",
    });
    expect(serverSettings("u", {}, "stack")).toEqual({ url: "u", apiKey: "stack" });
    expect(serverSettings("u", { ZENML_STORE_USERNAME: "n", ZENML_STORE_PASSWORD: "p" })).toEqual({
      url: "u",
      username: "n",
      password: "p",
    });
    expect(serverSettings("u", {})).toEqual({ url: "u" });
    expect(checkServerUrl("https://z.example.com/", "--server")).toBe("https://z.example.com");
    expect(() => checkServerUrl("zenml", "--server")).toThrow('--server: "zenml" is not a URL');
  });
});

describe("retry", () => {
  it("backs off exponentially up to a cap and stops at the bound", async () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 1000, 15_000))).toEqual([
      1000, 2000, 4000, 8000, 15_000, 15_000,
    ]);
    let now = 0;
    const waits: number[] = [];
    const err = await retry(
      async () => {
        throw new Error("no");
      },
      {
        timeoutMs: 10_000,
        now: () => now,
        sleep: async (ms) => void (waits.push(ms), (now += ms)),
      },
    ).catch((e: unknown) => e as { attempts: number; message: string });
    expect(waits).toEqual([1000, 2000, 4000, 3000]);
    expect(err).toMatchObject({ attempts: 5, message: "no" });
  });

  it("returns the value and the attempts it took", async () => {
    let n = 0;
    const r = await retry(async () => (++n < 3 ? Promise.reject(new Error("x")) : "ok"), {
      timeoutMs: 60_000,
      now: () => 0,
      sleep: async () => undefined,
    });
    expect(r).toEqual({ value: "ok", attempts: 3 });
  });
});

describe("parseS3Uri", () => {
  it.each([
    ["s3://b", { bucket: "b", prefix: "" }],
    ["s3://b/", { bucket: "b", prefix: "" }],
    ["s3://b/p/q/", { bucket: "b", prefix: "p/q/" }],
  ])("%s", (uri, expected) => expect(parseS3Uri(uri)).toEqual(expected));
  it("refuses other schemes", () =>
    expect(() => parseS3Uri("gs://b")).toThrow('credentials: "gs://b" is not an s3:// URI'));
});

describe("registrationsFromOutputs refuses a malformed `stores` output, naming the field", () => {
  const creds = { value: { s: { k: "v" } }, secret: true };
  it.each([
    [
      { ...SAS_BASE(), auth: { kind: "nope" } },
      'stack output stores.s.auth.kind must be "connector" or "secret"',
    ],
    [
      { ...SAS_BASE(), backend: "ftp" },
      "stack output stores.s.backend must be one of aws, gcp, azure, s3-compatible",
    ],
    [{ ...SAS_BASE(), path: "" }, "stack output stores.s.path must be a non-empty string"],
    [
      {
        ...SAS_BASE(),
        auth: { kind: "connector", type: "aws", method: "secret-key", resourceType: "s3-bucket" },
      },
      "stack output stores.s.auth.resourceId must be a non-empty string",
    ],
  ])("%j", (store, message) => {
    expect(() =>
      registrationsFromOutputs({
        stores: { value: { s: store }, secret: false },
        credentials: creds,
      }),
    ).toThrow(message);
  });
});

function SAS_BASE(): Record<string, unknown> {
  return {
    backend: "azure",
    stackName: "s",
    flavor: "azure",
    path: "az://c",
    artifactStoreConfiguration: { path: "az://c" },
    auth: { kind: "secret", name: "s-secret" },
  };
}
