import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { parseDeployment } from "./parse";
import type { DeploymentConfig } from "./types";

/** The project's config namespace (`zenml-remote-storage:<key>`). */
export const CONFIG_NAMESPACE = "zenml-remote-storage";

/**
 * Reads and validates the deployment from Pulumi config. A bad value ends the
 * program with one line naming the key and the rule, and no stack trace.
 */
export function loadDeployment(): DeploymentConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  try {
    return parseDeployment(
      { stores: readObject(config, "stores"), zenml: readObject(config, "zenml") },
      { providerConfig: { "aws:region": new pulumi.Config("aws").get("region") } },
    );
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
