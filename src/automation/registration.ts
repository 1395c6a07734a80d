import * as fs from "node:fs";
import { registrationDocuments, type StoreRegistration } from "../zenml/documents";
import { registrationFromOutputs } from "../zenml/programOutputs";
import { credentialConfigPath, renderStackYaml } from "../zenml/stackYaml";
import { writeFileAtomic } from "./atomicWrite";
import { OperationError } from "./errors";
import { PROJECT_NAME, zenmlYamlPath } from "./project";
import { StackConfigFile, isSecureValue } from "./stackConfigFile";
import type { OutputMap, PulumiStack } from "./workspace";

/** The stack-config key holding the registration: `zenml-remote-storage:registration`. */
export const REGISTRATION_KEY = `${PROJECT_NAME}:registration`;

/** What the stack config records per store, besides the (encrypted) credentials. */
export interface RecordedStore {
  readonly backend: string;
  readonly stackName: string;
  readonly flavor: StoreRegistration["flavor"];
  readonly path: string;
  readonly artifactStoreConfiguration: Record<string, unknown>;
  readonly connectorType: string;
  readonly authMethod: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly connectorConfiguration: Record<string, string>;
  /** ZenML servers `register` applied this store to (deregistered by `destroy`). */
  readonly registeredIn?: readonly string[];
  /** Names of the credential fields (values are secure config values). */
  readonly credentialFields: readonly string[];
  /** The ZenML secret the store authenticates with instead of a connector (Azure SAS). */
  readonly authenticationSecret?: string;
}

const PLAIN_FIELDS = [
  "backend",
  "stackName",
  "flavor",
  "path",
  "artifactStoreConfiguration",
  "connectorType",
  "authMethod",
  "resourceType",
  "resourceId",
  "connectorConfiguration",
] as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A deployed store: ZenML's registration facts plus its backend and path. */
export interface DeployedStore extends StoreRegistration {
  readonly backend: string;
  readonly path: string;
}

/** One registration per store from the program's outputs (`stores`, secret `credentials`). */
export function registrationsFromOutputs(outputs: OutputMap): DeployedStore[] {
  const stores = outputs.stores?.value;
  const credentials = outputs.credentials?.value ?? {};
  if (!isObject(stores))
    throw new OperationError("the stack has no `stores` output; run provision");
  if (!isObject(credentials))
    throw new OperationError("the stack's `credentials` output is not a map");
  return Object.entries(stores).map(([storeName, raw]) => {
    if (!isObject(raw)) throw new OperationError(`stack output stores.${storeName} is not a map`);
    const missing = PLAIN_FIELDS.find((f) => raw[f] === undefined || raw[f] === null);
    if (missing) throw new OperationError(`stack output stores.${storeName} has no ${missing}`);
    const creds = credentials[storeName];
    if (!isObject(creds)) {
      throw new OperationError(`stack output credentials.${storeName} is missing`);
    }
    const authenticationSecret = authenticationSecretOf(raw);
    return {
      storeName,
      backend: String(raw.backend),
      path: String(raw.path),
      stackName: String(raw.stackName),
      flavor: raw.flavor as StoreRegistration["flavor"],
      artifactStoreConfiguration: raw.artifactStoreConfiguration as Json,
      connectorType: String(raw.connectorType),
      authMethod: String(raw.authMethod),
      resourceType: String(raw.resourceType),
      resourceId: String(raw.resourceId),
      connectorConfiguration: raw.connectorConfiguration as Record<string, string>,
      credentials: Object.fromEntries(Object.entries(creds).map(([k, v]) => [k, String(v)])),
      ...(authenticationSecret !== undefined ? { authenticationSecret } : {}),
    };
  });
}

/**
 * The ZenML secret a store authenticates with: the output's own field, or, for a
 * store without a connector, the `authentication_secret` its artifact store names.
 */
function authenticationSecretOf(raw: Json): string | undefined {
  if (typeof raw.authenticationSecret === "string") return raw.authenticationSecret;
  const named = isObject(raw.artifactStoreConfiguration)
    ? raw.artifactStoreConfiguration.authentication_secret
    : undefined;
  return raw.connectorType === "" && typeof named === "string" ? named : undefined;
}

