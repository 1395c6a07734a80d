/**
 * A ZenML dynamic resource's error, as the user of `pulumi up` sees it: the
 * program runs through cmd/run, the ZenML resources' providers run in the
 * SDK's real dynamic-provider host, and the host's gRPC error message is what
 * the engine prints after `error:`. The store is an s3-compatible one with
 * existing credentials, so nothing but the ZenML registration is created; the
 * ZenML server is real (0.98, authentication on) or absent (a closed port).
 * Emulated: the engine's step generation (test/support/langhost/deployment.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LanghostEngine, type RunResult } from "../support/langhost/engine";
import { copyProject, type ProjectCopy } from "../support/langhost/projectCopy";
import { REPO_ROOT, startZenmlServer, type ZenmlServer } from "../support/services";

const NS = "zenml-remote-storage";

let zenml: ZenmlServer;
let copy: ProjectCopy;

/** One s3-compatible store with keys the user brings, registered in `serverUrl`. */
function writeStack(stack: string, serverUrl: string, apiKey: string): Record<string, string> {
  return copy.writeStack(
    stack,
    {
      [`${NS}:stores`]: [
        {
          name: "err-store",
          backend: "s3-compatible",
          credentials: "existing-credentials",
          endpoint: "http://127.0.0.1:9",
          allowHttp: true,
          bucket: { name: "err-bucket" },
        },
      ],
      [`${NS}:zenml`]: { serverUrl },
    },
    {
      [`${NS}:zenmlApiKey`]: apiKey,
      [`${NS}:storeSecrets.err-store.accessKeyId`]: "EXISTINGKEY0001",
      [`${NS}:storeSecrets.err-store.secretAccessKey`]: "existing-secret-0001",
    },
  );
}

function describeRun(run: RunResult): string {
  return `errors:\n${run.errors.join("\n---\n")}\nplugin output:\n${run.pluginOutput.slice(-2000)}`;
}

beforeAll(async () => {
  zenml = await startZenmlServer({ auth: true });
  copy = copyProject(REPO_ROOT);
});
afterAll(async () => {
  copy?.remove();
  await zenml?.stop();
});

describe("a ZenML provider's error reaches the user with its message", () => {
  it("a wrong API key: the error names the refused login", async () => {
    const plaintexts = writeStack("wrong-key", zenml.url, "ZENKEY_not-a-real-key-000");
    const engine = new LanghostEngine({ projectRoot: copy.root, stack: "wrong-key" });
    const run = await engine.up({ plaintexts });
    console.log(`wrong API key: first error: ${JSON.stringify(run.errors[0])}`);
    expect(run.ok, describeRun(run)).toBe(false);
    const failed = run.diagnostics.find(
      (d) => d.severity === "error" && d.urn.includes("err-store-zenml-secret"),
    );
    expect(failed, describeRun(run)).toBeDefined();
    expect(failed!.message).toMatch(/refused the login \(401\).*check the API key/);
    expect(failed!.message).not.toContain("ZENKEY_not-a-real-key-000");
    // The engine stopped: nothing after the failed resource was created.
    expect(
      run.steps.filter((s) => s.op === "create" && s.type.startsWith("pulumi-nodejs:")),
    ).toEqual([]);
  });

  it("an unreachable server: the error names the server and that it did not answer", async () => {
    const plaintexts = writeStack("no-server", "http://127.0.0.1:9", "ZENKEY_unused-0000000000");
    const engine = new LanghostEngine({ projectRoot: copy.root, stack: "no-server" });
    const run = await engine.up({ plaintexts });
    console.log(`unreachable server: first error: ${JSON.stringify(run.errors[0])}`);
    expect(run.ok, describeRun(run)).toBe(false);
    const failed = run.diagnostics.find(
      (d) => d.severity === "error" && d.urn.includes("err-store-zenml-secret"),
    );
    expect(failed, describeRun(run)).toBeDefined();
    expect(failed!.message).toMatch(/ZenML server http:\/\/127\.0\.0\.1:9 did not answer/);
  });
});
