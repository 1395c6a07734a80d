import { usesSecret, type AnyStoreDocuments, type SecretStoreDocuments } from "./documents";

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The environment variable the script reads one secret field from, e.g. `ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY`. */
export function secretEnvName(storeName: string, field: string): string {
  return `ZRS_${storeName}_${field}`.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

function configArgs(config: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(config)
    .sort()
    .map((key) => {
      const value = config[key];
      return shellQuote(`--${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
    });
}

/** What a store needs on the machine that runs the script: a Python module and how to install it. */
export interface Prerequisite {
  /** The module ZenML imports, checked with the Python interpreter that runs `zenml`. */
  readonly module: string;
  /** Who needs it, e.g. `the s3 artifact store s3-store`. */
  readonly neededBy: string;
  /** How to install it. */
  readonly install: string;
}

/**
 * The Python packages ZenML 0.98 needs per artifact-store flavor (the
 * filesystem it reads and writes with) and per service-connector type (ZenML
 * only registers a connector type whose module imports: see
 * `service_connector_registry.register_builtin_service_connectors`). The pip
 * extras are ZenML's own (`zenml[s3fs]`, `zenml[connectors-aws]`, …).
 */
const FLAVOR_PACKAGES: Readonly<
  Record<string, { module: string; extra: string; integration: string }>
> = {
  s3: { module: "s3fs", extra: "s3fs", integration: "s3" },
  gcp: { module: "gcsfs", extra: "gcsfs", integration: "gcp" },
  azure: { module: "adlfs", extra: "adlfs", integration: "azure" },
};
const CONNECTOR_MODULES: Readonly<Record<string, string>> = {
  aws: "zenml.integrations.aws.service_connectors.aws_service_connector",
  gcp: "zenml.integrations.gcp.service_connectors.gcp_service_connector",
  azure: "zenml.integrations.azure.service_connectors.azure_service_connector",
};

/** The prerequisites of the stores, one per module (the first store needing it is named). */
export function prerequisites(stores: readonly AnyStoreDocuments[]): Prerequisite[] {
  const out = new Map<string, Prerequisite>();
  const add = (p: Prerequisite): void => {
    if (!out.has(p.module)) out.set(p.module, p);
  };
  for (const docs of stores) {
    const { flavor, name } = docs.artifactStore;
    const fs = FLAVOR_PACKAGES[flavor];
    if (fs !== undefined) {
      add({
        module: fs.module,
        neededBy: `the ${flavor} artifact store ${name}`,
        install: `pip install "zenml[${fs.extra}]" (or: zenml integration install ${fs.integration})`,
      });
    }
    if (usesSecret(docs)) continue;
    const type = docs.connector.connector_type;
    const module = CONNECTOR_MODULES[type];
    if (module !== undefined) {
      add({
        module,
        neededBy: `the ${type} service connector ${docs.connector.name}`,
        install: `pip install "zenml[connectors-${type}]"`,
      });
    }
  }
  return [...out.values()];
}

/** Exit codes of the script, besides zenml's own. */
export const SCRIPT_EXIT = { usage: 2, prerequisite: 3, secret: 4 } as const;

// Python run by the interpreter of `zenml` itself: which modules do not import.
const CHECK_MODULES = `import importlib, sys
bad = 0
for arg in sys.argv[1:]:
    module, message = arg.split("|", 1)
    try:
        importlib.import_module(module)
    except Exception as err:
        bad = 1
        print(f"error: python module {module}: missing ({type(err).__name__}), needed by {message}", file=sys.stderr)
sys.exit(bad)`;

// Whether the client is connected and logged in to a ZenML server (not the local SQLite store).
const CHECK_SERVER = `import sys
from zenml.config.global_config import GlobalConfiguration
from zenml.enums import StoreType
config = GlobalConfiguration().store_configuration
if config.type != StoreType.REST:
    print("error: zenml: not connected to a ZenML server; run zenml login <server-url> (or set ZENML_STORE_URL and ZENML_STORE_API_KEY)", file=sys.stderr)
    sys.exit(1)
try:
    from zenml.client import Client
    Client().zen_store.get_store_info()
except Exception as err:
    first = (str(err).splitlines() or [""])[0][:200]
    print(f"error: zenml: cannot use the ZenML server {config.url} ({type(err).__name__}: {first}); log in with zenml login {config.url}", file=sys.stderr)
    sys.exit(1)`;

/**
 * A bash script that registers the stores with the `zenml` CLI:
 * `bash register.sh [--set] [--no-verify]`. It first checks, before anything
 * is registered: `zenml` on PATH, the Python packages each store's flavor and
 * connector need (imported by the interpreter that runs `zenml`), a client
 * logged in to a ZenML server, and every secret environment variable. Secret
 * fields never appear in it: it reads each from an environment variable into a
 * 0600 file and hands zenml the file with `--field=@file`, so no secret reaches
 * a command line, the process list or shell history. `--no-verify` registers
 * and links connectors without verification, for servers that cannot reach
 * the cloud at registration time (`verify: false` makes that the default);
 * `--set` activates the stack (the last one, with several stores).
 */
export function renderCliScript(
  stores: readonly AnyStoreDocuments[],
  options: { readonly verify?: boolean; readonly header?: readonly string[] } = {},
): string {
  const secretVars = stores.flatMap((docs) =>
    Object.keys(usesSecret(docs) ? docs.secret.values : docs.connector.secrets)
      .sort()
      .map((field) => secretEnvName(docs.artifactStore.name, field)),
  );
  const prereqs = prerequisites(stores);
  const lines = [
    "#!/usr/bin/env bash",
    "# Registers ZenML artifact stores provisioned by zenml-remote-storage.",
    ...(options.header ?? []).map((l) => `# ${l}`),
    "# Usage: bash <this file> [--set] [--no-verify]",
    "#   --set        activate the stack afterwards (zenml stack set)",
    "#   --no-verify  register and link connectors without verifying them",
    "# Secrets come from these environment variables, never from arguments:",
    ...(secretVars.length > 0 ? secretVars.map((v) => `#   ${v}`) : ["#   (none)"]),
    `# Exit codes: ${SCRIPT_EXIT.usage} bad argument, ${SCRIPT_EXIT.prerequisite} missing prerequisite, ${SCRIPT_EXIT.secret} missing secret; zenml's own otherwise.`,
    "set -euo pipefail",
    "umask 077",
    `no_verify=${options.verify === false ? "--no-verify" : '""'}`,
    "activate=0",
    'for arg in "$@"; do',
    '  case "$arg" in',
    "    --set) activate=1 ;;",
    "    --no-verify) no_verify=--no-verify ;;",
    `    *) echo "error: $arg: unknown argument; use --set and/or --no-verify" >&2; exit ${SCRIPT_EXIT.usage} ;;`,
    "  esac",
    "done",
    "",
    "# Prerequisites, checked before anything is registered.",
    'zenml_bin="$(command -v zenml || true)"',
    'if [ -z "$zenml_bin" ]; then',
    `  echo "error: zenml: not on PATH; install it (pip install zenml) or activate its virtualenv" >&2; exit ${SCRIPT_EXIT.prerequisite}`,
    "fi",
    "# The Python that runs zenml (its shebang), unless ZENML_PYTHON names one.",
    'if [ -n "${ZENML_PYTHON:-}" ]; then python=("$ZENML_PYTHON")',
    "else",
    '  shebang="$(head -n 1 "$zenml_bin")"',
    '  case "$shebang" in',
    "    '#!'*python*) read -r -a python <<< \"${shebang#\\#!}\" ;;",
    '    *) python=("$(dirname "$zenml_bin")/python") ;;',
    "  esac",
    "fi",
    "check_python() {",
    "  local out",
    '  if out="$(PYTHONWARNINGS=ignore "${python[@]}" -c "$@" 2>&1 >/dev/null)"; then return 0; fi',
    "  printf '%s\\n' \"$out\" | grep '^error: ' >&2 ||",
    '    echo "error: ${python[0]}: cannot run the Python of zenml ($(printf \'%s\' "$out" | tail -n 1)); set ZENML_PYTHON" >&2',
    "  return 1",
    "}",
    `if ! check_python ${shellQuote(CHECK_MODULES)} \\`,
    ...prereqs.map(
      (p) => `  ${shellQuote(`${p.module}|${p.neededBy}; install it with: ${p.install}`)} \\`,
    ),
    `  ; then exit ${SCRIPT_EXIT.prerequisite}; fi`,
    `if ! check_python ${shellQuote(CHECK_SERVER)}; then exit ${SCRIPT_EXIT.prerequisite}; fi`,
    'secrets_dir="$(mktemp -d)"',
    "trap 'rm -rf \"$secrets_dir\"' EXIT",
    "write_secret() {",
    `  if [ -z "\${!1:-}" ]; then echo "error: $1: set this environment variable (the secret is never an argument)" >&2; exit ${SCRIPT_EXIT.secret}; fi`,
    '  printf \'%s\' "${!1}" > "$secrets_dir/$1"',
    "}",
    ...secretVars.map((v) => `write_secret ${v}`),
  ];
  for (const docs of stores) {
    if (usesSecret(docs)) {
      lines.push(...secretStoreLines(docs));
      continue;
    }
    const { connector, artifactStore, stack } = docs;
    const fields = Object.keys(connector.secrets).sort();
    lines.push(
      "",
      `# Store ${artifactStore.name}`,
      [
        "zenml service-connector register",
        shellQuote(connector.name),
        `--type ${shellQuote(connector.connector_type)}`,
        `--auth-method ${shellQuote(connector.auth_method)}`,
        ...connector.resource_types.map((t) => `--resource-type ${shellQuote(t)}`),
        `--resource-id ${shellQuote(connector.resource_id)}`,
        ...Object.entries(connector.labels).map(([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`),
        ...configArgs(connector.configuration),
        ...fields.map(
          (field) => `"--${field}=@$secrets_dir/${secretEnvName(artifactStore.name, field)}"`,
        ),
        "$no_verify",
      ].join(" \\\n  "),
      [
        "zenml artifact-store register",
        shellQuote(artifactStore.name),
        `--flavor ${shellQuote(artifactStore.flavor)}`,
        ...Object.entries(artifactStore.labels).map(
          ([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`,
        ),
        ...configArgs(artifactStore.configuration),
      ].join(" \\\n  "),
      // What `artifact-store register --connector` does, with the choice to skip verification.
      [
        "zenml artifact-store connect",
        shellQuote(artifactStore.name),
        `--connector ${shellQuote(connector.name)}`,
        `--resource-id ${shellQuote(artifactStore.connector_resource_id)}`,
        "$no_verify",
      ].join(" \\\n  "),
      stackRegisterLine(stack),
    );
  }
  const last = stores.at(-1);
  if (last !== undefined) {
    lines.push(
      "",
      'if [ "$activate" = 1 ]; then',
      `  zenml stack set ${shellQuote(last.stack.name)}`,
      "fi",
    );
  }
  return lines.join("\n") + "\n";
}

function stackRegisterLine(stack: AnyStoreDocuments["stack"]): string {
  return [
    "zenml stack register",
    shellQuote(stack.name),
    `--artifact-store ${shellQuote(stack.components.artifact_store)}`,
    `--orchestrator ${shellQuote(stack.components.orchestrator)}`,
  ].join(" \\\n  ");
}

/**
 * A store that authenticates through a ZenML secret (Azure SAS, S3-compatible):
 * the secret, created from files like the connector secrets, then the artifact
 * store that names it and the stack. There is no connector to verify.
 */
function secretStoreLines({ secret, artifactStore, stack }: SecretStoreDocuments): string[] {
  const fields = Object.keys(secret.values).sort();
  return [
    "",
    `# Store ${artifactStore.name} (ZenML secret ${secret.name}, no service connector)`,
    [
      "zenml secret create",
      shellQuote(secret.name),
      ...fields.map(
        (field) => `"--${field}=@$secrets_dir/${secretEnvName(artifactStore.name, field)}"`,
      ),
    ].join(" \\\n  "),
    [
      "zenml artifact-store register",
      shellQuote(artifactStore.name),
      `--flavor ${shellQuote(artifactStore.flavor)}`,
      ...Object.entries(artifactStore.labels).map(([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`),
      ...configArgs(artifactStore.configuration),
    ].join(" \\\n  "),
    stackRegisterLine(stack),
  ];
}