function recordedPlain(reg: DeployedStore, previous: Json | undefined): Json {
  const prevCredentials = isObject(previous?.credentials) ? previous.credentials : {};
  return {
    backend: reg.backend,
    stackName: reg.stackName,
    flavor: reg.flavor,
    path: reg.path,
    artifactStoreConfiguration: { ...reg.artifactStoreConfiguration },
    connectorType: reg.connectorType,
    authMethod: reg.authMethod,
    resourceType: reg.resourceType,
    resourceId: reg.resourceId,
    connectorConfiguration: { ...reg.connectorConfiguration },
    ...(reg.authenticationSecret !== undefined
      ? { authenticationSecret: reg.authenticationSecret }
      : {}),
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
 * Writes the registration into the stack config: plain facts as plain values
 * (written to the file directly, types kept), each credential as a secure value
 * set through Pulumi (`--secret --path`), so it is encrypted by the stack's
 * secrets provider. Stores no longer deployed are dropped.
 */
export async function writeRegistrationConfig(
  file: StackConfigFile,
  stack: PulumiStack,
  registrations: readonly DeployedStore[],
): Promise<void> {
  const previous = file.get(REGISTRATION_KEY);
  const prev = isObject(previous) ? previous : {};
  const plain = Object.fromEntries(
    registrations.map((r) => [
      r.storeName,
      recordedPlain(r, isObject(prev[r.storeName]) ? (prev[r.storeName] as Json) : undefined),
    ]),
  );
  file.set(REGISTRATION_KEY, plain);
  file.save();
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
  const out: Record<string, RecordedStore> = {};
  for (const [store, value] of Object.entries(raw)) {
    if (!isObject(value)) continue;
    const creds = isObject(value.credentials) ? value.credentials : {};
    out[store] = {
      backend: String(value.backend ?? ""),
      stackName: String(value.stackName ?? store),
      flavor: value.flavor as RecordedStore["flavor"],
      path: String(value.path ?? ""),
      artifactStoreConfiguration: isObject(value.artifactStoreConfiguration)
        ? value.artifactStoreConfiguration
        : {},
      connectorType: String(value.connectorType ?? ""),
      authMethod: String(value.authMethod ?? ""),
      resourceType: String(value.resourceType ?? ""),
      resourceId: String(value.resourceId ?? ""),
      connectorConfiguration: isObject(value.connectorConfiguration)
        ? (Object.fromEntries(
            Object.entries(value.connectorConfiguration).map(([k, v]) => [k, String(v)]),
          ) as Record<string, string>)
        : {},
      registeredIn: Array.isArray(value.registeredIn) ? value.registeredIn.map(String) : [],
      credentialFields: Object.keys(creds).sort(),
      ...(typeof value.authenticationSecret === "string"
        ? { authenticationSecret: value.authenticationSecret }
        : {}),
    };
  }
  return out;
}

/** Decrypts a store's credentials through the workspace (`registration.<store>.credentials.*`). */
export async function readCredentials(
  stack: PulumiStack,
  storeName: string,
  fields: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const v = await stack.getConfig(`${PROJECT_NAME}:${credentialConfigPath(storeName, field)}`, {
      path: true,
    });
    if (v === undefined || v.value === "") {
      throw new OperationError(
        `the stack config has no ${credentialConfigPath(storeName, field)}; run provision again`,
      );
    }
    out[field] = v.value;
  }
  return out;
}

/** A recorded store plus decrypted credentials, as ZenML's documents need it. */
export function registrationOf(
  storeName: string,
  recorded: RecordedStore,
  credentials: Record<string, string>,
): StoreRegistration {
  return registrationFromOutputs(storeName, recorded, credentials);
}

/** Records that `register` applied the stores to `serverUrl`. */
export function recordRegisteredIn(
  file: StackConfigFile,
  stores: readonly string[],
  serverUrl: string,
  registered: boolean,
): void {
  const raw = file.get(REGISTRATION_KEY);
  if (!isObject(raw)) return;
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
  file.save();
}

/** Removes the registration from the stack config and deletes the ZenML document. */
export function removeRegistration(
  file: StackConfigFile,
  projectRoot: string,
  stack: string,
): void {
  if (file.get(REGISTRATION_KEY) !== undefined) {
    file.delete(REGISTRATION_KEY);
    file.save();
  }
  fs.rmSync(zenmlYamlPath(projectRoot, stack), { force: true });
}
