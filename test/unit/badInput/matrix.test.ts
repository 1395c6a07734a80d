// The bad-input matrix through the REAL CLI entry (`main`, yargs, the handlers),
// FAKE Pulumi workspace / ZenML registrar / storage verifier, a real temporary
// project directory; for server answers the REAL ZenML client against FAKE local
// HTTP servers. See harness.ts for what every case must show.
// BAD_INPUT_LOG=1 prints every case's exit code and error line.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  FILE_CASES,
  FLAG_CASES,
  PASSPHRASE_CASES,
  STACK_CONFIG_CASES,
  STACK_YAML_CASES,
} from "./cases";
import { connectZenmlServer } from "../../../src/automation/zenmlRegistrar";
import { expectCleanFailure, PASS, runBadInput, type BadInput } from "./harness";
import { API_KEY, SERVER_CASES, startFakeZenmlServers, type FakeZenmlServers } from "./servers";

const ALL: readonly BadInput[] = [
  ...STACK_CONFIG_CASES,
  ...FILE_CASES,
  ...PASSPHRASE_CASES,
  ...FLAG_CASES,
  ...STACK_YAML_CASES,
  ...SERVER_CASES,
];

describe("the bad-input matrix", () => {
  it("has at least 60 cases, with unique names, in every category", () => {
    const byCategory: Record<string, number> = {};
    for (const c of ALL) byCategory[c.category] = (byCategory[c.category] ?? 0) + 1;
    console.log(`bad inputs: ${ALL.length} — ${JSON.stringify(byCategory)}`);
    expect(ALL.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ALL.map((c) => c.name)).size).toBe(ALL.length);
    expect(Object.keys(byCategory)).toHaveLength(10);
  });
});

describe.each([
  ["stack config", STACK_CONFIG_CASES],
  ["stack config files", FILE_CASES],
  ["passphrase", PASSPHRASE_CASES],
  ["CLI flags", FLAG_CASES],
  ["stack YAML read by register", STACK_YAML_CASES],
])("bad %s: one line, non-zero exit, no trace, nothing written", (_, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const result = await runBadInput(c);
    if (process.env.BAD_INPUT_LOG)
      console.log(`[${c.category}] ${c.name}\n  exit ${result.code}: ${result.stderr.join(" / ")}`);
    expectCleanFailure(c, result);
  });
});

describe("bad ZenML server answers (real client, fake servers): one line, exit 1, nothing created", () => {
  let servers: FakeZenmlServers;
  beforeAll(async () => {
    servers = await startFakeZenmlServers();
    // The client's per-request timeout is 30 s; compressed to 300 ms here so the
    // "never answers" server costs 4 × 300 ms plus backoff instead of two minutes.
    // The client's own code (abort, retry, message) runs unchanged.
    const timeout = AbortSignal.timeout.bind(AbortSignal);
    vi.spyOn(AbortSignal, "timeout").mockImplementation((ms: number) => timeout(Math.min(ms, 300)));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await servers?.close();
  });

  it.each(SERVER_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const result = await runBadInput(c, servers.urls);
    if (process.env.BAD_INPUT_LOG)
      console.log(`[${c.category}] ${c.name}\n  exit ${result.code}: ${result.stderr.join(" / ")}`);
    expectCleanFailure(c, result);
    // Nothing was created in any fake server: reads and the login only.
    const writes = Object.values(servers.requests)
      .flat()
      .filter((r) => !/^(GET |POST \/api\/v1\/login$)/.test(r));
    // The "create-*" modes refuse the one POST they get; nothing else is written.
    expect(writes.every((w) => /^POST \/api\/v1\/service_connectors$/.test(w))).toBe(true);
  });

  // When the server refuses the artifact store after it created the connector,
  // `register` fails with one clear line and deletes the connector this run created
  // (first seen against the real ZenML 0.98 server with an s3 store whose path was gs://…).
  it("a refused artifact store leaves nothing behind: the connector this run created is deleted", async () => {
    const c: BadInput = {
      name: "component refused",
      category: "zenml server answers",
      provisioned: true,
      env: { ...PASS, ZENML_STORE_API_KEY: API_KEY },
      deps: (d) => ({
        ...d,
        env: { ...PASS, ZENML_STORE_API_KEY: API_KEY },
        connectZenml: connectZenmlServer,
      }),
      argv: ({ servers: s }) => [
        "register",
        "--stack",
        "aws-dev",
        "--server",
        s["component-refused"],
      ],
      line: /refused to create stack component "s3-store" \(500\): RuntimeError: the path is not supported$/,
      exit: 1,
    };
    const result = await runBadInput(c, servers.urls);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(c.line);
    expect(result.code).toBe(1);
    expect(servers.requests["component-refused"]).toContain(
      "DELETE /api/v1/service_connectors/c-1",
    );
  });

  it("the fake servers saw no secret in a URL", () => {
    const all = servers.requestTargets.join("\n");
    expect(servers.requestTargets.length).toBeGreaterThan(0);
    expect(all).not.toContain("fake-secret-value");
    expect(all).not.toContain("zenml-api-key-for-bad-input-tests");
  });
});

describe("a storage endpoint nothing listens on (real S3 verifier): one failed line, exit 3", () => {
  it("verify --endpoint-url http://127.0.0.1:9 names the store, the step and the reason", async () => {
    const { verifierFor } = await import("../../../src/verify");
    const c: BadInput = {
      name: "closed storage endpoint",
      category: "cli flags",
      provisioned: true,
      deps: (d) => ({ ...d, verifierFor }),
      argv: [
        "verify",
        "--stack",
        "aws-dev",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--verify-timeout",
        "0",
      ],
      line: /never used/,
      exit: 3,
    };
    const r = await runBadInput(c);
    expect(r.code).toBe(3);
    expect(r.stderr).toEqual([]);
    const failed = r.stdout
      .join("\n")
      .split("\n")
      .filter((l) => /failed/.test(l));
    expect(failed).toEqual([
      "  s3-store (aws) storage: failed — write: connect ECONNREFUSED 127.0.0.1:9 (after 1 attempt)",
    ]);
    expect(r.after).toBe(r.before);
  });
});
