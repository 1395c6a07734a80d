import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "./errors";
import { LOCAL_STATE_DIR } from "./project";

/** Where Pulumi keeps state and how it encrypts secrets, for one run of the script. */
export interface PulumiEnvironment {
  /** The state backend, e.g. `file:///…/.pulumi-state`. */
  readonly backendUrl: string;
  /** The embedded local state directory to create before use, when it is the backend. */
  readonly localStateDir?: string;
  /** `passphrase` or a KMS URL; undefined keeps the existing stack's provider. */
  readonly secretsProvider?: string;
  /** Variables given to every Pulumi command (the rest of the environment is inherited). */
  readonly envVars: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

const KMS_URL = /^(awskms|gcpkms|azurekeyvault|hashivault):\/\/\S+$/;

/** The state backend: `PULUMI_BACKEND_URL`, else the local file backend under the project. */
export function resolveBackend(
  projectRoot: string,
  env: Env,
): { backendUrl: string; localStateDir?: string } {
  const fromEnv = env.PULUMI_BACKEND_URL;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { backendUrl: fromEnv.trim() };
  const dir = path.join(projectRoot, LOCAL_STATE_DIR);
  return { backendUrl: `file://${dir}`, localStateDir: dir };
}

/** Checks a `--secrets-provider` value. */
export function checkSecretsProvider(value: string, backendUrl: string): string {
  if (value === "passphrase" || KMS_URL.test(value)) return value;
  if (value === "default") {
    if (/^https?:\/\//.test(backendUrl)) return value;
    throw new UsageError(
      "--secrets-provider",
      `"default" is Pulumi Cloud's provider and needs a Pulumi Cloud backend; use passphrase or a KMS URL with ${backendUrl}`,
    );
  }
  throw new UsageError(
    "--secrets-provider",
    `"${value}" must be passphrase or a KMS URL (awskms://…, gcpkms://…, azurekeyvault://…, hashivault://…)`,
  );
}

/** Checks that a passphrase is available from the environment; never reads it into a flag. */
export function checkPassphrase(env: Env): void {
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  const passphrase = env.PULUMI_CONFIG_PASSPHRASE;
  if (passphrase !== undefined) {
    if (passphrase === "") {
      throw new UsageError(
        "PULUMI_CONFIG_PASSPHRASE",
        "is empty; an empty passphrase does not protect the credentials in the stack config",
      );
    }
    return;
  }
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (text.trim() === "") {
      throw new UsageError("PULUMI_CONFIG_PASSPHRASE_FILE", `${file} is empty`);
    }
    return;
  }
  throw new UsageError(
    "PULUMI_CONFIG_PASSPHRASE",
    "is not set: the passphrase secrets provider encrypts the credentials in the stack config; set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or pass --secrets-provider with a KMS URL",
  );
}

/**
 * Decides backend and secrets provider before anything is written. `recorded`
 * is what the stack's config file says (`secretsprovider:` / `encryptionsalt:`)
 * when the stack already exists.
 */
export function resolvePulumiEnvironment(args: {
  projectRoot: string;
  env: Env;
  secretsProviderFlag?: string;
  recorded?: { secretsProvider?: string; passphrase: boolean };
}): PulumiEnvironment {
  const { backendUrl, localStateDir } = resolveBackend(args.projectRoot, args.env);
  const flag =
    args.secretsProviderFlag !== undefined
      ? checkSecretsProvider(args.secretsProviderFlag, backendUrl)
      : undefined;
  const recordedProvider =
    args.recorded?.secretsProvider ?? (args.recorded?.passphrase ? "passphrase" : undefined);
  if (
    flag !== undefined &&
    recordedProvider !== undefined &&
    !sameProvider(flag, recordedProvider)
  ) {
    throw new UsageError(
      "--secrets-provider",
      `the stack already uses ${recordedProvider}; change it with \`pulumi stack change-secrets-provider\` first`,
    );
  }
  const effective = flag ?? recordedProvider ?? "passphrase";
  if (effective === "passphrase") checkPassphrase(args.env);
  return {
    backendUrl,
    localStateDir,
    secretsProvider: flag ?? (recordedProvider === undefined ? "passphrase" : undefined),
    envVars: { PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" },
  };
}

function sameProvider(a: string, b: string): boolean {
  // Pulumi records KMS URLs with query parameters it adds itself; compare without them.
  return a.split("?")[0] === b.split("?")[0];
}
