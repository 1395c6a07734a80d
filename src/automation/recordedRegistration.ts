import * as fs from "node:fs";
import { isObject } from "../config/fields";
import { registrationDocuments } from "../zenml/documents";
import {
  StoreRecordError,
  storeFacts,
  storeFactsFromRecord,
  storeRegistration,
  type StoreFacts,
  type StoreRegistration,
} from "../zenml/model";
import { credentialConfigPath, renderStackYaml } from "../zenml/stackYaml";
import { writeFileAtomic } from "./atomicWrite";
import { OperationError } from "./errors";
import { PROJECT_NAME } from "../config/keys";
import { zenmlYamlPath } from "./project";
import { StackConfigFile, isSecureValue } from "./stackConfigFile";
import type { OutputMap, PulumiStack } from "./workspace";

/** The stack-config key holding the registration: `zenml-remote-storage:registration`. */
export const REGISTRATION_KEY = `${PROJECT_NAME}:registration`;

/** What the stack config records per store: its facts, where it is registered, its credential fields. */
export type RecordedStore = StoreFacts & {
  /** ZenML servers `register` applied this store to (deregistered by `destroy`). */
  readonly registeredIn: readonly string[];
  /** Names of the credential fields (the values are secure config values). */
  readonly credentialFields: readonly string[];
};

type Json = Record<string, unknown>;

/** Store facts from a record, or an OperationError naming the record and the rule. */
function factsOf(raw: unknown, where: string): StoreFacts {
  try {
    return storeFactsFromRecord(raw, where);
  } catch (err) {
    if (err instanceof StoreRecordError) throw new OperationError(err.message);
    throw err;
  }
}

/** One registration per store from the program's outputs (`stores`, secret `credentials`). */
export function registrationsFromOutputs(outputs: OutputMap): StoreRegistration[] {
  const stores = outputs.stores?.value;
  const credentials = outputs.credentials?.value ?? {};
  if (!isObject(stores))
    throw new OperationError("the stack has no `stores` output; run provision");
  if (!isObject(credentials))
    throw new OperationError("the stack's `credentials` output is not a map");
  return Object.entries(stores).map(([storeName, raw]) => {
    const facts = factsOf(raw, `stack output stores.${storeName}`);
    const creds = credentials[storeName];
    if (!isObject(creds)) {
      throw new OperationError(`stack output credentials.${storeName} is missing`);
    }
    return storeRegistration(
      storeName,
      facts,
      Object.fromEntries(Object.entries(creds).map(([k, v]) => [k, String(v)])),
    );
  });
}

function recordedPlain(reg: StoreRegistration, previous: Json | undefined): Json {
  const prevCredentials = isObject(previous?.credentials) ? previous.credentials : {};
  return {
    ...storeFacts(reg),
    ...(Array.isArray(previous?.registeredIn) ? { registeredIn: previous.registeredIn } : {}),
    // Keep the encrypted values already there until Pulumi sets the new ones, so a
    // failure half-way never leaves a store without credentials; new fields are
    // added by Pulumi itself (`config set --secret --path`).
    credentials: Object.fromEntries(
      Object.keys(reg.credentials)
        .sort()
        .filter((f) => isSecureValue(prevCredentials[f]))
        .map((f) => [f, prevCredentials[f]]),
    ),
  };
}

/**
 * Sets the registration's plain facts in the stack config (written to the file
 * directly, so their types are kept); stores no longer deployed are dropped.
 * The credentials follow with `writeCredentials`, once the file is saved.
 */
export function setRegistration(
  file: StackConfigFile,
  registrations: readonly StoreRegistration[],
): void {
  const previous = file.get(REGISTRATION_KEY);
  const prev = isObject(previous) ? previous : {};
  const plain = Object.fromEntries(
    registrations.map((r) => [
      r.storeName,
      recordedPlain(r, isObject(prev[r.storeName]) ? (prev[r.storeName] as Json) : undefined),
    ]),
  );
  file.set(REGISTRATION_KEY, plain);
}

