import { S3_COMPATIBLE_CREDENTIALS_KEY } from "./backends/s3Compatible";
import { ConfigError } from "./errors";
import { didYouMean } from "./suggest";

/** Every key the project reads or the provisioning script writes in its namespace. */
export const KNOWN_CONFIG_KEYS = [
  "stores",
  "zenml",
  "zenmlApiKey",
  S3_COMPATIBLE_CREDENTIALS_KEY,
  "registration",
] as const;

/**
 * A key in the project's namespace that nothing reads is a typo: the error for
 * the first such key (without the namespace), or undefined.
 */
export function unknownConfigKey(keys: Iterable<string>): ConfigError | undefined {
  for (const key of keys) {
    if (!(KNOWN_CONFIG_KEYS as readonly string[]).includes(key)) {
      return new ConfigError(
        key,
        `unknown key; allowed: ${KNOWN_CONFIG_KEYS.join(", ")}${didYouMean(key, KNOWN_CONFIG_KEYS)}`,
      );
    }
  }
  return undefined;
}
