import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { OperationError } from "../../../src/automation/errors";
import {
  PULUMI_CLI_VERSION,
  resolvePulumiCommand,
  sdkInstaller,
  type PulumiInstaller,
} from "../../../src/automation/pulumiCli";

/** FAKE installer: which roots have a CLI, and what install does. */
function installer(
  have: (root?: string) => boolean,
  install: () => Promise<string>,
): PulumiInstaller<string> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: async (opts) => {
      calls.push(`get ${opts?.root ?? "PATH"}`);
      if (!have(opts?.root)) throw new Error("not found");
      return `pulumi@${opts?.root ?? "PATH"}`;
    },
    install: async (opts) => {
      calls.push(`install ${opts.version} ${opts.root}`);
      return install();
    },
  };
}

describe("resolvePulumiCommand (fake installer)", () => {
  it("uses the CLI on PATH first", async () => {
    const i = installer(
      (r) => r === undefined,
      async () => "x",
    );
    expect(await resolvePulumiCommand({}, i)).toBe("pulumi@PATH");
    expect(i.calls).toEqual(["get PATH"]);
  });

  it("then an earlier install of the pinned version, then installs it", async () => {
    const i = installer(
      () => false,
      async () => "installed",
    );
    const log: string[] = [];
    expect(await resolvePulumiCommand({ root: "/opt/p" }, i, (l) => log.push(l))).toBe("installed");
    expect(i.calls).toEqual(["get /opt/p", `install ${PULUMI_CLI_VERSION} /opt/p`]);
    expect(log).toEqual([
      `Pulumi CLI not found in /opt/p; installing ${PULUMI_CLI_VERSION} into /opt/p …`,
    ]);
  });

  it("fails with one line saying what to do when the download fails", async () => {
    const i = installer(
      () => false,
      async () => {
        throw new Error("Failed to download https://get.pulumi.com/install.sh: fetch failed\nmore");
      },
    );
    const err = await resolvePulumiCommand({ root: "/opt/p" }, i).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toBe(
      `the Pulumi CLI was not found in /opt/p and Pulumi ${PULUMI_CLI_VERSION} could not be installed into /opt/p: Failed to download https://get.pulumi.com/install.sh: fetch failed. Install it (https://www.pulumi.com/docs/install/) and put it on PATH, or pass --pulumi-root DIR with DIR/bin/pulumi`,
    );
  });

  it("never hangs: a stalled install fails at the time bound", async () => {
    const i = installer(
      () => false,
      () => new Promise<string>(() => undefined),
    );
    const started = Date.now();
    await expect(resolvePulumiCommand({ root: "/opt/p", timeoutMs: 200 }, i)).rejects.toThrow(
      /timed out after 0 s/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("resolvePulumiCommand (REAL SDK installer, empty root, no internet here)", () => {
  it("fails fast with a clear message and installs nothing", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-pulumi-root-"));
    const started = Date.now();
    const err = await resolvePulumiCommand({ root, timeoutMs: 20_000 }, await sdkInstaller()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^the Pulumi CLI was not found in ${root} and Pulumi ${PULUMI_CLI_VERSION} could not be installed into ${root}: `,
      ),
    );
    expect((err as Error).message).not.toContain("\n");
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(fs.existsSync(path.join(root, "bin", "pulumi"))).toBe(false);
  }, 30_000);
});
