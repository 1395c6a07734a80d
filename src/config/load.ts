import * as pulumi from "@pulumi/pulumi";
import {
  checkS3CompatibleCredentials,
  S3_COMPATIBLE_CREDENTIALS_KEY,
  type S3KeyPair,
} from "./backends/s3Compatible";
import { ConfigError } from "./errors";
import { unknownConfigKey } from "./keys";
import { parseDeployment } from "./parse";
import type { DeploymentConfig } from "./types";

/** The project's config namespace (`zenml-remote-storage:<key>`). */
export const CONFIG_NAMESPACE = "zenml-remote-storage";

export { KNOWN_CONFIG_KEYS } from "./keys";

/** A key in the project's namespace that nothing reads is a typo: refuse it. */
function checkKnownKeys(): void {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const err = unknownConfigKey(
    Object.keys(pulumi.runtime.allConfig())
      .filter((full) => full.startsWith(prefix))
      .map((full) => full.slice(prefix.length)),
  );
  if (err !== undefined) throw err;
}

/**
 * Reads and validates the deployment from Pulumi config. A bad value ends the
 * program with one line naming the key and the rule, and no stack trace.
 */
export function loadDeployment(): DeploymentConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  try {
    checkKnownKeys();
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
    // s3CompatibleKeyPair and never leave this function.
    checkS3CompatibleCredentials(
      readObject(config, S3_COMPATIBLE_CREDENTIALS_KEY),
      deployment.stores.filter((s) => s.backend === "s3-compatible").map((s) => s.name),
    );
    return deployment;
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new pulumi.RunError(`invalid config ${CONFIG_NAMESPACE}:${err.message}`);
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

/**
 * One s3-compatible store's key pair from the secret config key
 * `s3CompatibleCredentials`, as a Pulumi secret (validated by loadDeployment).
 */
export function s3CompatibleKeyPair(storeName: string): pulumi.Output<S3KeyPair> {
  const all = new pulumi.Config(CONFIG_NAMESPACE).requireSecretObject<Record<string, S3KeyPair>>(
    S3_COMPATIBLE_CREDENTIALS_KEY,
  );
  return pulumi.secret(
    all.apply((keys): S3KeyPair => {
      const pair = keys[storeName];
      if (pair === undefined) {
        throw new pulumi.RunError(
          `invalid config ${CONFIG_NAMESPACE}:${S3_COMPATIBLE_CREDENTIALS_KEY}.${storeName}: is required`,
        );
      }
      return { accessKeyId: pair.accessKeyId, secretAccessKey: pair.secretAccessKey };
    }),
  );
}
