import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommonArgs, Deps, Outcome } from "../context";
import { EXIT, UsageError } from "../errors";
import { checkStackName, rel, stackConfigPath } from "../project";
import { stringify } from "yaml";
import { writeFileAtomic } from "../atomicWrite";
import { STORES_KEY, ZENML_KEY } from "../stackConfigFile";
import {
  applyStoreFlags,
  providerConfigOf,
  validateDeployment,
  type StoreFlags,
} from "../storeFlags";

export interface InitArgs extends CommonArgs, StoreFlags {
  readonly stack?: string;
  /** Where to create the passphrase file; default PULUMI_CONFIG_PASSPHRASE_FILE, else under ~/.pulumi. */
  readonly passphraseFile?: string;
}

export interface InitData {
  readonly stack: string;
  readonly configFile: string;
  /** The passphrase file, when the passphrase comes from one. */
  readonly passphraseFile?: string;
  /** False when the file was already there (it is never overwritten). */
  readonly passphraseCreated: boolean;
}

/** Where init puts the passphrase file when neither a flag nor the environment names one. */
export function defaultPassphraseFile(env: Deps["env"], stack: string): string {
  return path.join(
    env.HOME ?? os.homedir(),
    ".pulumi",
    "zenml-remote-storage",
    `${stack}.passphrase`,
  );
}

/** Creates a file holding a new random passphrase: 0600, its directory 0700, never overwriting. */
function createPassphraseFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, "wx", 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${randomBytes(32).toString("base64url")}\n`);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw err;
  }
  fs.closeSync(fd);
}

/**
 * init: a first stack without hand-editing YAML. Writes stacks/Pulumi.<stack>.yaml
 * for one new store described by the store flags (validated by the program's
 * own parser first) and creates a passphrase file with a random passphrase
 * (mode 0600, never printed), unless PULUMI_CONFIG_PASSPHRASE is set. Refuses to
 * touch an existing stack config; keeps an existing passphrase file.
 */
export async function init(args: InitArgs, deps: Deps): Promise<Outcome<InitData>> {
  const stack = checkStackName(args.stack);
  const configPath = stackConfigPath(deps.projectRoot, stack);
  const source = rel(deps, configPath);
  if (fs.existsSync(configPath)) {
    throw new UsageError(
      "--stack",
      `${source} already exists; edit it, or change it with provision's store flags`,
    );
  }
  if (args.backend === undefined) {
    throw new UsageError("--backend", "is required: init describes one new store with flags");
  }
  const flagged = applyStoreFlags({ stores: undefined, zenml: undefined }, args);
  validateDeployment(flagged, providerConfigOf({}), "store flags");

  const fromEnv = deps.env.PULUMI_CONFIG_PASSPHRASE;
  const passphraseFile =
    args.passphraseFile !== undefined
      ? path.resolve(args.passphraseFile)
      : fromEnv !== undefined && fromEnv !== ""
        ? undefined
        : (deps.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? defaultPassphraseFile(deps.env, stack));
  if (passphraseFile !== undefined && fs.existsSync(passphraseFile)) {
    const st = fs.statSync(passphraseFile);
    if (!st.isFile() || st.size === 0) {
      throw new UsageError(
        "--passphrase-file",
        `${passphraseFile} exists and is not a non-empty file`,
      );
    }
    if ((st.mode & 0o077) !== 0) {
      throw new UsageError(
        "--passphrase-file",
        `${passphraseFile} can be read by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
  }
  const created = passphraseFile !== undefined && !fs.existsSync(passphraseFile);
  if (created) createPassphraseFile(passphraseFile);
  try {
    const config = {
      [STORES_KEY]: flagged.raw.stores,
      ...(flagged.raw.zenml !== undefined ? { [ZENML_KEY]: flagged.raw.zenml } : {}),
    };
    writeFileAtomic(
      configPath,
      `# Written by \`zenml-remote-storage init\`. Every option: the examples in stacks/Pulumi.*-dev.yaml.\n` +
        stringify({ config }),
    );
  } catch (err) {
    // Nothing half-written: a passphrase without its stack config goes too.
    if (created) fs.rmSync(passphraseFile, { force: true });
    throw err;
  }

  const lines = [
    `Wrote ${source} (${flagged.flags.join(" ")}).`,
    passphraseFile === undefined
      ? "The passphrase comes from PULUMI_CONFIG_PASSPHRASE."
      : created
        ? `Created ${passphraseFile}: a random passphrase (mode 0600, never printed). Keep it: without it the stack's secrets cannot be decrypted.`
        : `Kept the existing passphrase file ${passphraseFile}.`,
    "Next:",
    ...(passphraseFile !== undefined && deps.env.PULUMI_CONFIG_PASSPHRASE_FILE !== passphraseFile
      ? [`  export PULUMI_CONFIG_PASSPHRASE_FILE=${passphraseFile}`]
      : []),
    `  zenml-remote-storage plan --offline --stack ${stack}`,
    `  zenml-remote-storage provision --stack ${stack}`,
  ];
  return {
    data: { stack, configFile: source, passphraseFile, passphraseCreated: created },
    text: lines.join("\n"),
    exitCode: EXIT.ok,
  };
}
