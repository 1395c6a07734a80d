// The CLI wiring through the REAL yargs parser, in process, with FAKE dependencies
// (Pulumi workspace, ZenML server, storage verifier).
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli";
import { fakes } from "../automation/support/fakes";

const PASS = { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" };

describe("zenml-remote-storage (in process, fake dependencies)", () => {
  it("runs provision with options from the ZRS_ environment, ignoring unrelated ZRS_ variables", async () => {
    const env = {
      ...PASS,
      ZRS_STACK: "aws-dev",
      ZRS_YES: "true",
      ZRS_VERIFY: "false",
      ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY: "from-the-register-script",
      ZRS_SHOW_SECRETS: "true",
    };
    const f = fakes({ env });
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const code = await main(["provision"], { io: f.io, deps: () => f.deps, env });
      expect(f.io.stderr.filter((l) => l.startsWith("error"))).toEqual([]);
      expect(code).toBe(0);
      expect(f.workspace.calls.slice(0, 4)).toEqual([
        "open",
        "createOrSelect aws-dev",
        "preview",
        "up",
      ]);
      expect(f.storage.probes).toEqual([]);
    } finally {
      for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    }
  });

  it("prints JSON results with --json and text otherwise; credentials masked", async () => {
    const f = fakes({ env: PASS });
    expect(
      await main(["provision", "--stack", "aws-dev", "--yes", "--no-verify"], {
        io: f.io,
        deps: () => f.deps,
      }),
    ).toBe(0);
    f.io.stdout.length = 0;
    expect(
      await main(["outputs", "--stack", "aws-dev", "--json"], { io: f.io, deps: () => f.deps }),
    ).toBe(0);
    const out = JSON.parse(f.io.stdout[0]);
    expect(out).toMatchObject({
      ok: true,
      exitCode: 0,
      result: { stack: "aws-dev", secret: ["credentials"] },
    });
    expect(out.result.outputs.credentials["s3-store"].aws_secret_access_key).toBe("[secret]");
    f.io.stdout.length = 0;
    expect(await main(["outputs", "--stack", "aws-dev"], { io: f.io, deps: () => f.deps })).toBe(0);
    expect(f.io.stdout[0]).toMatch(/aws_secret_access_key: ["']\[secret\]["']/);
    expect(f.io.stdout[0]).not.toContain("fake-secret");
  });

  it("exits 3 when verification fails", async () => {
    const f = fakes({ env: PASS });
    f.storage.failures = Infinity;
    const code = await main(["provision", "--stack", "aws-dev", "--yes", "--verify-timeout", "5"], {
      io: f.io,
      deps: () => f.deps,
    });
    expect(code).toBe(3);
    expect(f.io.stdout[0]).toContain("Verification: FAILED");
  });

  it("an operation failure is one line and exit 1; --debug adds the stack", async () => {
    const f = fakes({ env: PASS });
    f.workspace.failOn = "preview";
    expect(
      await main(["provision", "--stack", "aws-dev", "--yes"], { io: f.io, deps: () => f.deps }),
    ).toBe(1);
    expect(f.io.stderr.slice(-2)).toEqual([
      "error: preview failed",
      "(unexpected error; run with --debug for the stack trace)",
    ]);
    f.io.stderr.length = 0;
    await main(["provision", "--stack", "aws-dev", "--yes", "--debug"], {
      io: f.io,
      deps: () => f.deps,
    });
    expect(f.io.stderr.some((l) => l.includes("at "))).toBe(true);
  });

  it.each(["plan", "provision", "preview", "outputs", "register", "verify", "destroy"])(
    "%s --help shows examples and the options, runs nothing",
    async (command) => {
      const f = fakes({ env: PASS });
      expect(await main([command, "--help"], { io: f.io, deps: () => f.deps })).toBe(0);
      expect(f.io.stdout[0]).toContain("Examples:");
      expect(f.io.stdout[0]).toContain("--json");
      expect(f.workspace.calls).toEqual([]);
    },
  );

  it("--help documents exit codes and the environment prefix", async () => {
    const f = fakes({ env: PASS });
    expect(await main(["--help"], { io: f.io, deps: () => f.deps })).toBe(0);
    expect(f.io.stdout[0]).toContain(
      "Exit codes: 0 ok; 1 the operation failed; 2 bad or conflicting flags",
    );
    expect(f.io.stdout[0]).toContain("ZRS_BUCKET_NAME");
    expect(await main(["--version"], { io: f.io, deps: () => f.deps })).toBe(0);
    expect(f.io.stdout[1]).toMatch(/^\d+\.\d+\.\d+/);
  });
});
