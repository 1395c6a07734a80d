import type { InferredOptionTypes, Options } from "yargs";
import { STORE_FLAGS, type AnyStoreFlag } from "../config/backends";
import type { GlobalArgs } from "./commands/types";

/**
 * Every option of every command, as typed data: each command passes its own
 * to yargs' `.options()` (so its handler's arguments are typed from them), and
 * `ignoredEnvKeys` uses them to keep `ZRS_*` variables meant for other
 * commands (or other tools) from tripping strict parsing.
 */

export const ENV_PREFIX = "ZRS";

export const GLOBAL_OPTIONS = {
  json: {
    type: "boolean",
    describe: "Print the result as JSON on stdout (progress stays on stderr)",
  },
  debug: { type: "boolean", describe: "Print stack traces of unexpected errors", hidden: true },
} satisfies Record<string, Options>;

export const STACK_OPTIONS = {
  stack: {
    type: "string",
    describe: "Pulumi stack name; its config is stacks/Pulumi.<stack>.yaml (required)",
    demandOption: true,
  },
  "secrets-provider": {
    type: "string",
    describe:
      "Secrets provider for a new stack: passphrase (default; PULUMI_CONFIG_PASSPHRASE or _FILE) or a KMS URL (awskms://…, gcpkms://…, azurekeyvault://…, hashivault://…)",
  },
  "pulumi-root": {
    type: "string",
    describe:
      "Use the Pulumi CLI in DIR/bin (installing the pinned version there if missing) instead of PATH",
  },
  "pulumi-install-timeout": {
    type: "number",
    describe: "Seconds allowed for finding or installing the Pulumi CLI",
  },
} satisfies Record<string, Options>;

/** The yargs option a store flag of a backend descriptor becomes, typed from the flag. */
type StoreFlagOption<F extends AnyStoreFlag> = F extends { readonly keyValue: true }
  ? { type: "string"; array: true; describe: string }
  : F extends { readonly choices: infer C extends readonly string[] }
    ? { type: F["type"]; choices: C; describe: string }
    : { type: F["type"]; describe: string };

type StoreFlagOptions = { [F in AnyStoreFlag as F["flag"]]: StoreFlagOption<F> };

function storeFlagOption(f: AnyStoreFlag): Options {
  return {
    type: f.type,
    describe: f.describe,
    ...("keyValue" in f ? { array: true } : {}),
    ...("choices" in f ? { choices: f.choices } : {}),
  };
}

/** The descriptors' store flags, then the two that are no one store key. */
export const STORE_OPTIONS = {
  ...(Object.fromEntries(STORE_FLAGS.map((f) => [f.flag, storeFlagOption(f)])) as StoreFlagOptions),
  "store-option": {
    type: "string",
    array: true,
    describe:
      "KEY=VALUE for any other store key, dotted for nested ones, VALUE read as YAML (repeatable), e.g. project=my-gcp-project",
  },
  "zenml-server": { type: "string", describe: "ZenML server URL to register in (zenml.serverUrl)" },
} satisfies Record<string, Options>;

export const VERIFY_OPTIONS = {
  "verify-timeout": {
    type: "number",
    describe: "Seconds to keep retrying verification while IAM changes propagate (default 120)",
  },
  "endpoint-url": {
    type: "string",
    describe: "Storage endpoint override for verification (S3-compatible servers, emulators)",
  },
} satisfies Record<string, Options>;

/** For the commands that change the cloud and ask first. */
const CONFIRM_OPTIONS = {
  yes: {
    type: "boolean",
    alias: "y",
    describe: "Do not ask for confirmation (required without a terminal)",
  },
} satisfies Record<string, Options>;

