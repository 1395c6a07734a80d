import { ConfigError } from "./errors";
import { MOVED_SECRET_KEYS, STORE_SECRETS_KEY } from "./storeSecrets";
import { didYouMean } from "./suggest";

/** The Pulumi project name (`name:` in Pulumi.yaml), which is also the namespace of its config keys. */
export const PROJECT_NAME = "zenml-remote-storage";

/** Every key the project reads or the provisioning script writes in its namespace. */
export const KNOWN_CONFIG_KEYS = [
  "stores",
  "zenml",
  "zenmlApiKey",
  STORE_SECRETS_KEY,
  "registration",
] as const;

/**
 * A key in the project's namespace that nothing reads is a typo (or a key an
 * earlier version read, which says where its values go now): the error for the
 * first such key (without the namespace), or undefined.
 */
export function unknownConfigKey(keys: Iterable<string>): ConfigError | undefined {
  for (const key of keys) {
    if (MOVED_SECRET_KEYS[key] !== undefined) return new ConfigError(key, MOVED_SECRET_KEYS[key]);
    if (!(KNOWN_CONFIG_KEYS as readonly string[]).includes(key)) {
      return new ConfigError(
        key,
        `unknown key; allowed: ${KNOWN_CONFIG_KEYS.join(", ")}${didYouMean(key, KNOWN_CONFIG_KEYS)}`,
      );
    }
  }
  return undefined;
}
