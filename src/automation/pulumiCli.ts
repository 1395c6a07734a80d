import * as os from "node:os";
import * as path from "node:path";
import { OperationError } from "./errors";

/** The Pulumi CLI version installed when none is found (the SDK's own version). */
export const PULUMI_CLI_VERSION = "3.270.0";

/** Default bound on finding-or-installing the CLI. */
export const DEFAULT_INSTALL_TIMEOUT_MS = 120_000;

export interface PulumiCliOptions {
  /** A directory holding (or to receive) `bin/pulumi`; undefined means PATH first. */
  readonly root?: string;
  readonly version?: string;
  /** Bound on the whole find-or-install, in milliseconds. */
  readonly timeoutMs?: number;
}

/** The two SDK entry points used, so tests can fake them (`PulumiCommand.get/install`). */
export interface PulumiInstaller<T> {
  get(opts?: { root?: string }): Promise<T>;
  install(opts: { root: string; version: string }): Promise<T>;
}

/** The SDK's installer, loaded only when called. */
export async function sdkInstaller(): Promise<
  PulumiInstaller<import("@pulumi/pulumi/automation").PulumiCommand>
> {
  const { PulumiCommand } = await import("@pulumi/pulumi/automation");
  // The SDK's own semver (a dependency of @pulumi/pulumi) builds the version it expects.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const semver = require(require.resolve("semver", { paths: [require.resolve("@pulumi/pulumi")] }));
  return {
    get: (opts) => PulumiCommand.get(opts),
    install: (opts) =>
      PulumiCommand.install({ root: opts.root, version: new semver.SemVer(opts.version) }),
  };
}

/** Where the pinned CLI is installed by default (the SDK's own default). */
export function defaultInstallRoot(version: string): string {
  return path.join(os.homedir(), ".pulumi", "versions", version);
}

/**
 * Finds the Pulumi CLI: on PATH, or in `root`; otherwise installs the pinned
 * version there with the SDK's installer. Bounded by `timeoutMs`; a failure is
 * one line saying what to do.
 */
export async function resolvePulumiCommand<T>(
  opts: PulumiCliOptions,
  installer: PulumiInstaller<T>,
  log: (line: string) => void = () => undefined,
): Promise<T> {
  const version = opts.version ?? PULUMI_CLI_VERSION;
  const root = opts.root ?? defaultInstallRoot(version);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
  const where = opts.root === undefined ? "on PATH" : `in ${root}`;
  const attempt = async (): Promise<T> => {
    if (opts.root === undefined) {
      try {
        return await installer.get();
      } catch {
        // not on PATH: fall through to the pinned install
      }
    }
    try {
      return await installer.get({ root });
    } catch {
      // not installed there yet
    }
    log(`Pulumi CLI not found ${where}; installing ${version} into ${root} …`);
    return installer.install({ root, version });
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([attempt(), timeout]);
  } catch (err) {
    const reason = ((err as Error).message ?? String(err)).split("\n")[0];
    throw new OperationError(
      `the Pulumi CLI was not found ${where} and Pulumi ${version} could not be installed into ${root}: ${reason}. ` +
        "Install it (https://www.pulumi.com/docs/install/) and put it on PATH, or pass --pulumi-root DIR with DIR/bin/pulumi",
    );
  } finally {
    clearTimeout(timer);
  }
}
