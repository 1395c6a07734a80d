/**
 * The program's config as the language host hands it over: every value a
 * string (objects JSON-encoded), and the keys the stack file holds as
 * `secure:` values listed as secret. The project's secret keys are always
 * secret here, as `pulumi config set --secret` leaves them.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_NAME } from "../../src/config/keys";
import { SECRET_CONFIG_KEYS } from "../../src/config/load";

export function setProgramConfig(
  config: Readonly<Record<string, unknown>>,
  plaintextKeys: readonly string[] = [],
): void {
  const secret = new Set(SECRET_CONFIG_KEYS.map((k) => `${PROJECT_NAME}:${k}`));
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    Object.keys(config).filter((k) => secret.has(k) && !plaintextKeys.includes(k)),
  );
}
