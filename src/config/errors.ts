/** A configuration value that breaks a rule; the message names the key and the rule. */
export class ConfigError extends Error {
  constructor(
    /** The config key, as a user writes it (e.g. `stores[0].bucket.name`). */
    readonly key: string,
    /** The rule the value breaks, as one sentence. */
    readonly rule: string,
  ) {
    super(`${key}: ${rule}`);
    this.name = "ConfigError";
  }
}