export const COMMAND_OPTIONS = {
  provision: {
    ...STACK_OPTIONS,
    ...STORE_OPTIONS,
    ...VERIFY_OPTIONS,
    ...CONFIRM_OPTIONS,
    verify: {
      type: "boolean",
      default: true,
      describe: "Verify the stores afterwards (--no-verify to skip)",
    },
  },
  preview: { ...STACK_OPTIONS, ...STORE_OPTIONS },
  init: {
    ...STORE_OPTIONS,
    stack: {
      type: "string",
      describe: "Pulumi stack name; writes stacks/Pulumi.<stack>.yaml (required)",
      demandOption: true,
    },
    "passphrase-file": {
      type: "string",
      describe:
        "Create the passphrase here (default: PULUMI_CONFIG_PASSPHRASE_FILE, else ~/.pulumi/zenml-remote-storage/<stack>.passphrase)",
    },
  },
  plan: {
    ...STORE_OPTIONS,
    offline: {
      type: "boolean",
      describe: "Evaluate the program with Pulumi's mock runtime (required)",
    },
    stack: { type: "string", describe: "Plan from stacks/Pulumi.<stack>.yaml" },
    config: { type: "string", describe: "Plan from this stack config file instead" },
    emit: {
      type: "string",
      describe:
        "Also write DIR/<stack>.zenml.yaml and DIR/<stack>.register.sh (the zenml CLI script; secrets from env vars)",
    },
  },
  outputs: {
    ...STACK_OPTIONS,
    "show-secrets": { type: "boolean", describe: "Show secret outputs instead of [secret]" },
  },
  register: {
    ...STACK_OPTIONS,
    server: {
      type: "string",
      describe: "ZenML server URL (default: zenml.serverUrl of the stack config)",
    },
  },
  verify: {
    ...STACK_OPTIONS,
    ...VERIFY_OPTIONS,
    server: {
      type: "string",
      describe: "ZenML server to ask (default: configured, else where register applied it)",
    },
    zenml: {
      type: "boolean",
      default: true,
      describe: "Ask the ZenML server to verify the connectors (--no-zenml to skip)",
    },
    baseline: {
      type: "boolean",
      describe:
        "Also audit each live bucket's settings against the hardening baseline, with your own cloud credentials (exit 3 on any deviation)",
    },
  },
  rotate: {
    ...STACK_OPTIONS,
    ...VERIFY_OPTIONS,
    store: {
      type: "string",
      describe:
        "Rotate only this store's credential (default: every store whose credential this project mints)",
    },
    ...CONFIRM_OPTIONS,
  },
  destroy: {
    ...STACK_OPTIONS,
    ...CONFIRM_OPTIONS,
    "force-destroy": {
      type: "boolean",
      describe: "Delete buckets that still hold objects, with their objects",
    },
    zenml: {
      type: "boolean",
      default: true,
      describe: "Remove ZenML registrations first (--no-zenml to leave them)",
    },
    server: { type: "string", describe: "Also remove the registration from this ZenML server" },
    "endpoint-url": VERIFY_OPTIONS["endpoint-url"],
  },
} satisfies Record<string, Record<string, Options>>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

/** A command's arguments as its builder types them: the global options and its own. */
export type CommandArgs<C extends CommandName> = GlobalArgs &
  InferredOptionTypes<(typeof COMMAND_OPTIONS)[C]>;

/** The options of `command` when it names one, for code that reads them as plain data. */
export function commandOptions(command: string): Readonly<Record<string, Options>> | undefined {
  const all: Readonly<Record<string, Readonly<Record<string, Options>>>> = COMMAND_OPTIONS;
  return Object.hasOwn(all, command) ? all[command] : undefined;
}

/** yargs-parser's camelCase, for names derived from environment variables. */
export function envCamelCase(key: string): string {
  let str = key;
  if (str === str.toUpperCase() || str === str.toLowerCase()) str = str.toLowerCase();
  let out = "";
  let upper = false;
  for (let i = 0; i < str.length; i++) {
    let chr = str.charAt(i);
    if (upper) {
      upper = false;
      chr = chr.toUpperCase();
    }
    if (i !== 0 && (chr === "-" || chr === "_")) upper = true;
    else if (chr !== "-" && chr !== "_") out += chr;
  }
  return out;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `ZRS_*` variables that are no option of `command` (or of every command),
 * as the argv keys yargs would make of them. Passed to yargs as parse context,
 * they are not "unknown arguments" and their values are dropped: a variable
 * meant for another command, or for the generated registration script
 * (`ZRS_<STORE>_<FIELD>`), never breaks this one.
 */
export function ignoredEnvKeys(
  env: Readonly<Record<string, string | undefined>>,
  command: string | undefined,
): string[] {
  const own = (command ? commandOptions(command) : undefined) ?? {};
  const known = new Set(Object.keys({ ...GLOBAL_OPTIONS, ...own }).map(camel));
  for (const opt of Object.values(own)) {
    const alias = opt.alias;
    for (const a of Array.isArray(alias) ? alias : alias ? [alias] : []) known.add(camel(a));
  }
  return Object.keys(env)
    .filter((k) => k.startsWith(`${ENV_PREFIX}_`) && !k.includes("__"))
    .map((k) => envCamelCase(k.slice(ENV_PREFIX.length)))
    .filter((k) => k !== "" && !known.has(k));
}
