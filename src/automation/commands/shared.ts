import { httpUrlRule } from "../../config/fields";
import { PROJECT_NAME } from "../../config/keys";
import { SECRET_CONFIG_KEYS } from "../../config/load";
import { plainTextSecretRule } from "../../config/storeSecrets";
import { registrationDocuments, type AnyStoreDocuments } from "../../zenml/documents";
import { storeRegistration } from "../../zenml/model";
import { UsageError } from "../errors";
import type { RecordedStore } from "../recordedRegistration";
import { hasPlainLeaf } from "../stackConfigFile";
import { DEFAULT_VERIFY_TIMEOUT_S } from "../verification";

/** The program's ZenML registration component (src/zenml/registrationComponent.ts). */
export const PROGRAM_REGISTRATION_TYPE = "zenml-remote-storage:zenml:Registration";

/** A secret key that holds plain text in the stack file is refused, as the program refuses it. */
export function refusePlainSecrets(
  config: Readonly<Record<string, unknown>>,
  source: string,
): void {
  for (const key of SECRET_CONFIG_KEYS) {
    if (!hasPlainLeaf(config[`${PROJECT_NAME}:${key}`])) continue;
    throw new UsageError(`${PROJECT_NAME}:${key} (${source})`, plainTextSecretRule(key));
  }
}

/** `--verify-timeout` in milliseconds (validated). */
export function verifyTimeoutMs(seconds: number | undefined): number {
  if (seconds === undefined) return DEFAULT_VERIFY_TIMEOUT_S * 1000;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new UsageError("--verify-timeout", "must be a number of seconds from 0 to 3600");
  }
  return seconds * 1000;
}

/** `--endpoint-url` (validated): an http(s) URL without credentials, or undefined. */
export function checkEndpointUrl(value: string | undefined): string | undefined {
  const rule = value !== undefined ? httpUrlRule(value) : undefined;
  if (rule !== undefined) throw new UsageError("--endpoint-url", rule);
  return value;
}

/** A ZenML server URL from a flag (validated), without trailing slashes. */
export function checkServerUrl(value: string, flag: string): string {
  const rule = httpUrlRule(
    value,
    "; set ZENML_STORE_API_KEY (or ZENML_STORE_USERNAME/ZENML_STORE_PASSWORD) instead",
  );
  if (rule !== undefined) throw new UsageError(flag, rule);
  return value.replace(/\/+$/, "");
}

/** ZenML documents of recorded stores; credentials only when given. */
export function recordedDocuments(
  recorded: Readonly<Record<string, RecordedStore>>,
  credentials: Record<string, Record<string, string>> = {},
): AnyStoreDocuments[] {
  return Object.entries(recorded).map(([name, r]) =>
    registrationDocuments(storeRegistration(name, r, credentials[name] ?? {})),
  );
}

/** Replaces every leaf of a value with `[secret]`. */
export function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  }
  return "[secret]";
}
