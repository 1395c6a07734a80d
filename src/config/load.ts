import * as pulumi from "@pulumi/pulumi";
import type { S3KeyPair } from "./backends/s3Compatible";
import { ConfigError } from "./errors";
import { PROJECT_NAME, unknownConfigKey } from "./keys";
import { parseDeployment } from "./parse";
import { checkStoreSecrets, plainTextSecretRule, STORE_SECRETS_KEY } from "./storeSecrets";
import type { DeploymentConfig } from "./types";

export { KNOWN_CONFIG_KEYS } from "./keys";

/** The keys that hold secrets: set only with `pulumi config set --secret`. */
export const SECRET_CONFIG_KEYS = ["zenmlApiKey", STORE_SECRETS_KEY] as const;

/** A key in the project's namespace that nothing reads is a typo (or moved): refuse it. */
function checkKnownKeys(): void {
  const prefix = `${PROJECT_NAME}:`;
  const err = unknownConfigKey(
    Object.keys(pulumi.runtime.allConfig())
      .filter((full) => full.startsWith(prefix))
      .map((full) => full.slice(prefix.length)),
  );
  if (err !== undefined) throw err;
}

/**
 * Which config keys hold `secure:` values: the SDK's own record, filled from
 * PULUMI_CONFIG_SECRET_KEYS by the language host (marked internal in its types,
 * so typed here; the SDK is pinned exactly).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkConfig = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret(key: string): boolean;
};

/** A secret key stored as plain text in the stack file is refused, naming how to store it. */
function checkEncrypted(): void {
  for (const key of SECRET_CONFIG_KEYS) {
    const full = `${PROJECT_NAME}:${key}`;
    if (pulumi.runtime.allConfig()[full] !== undefined && !sdkConfig.isConfigSecret(full)) {
      throw new ConfigError(key, plainTextSecretRule(key));
    }
  }
}

/**
 * Reads and validates the deployment from Pulumi config. A bad value ends the
 * program with one line naming the key and the rule, and no stack trace.
 */
export function loadDeployment(): DeploymentConfig {
  const config = new pulumi.Config(PROJECT_NAME);
  try {
    checkKnownKeys();
    checkEncrypted();
    const deployment = parseDeployment(
      { stores: readObject(config, "stores"), zenml: readObject(config, "zenml") },
      {
        providerConfig: {
          "aws:region": new pulumi.Config("aws").get("region"),
          "gcp:project": new pulumi.Config("gcp").get("project"),
          "gcp:region": new pulumi.Config("gcp").get("region"),
          "azure-native:location": new pulumi.Config("azure-native").get("location"),
        },
      },
    );
    // Only the shape is checked here; the values are read again, as secrets, by
    // storeSecret and never leave this function.
    checkStoreSecrets(readObject(config, STORE_SECRETS_KEY), deployment.stores);
    return deployment;
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new pulumi.RunError(`invalid config ${PROJECT_NAME}:${err.message}`);
    }
    throw err;
  }
}

function readObject(config: pulumi.Config, key: string): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    throw new ConfigError(key, "is not valid JSON/YAML structured config");
  }
}

/** One store's secrets from `storeSecrets.<store>`, as a Pulumi secret (validated by loadDeployment). */
export function storeSecret(storeName: string): pulumi.Output<Readonly<Record<string, string>>> {
  const all = new pulumi.Config(PROJECT_NAME).requireSecretObject<
    Record<string, Record<string, string>>
  >(STORE_SECRETS_KEY);
  return pulumi.secret(all.apply((secrets) => ({ ...secrets[storeName] })));
}

/** An S3-compatible store's key pair from `storeSecrets.<store>`. */
export function s3CompatibleKeyPair(storeName: string): pulumi.Output<S3KeyPair> {
  return storeSecret(storeName).apply((s): S3KeyPair => ({
    accessKeyId: s.accessKeyId,
    secretAccessKey: s.secretAccessKey,
  }));
}
