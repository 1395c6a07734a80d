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

/**
 * A bash script that registers the stores with the `zenml` CLI. Secret fields
 * never appear in it: it reads each from an environment variable into a 0600
 * file and hands zenml the file with `--field=@file`, so no secret reaches a
 * command line, the process list or shell history. With `verify: false` the
 * connectors are registered and linked without verification, for servers that
 * cannot reach the cloud at registration time.
 */
export function renderCliScript(
  stores: readonly AnyStoreDocuments[],
  options: { readonly verify: boolean } = { verify: true },
): string {
  const lines = [
    "#!/usr/bin/env bash",
    "# Registers ZenML artifact stores provisioned by zenml-remote-storage.",
    "# Secrets come from the environment variables named below, never from arguments.",
    "set -euo pipefail",
    "umask 077",
    'secrets_dir="$(mktemp -d)"',
    "trap 'rm -rf \"$secrets_dir\"' EXIT",
    "write_secret() {",
    '  if [ -z "${!1:-}" ]; then echo "set the environment variable $1" >&2; exit 2; fi',
    '  printf \'%s\' "${!1}" > "$secrets_dir/$1"',
    "}",
  ];
  for (const docs of stores) {
    if (usesSecret(docs)) {
      lines.push(...secretStoreLines(docs));
      continue;
    }
    const { connector, artifactStore, stack } = docs;
    const secretVars = Object.keys(connector.secrets)
      .sort()
      .map((field) => [field, secretEnvName(artifactStore.name, field)]);
    lines.push(
      "",
      `# Store ${artifactStore.name}`,
      ...secretVars.map(([, envName]) => `write_secret ${envName}`),
      [
        "zenml service-connector register",
        shellQuote(connector.name),
        `--type ${shellQuote(connector.connector_type)}`,
        `--auth-method ${shellQuote(connector.auth_method)}`,
        ...connector.resource_types.map((t) => `--resource-type ${shellQuote(t)}`),
        `--resource-id ${shellQuote(connector.resource_id)}`,
        ...Object.entries(connector.labels).map(([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`),
        ...configArgs(connector.configuration),
        ...secretVars.map(([field, envName]) => `"--${field}=@$secrets_dir/${envName}"`),
        ...(options.verify ? [] : ["--no-verify"]),
      ].join(" \\\n  "),
      [
        "zenml artifact-store register",
        shellQuote(artifactStore.name),
        `--flavor ${shellQuote(artifactStore.flavor)}`,
        ...Object.entries(artifactStore.labels).map(
          ([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`,
        ),
        ...configArgs(artifactStore.configuration),
        ...(options.verify ? [`--connector ${shellQuote(connector.name)}`] : []),
      ].join(" \\\n  "),
      ...(options.verify
        ? []
        : [
            [
              "zenml artifact-store connect",
              shellQuote(artifactStore.name),
              `--connector ${shellQuote(connector.name)}`,
              `--resource-id ${shellQuote(artifactStore.connector_resource_id)}`,
              "--no-verify",
            ].join(" \\\n  "),
          ]),
      [
        "zenml stack register",
        shellQuote(stack.name),
        `--artifact-store ${shellQuote(stack.components.artifact_store)}`,
        `--orchestrator ${shellQuote(stack.components.orchestrator)}`,
      ].join(" \\\n  "),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * A store that authenticates through a ZenML secret (Azure SAS): the secret,
 * created from files like the connector secrets, then the artifact store that
 * names it and the stack. There is no connector to verify.
 */
function secretStoreLines({ secret, artifactStore, stack }: SecretStoreDocuments): string[] {
  const secretVars = Object.keys(secret.values)
    .sort()
    .map((field) => [field, secretEnvName(artifactStore.name, field)]);
  return [
    "",
    `# Store ${artifactStore.name} (ZenML secret ${secret.name}, no service connector)`,
    ...secretVars.map(([, envName]) => `write_secret ${envName}`),
    [
      "zenml secret create",
      shellQuote(secret.name),
      ...secretVars.map(([field, envName]) => `"--${field}=@$secrets_dir/${envName}"`),
    ].join(" \\\n  "),
    [
      "zenml artifact-store register",
      shellQuote(artifactStore.name),
      `--flavor ${shellQuote(artifactStore.flavor)}`,
      ...Object.entries(artifactStore.labels).map(([k, v]) => `--label ${shellQuote(`${k}=${v}`)}`),
      ...configArgs(artifactStore.configuration),
    ].join(" \\\n  "),
    [
      "zenml stack register",
      shellQuote(stack.name),
      `--artifact-store ${shellQuote(stack.components.artifact_store)}`,
      `--orchestrator ${shellQuote(stack.components.orchestrator)}`,
    ].join(" \\\n  "),
  ];
}