/**
 * Each credential as a secure value set through Pulumi (`--secret --path`), so it
 * is encrypted by the stack's secrets provider; Pulumi rewrites the file.
 */
export async function writeCredentials(
  stack: PulumiStack,
  registrations: readonly StoreRegistration[],
): Promise<void> {
  for (const reg of registrations) {
    for (const field of Object.keys(reg.credentials).sort()) {
      await stack.setConfig(
        `${PROJECT_NAME}:${credentialConfigPath(reg.storeName, field)}`,
        { value: reg.credentials[field], secret: true },
        { path: true },
      );
    }
  }
}

/** The ZenML stack document for the registrations, written atomically; returns its path. */
export function writeZenmlYaml(
  projectRoot: string,
  pulumiStack: string,
  registrations: readonly StoreRegistration[],
): string {
  // Only the credential field names reach the document; never the values.
  const docs = registrations.map((r) =>
    registrationDocuments({
      ...r,
      credentials: Object.fromEntries(Object.keys(r.credentials).map((k) => [k, ""])),
    }),
  );
  const file = zenmlYamlPath(projectRoot, pulumiStack);
  writeFileAtomic(file, renderStackYaml(pulumiStack, docs));
  return file;
}

/** The recorded registration of every store, from the stack config file (no decryption). */
export function readRecordedStores(file: StackConfigFile): Record<string, RecordedStore> {
  const raw = file.get(REGISTRATION_KEY);
  if (!isObject(raw)) return {};
  return Object.fromEntries(
    Object.entries(raw).map(([store, value]): [string, RecordedStore] => {
      const facts = factsOf(value, `stack config registration.${store}`);
      const entry = value as Json;
      const creds = isObject(entry.credentials) ? entry.credentials : {};
      return [
        store,
        {
          ...facts,
          registeredIn: Array.isArray(entry.registeredIn) ? entry.registeredIn.map(String) : [],
          credentialFields: Object.keys(creds).sort(),
        },
      ];
    }),
  );
}

/** A recorded credential (`registration.<store>.credentials.<field>`), decrypted by the workspace. */
export async function readRecordedSecret(stack: PulumiStack, configPath: string): Promise<string> {
  const v = await stack.getConfig(`${PROJECT_NAME}:${configPath}`, { path: true });
  if (v === undefined || v.value === "") {
    throw new OperationError(`the stack config has no ${configPath}; run provision again`);
  }
  return v.value;
}

/** Decrypts a store's credentials through the workspace. */
export async function readCredentials(
  stack: PulumiStack,
  storeName: string,
  fields: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    out[field] = await readRecordedSecret(stack, credentialConfigPath(storeName, field));
  }
  return out;
}

/**
 * Notes in the registration that the script applied the stores to `serverUrl`
 * (or removed them); false when there is no registration to note it in.
 */
export function setRegisteredIn(
  file: StackConfigFile,
  stores: readonly string[],
  serverUrl: string,
  registered: boolean,
): boolean {
  const raw = file.get(REGISTRATION_KEY);
  if (!isObject(raw)) return false;
  const next: Json = { ...raw };
  for (const store of stores) {
    const entry = next[store];
    if (!isObject(entry)) continue;
    const list = new Set(Array.isArray(entry.registeredIn) ? entry.registeredIn.map(String) : []);
    if (registered) list.add(serverUrl);
    else list.delete(serverUrl);
    next[store] = { ...entry, registeredIn: [...list].sort() };
  }
  file.set(REGISTRATION_KEY, next);
  return true;
}

/** Deletes the ZenML stack document, if there is one. */
export function removeZenmlYaml(projectRoot: string, pulumiStack: string): void {
  fs.rmSync(zenmlYamlPath(projectRoot, pulumiStack), { force: true });
}
