/**
 * The one registration model: what ZenML needs to use one store. The store
 * components produce it (as Outputs), the program exports it, the provisioning
 * script records it in the stack config, and ZenML's documents, the CLI's text
 * and `--json` and verification read it. Every other shape is derived here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isObject } from "../config/fields";
import { BACKEND_DESCRIPTORS } from "../config/backends";
import type { ArtifactStoreFlavor } from "../config/backends/descriptor";
import { BACKENDS, type Backend } from "../config/types";

export type { ArtifactStoreFlavor };

/** ZenML artifact-store flavors this project registers: its backends' flavors. */
export const ARTIFACT_STORE_FLAVORS: readonly ArtifactStoreFlavor[] = [
  ...new Set(BACKENDS.map((b) => BACKEND_DESCRIPTORS[b].zenml.flavor)),
];

/** The path schemes ZenML's artifact-store flavors accept, from the backends' descriptors. */
export const ARTIFACT_STORE_PATH_SCHEMES: Readonly<Record<ArtifactStoreFlavor, readonly string[]>> =
  Object.fromEntries(
    BACKENDS.map((b): [ArtifactStoreFlavor, readonly string[]] => [
      BACKEND_DESCRIPTORS[b].zenml.flavor,
      BACKEND_DESCRIPTORS[b].zenml.pathSchemes,
    ]),
  ) as Record<ArtifactStoreFlavor, readonly string[]>;

/** ZenML reaches the store through a service connector. */
export interface ConnectorAuth {
  readonly kind: "connector";
  /** Connector type, e.g. `aws`. */
  readonly type: string;
  /** Auth method, e.g. `secret-key`. */
  readonly method: string;
  /** Resource type, e.g. `s3-bucket`. */
  readonly resourceType: string;
  /** Resource id, e.g. `s3://bucket`. */
  readonly resourceId: string;
  /** The connector's plain (non-secret) configuration. */
  readonly configuration: Readonly<Record<string, string>>;
}

/** ZenML reaches the store with a ZenML secret its artifact store names (`authentication_secret`). */
export interface SecretAuth {
  readonly kind: "secret";
  /** The ZenML secret's name. */
  readonly name: string;
}

export type StoreAuth = ConnectorAuth | SecretAuth;

/** Everything about a store that is not secret: the program's `stores` output and the recorded config. */
export interface StoreFacts {
  readonly backend: Backend;
  /** The ZenML stack that uses the store. */
  readonly stackName: string;
  readonly flavor: ArtifactStoreFlavor;
  /** The artifact store's `path`, e.g. `s3://bucket`. */
  readonly path: string;
  /** The artifact store's full configuration (including `path`); plain values only. */
  readonly artifactStoreConfiguration: Readonly<Record<string, unknown>>;
  readonly auth: StoreAuth;
}

/** One store's registration, resolved: its facts, its name and the credentials ZenML holds. */
export interface StoreRegistration extends StoreFacts {
  /** The ZenML artifact store's name (the store's name in the config). */
  readonly storeName: string;
  /** The connector's secret fields, or the ZenML secret's values; never in plain outputs. */
  readonly credentials: Readonly<Record<string, string>>;
}

/** `T` with the fields `K` as Pulumi Outputs: the shapes the components produce. */
export type Live<T, K extends keyof T> = Omit<T, K> & {
  readonly [P in K]: pulumi.Output<T[P]>;
};

/** A store's auth as a component produces it (the bucket's id is known after creation). */
export type LiveStoreAuth = Live<ConnectorAuth, "resourceId" | "configuration"> | SecretAuth;

/** What every store component exposes, whatever its backend; credentials are Pulumi secrets. */
export type StoreOutputs = Live<
  Omit<StoreRegistration, "stackName" | "auth">,
  "path" | "artifactStoreConfiguration" | "credentials"
> & {
  readonly auth: LiveStoreAuth;
  /**
   * The version of the credential this project minted for ZenML (`1`, `2`,
   * `3-20260101`, …; see src/config/rotation.ts); undefined when the store uses
   * credentials it did not mint (impersonation, SAS, existing keys).
   */
  readonly credentialVersion?: string;
};

/** A store's facts as its component produces them: Outputs where they are known after creation. */
export type LiveStoreFacts = {
  readonly [K in keyof StoreFacts]: K extends "path" | "artifactStoreConfiguration"
    ? pulumi.Output<StoreFacts[K]>
    : K extends "auth"
      ? LiveStoreAuth
      : StoreFacts[K];
};

/** The facts of a store component's outputs: what the program exports and registers in ZenML. */
export function liveStoreFacts(outputs: StoreOutputs, stackName: string): LiveStoreFacts {
  return {
    backend: outputs.backend,
    stackName,
    flavor: outputs.flavor,
    path: outputs.path,
    artifactStoreConfiguration: outputs.artifactStoreConfiguration,
    auth: outputs.auth,
  };
}

/** A store's registration from its facts and its (decrypted) credentials. */
export function storeRegistration(
  storeName: string,
  facts: StoreFacts,
  credentials: Readonly<Record<string, string>>,
): StoreRegistration {
  return { storeName, ...storeFacts(facts), credentials: { ...credentials } };
}

/** Exactly the facts (no extra keys), e.g. of a registration or a recorded store. */
export function storeFacts(from: StoreFacts): StoreFacts {
  return {
    backend: from.backend,
    stackName: from.stackName,
    flavor: from.flavor,
    path: from.path,
    artifactStoreConfiguration: { ...from.artifactStoreConfiguration },
    auth:
      from.auth.kind === "connector"
        ? { ...from.auth, configuration: { ...from.auth.configuration } }
        : { kind: "secret", name: from.auth.name },
  };
}

/** Why a stored store record cannot be read: names the field (`where.field`) and the rule. */
export class StoreRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreRecordError";
  }
}

function text(raw: Record<string, unknown>, field: string, where: string): string {
  const v = raw[field];
  if (typeof v !== "string" || v === "") {
    throw new StoreRecordError(`${where}.${field} must be a non-empty string`);
  }
  return v;
}

function stringMap(raw: unknown, where: string): Record<string, string> {
  if (!isObject(raw)) throw new StoreRecordError(`${where} must be a map`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

function authFromRecord(raw: unknown, where: string): StoreAuth {
  if (!isObject(raw)) throw new StoreRecordError(`${where} must be a map`);
  if (raw.kind === "secret") return { kind: "secret", name: text(raw, "name", where) };
  if (raw.kind !== "connector") {
    throw new StoreRecordError(`${where}.kind must be "connector" or "secret"`);
  }
  return {
    kind: "connector",
    type: text(raw, "type", where),
    method: text(raw, "method", where),
    resourceType: text(raw, "resourceType", where),
    resourceId: text(raw, "resourceId", where),
    configuration: stringMap(raw.configuration ?? {}, `${where}.configuration`),
  };
}

/**
 * A store record written before the model had `auth` (flat connector fields,
 * empty strings or `authenticationSecret` for a ZenML secret).
 */
function legacyAuth(raw: Record<string, unknown>, where: string): StoreAuth {
  const secret =
    typeof raw.authenticationSecret === "string"
      ? raw.authenticationSecret
      : isObject(raw.artifactStoreConfiguration) &&
          typeof raw.artifactStoreConfiguration.authentication_secret === "string"
        ? raw.artifactStoreConfiguration.authentication_secret
        : undefined;
  if (secret !== undefined) return { kind: "secret", name: secret };
  return {
    kind: "connector",
    type: text(raw, "connectorType", where),
    method: text(raw, "authMethod", where),
    resourceType: text(raw, "resourceType", where),
    resourceId: text(raw, "resourceId", where),
    configuration: stringMap(raw.connectorConfiguration ?? {}, `${where}.connectorConfiguration`),
  };
}

/**
 * Reads store facts from a plain record: the program's `stores.<name>` output
 * or the stack config's `registration.<name>` (also as older versions wrote it).
 * `where` names the record in errors, e.g. `stack output stores.s3`.
 */
export function storeFactsFromRecord(raw: unknown, where: string): StoreFacts {
  if (!isObject(raw)) throw new StoreRecordError(`${where} must be a map`);
  const backend = text(raw, "backend", where);
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new StoreRecordError(`${where}.backend must be one of ${BACKENDS.join(", ")}`);
  }
  const flavor = text(raw, "flavor", where);
  if (!(ARTIFACT_STORE_FLAVORS as readonly string[]).includes(flavor)) {
    throw new StoreRecordError(
      `${where}.flavor must be one of ${ARTIFACT_STORE_FLAVORS.join(", ")}`,
    );
  }
  if (!isObject(raw.artifactStoreConfiguration)) {
    throw new StoreRecordError(`${where}.artifactStoreConfiguration must be a map`);
  }
  return {
    backend: backend as Backend,
    stackName: text(raw, "stackName", where),
    flavor: flavor as ArtifactStoreFlavor,
    path: text(raw, "path", where),
    artifactStoreConfiguration: { ...raw.artifactStoreConfiguration },
    auth:
      raw.auth === undefined ? legacyAuth(raw, where) : authFromRecord(raw.auth, `${where}.auth`),
  };
}

/** A connector's plain configuration; empty for a store that authenticates with a ZenML secret. */
export function connectorConfiguration(auth: StoreAuth): Readonly<Record<string, string>> {
  return auth.kind === "connector" ? auth.configuration : {};
}

/** How a store's auth reads in the CLI's text: `connector aws/secret-key s3://b` or `ZenML secret s3-key`. */
export function describeAuth(auth: StoreAuth): string {
  return auth.kind === "connector"
    ? `connector ${auth.type}/${auth.method} ${auth.resourceId}`
    : `ZenML secret ${auth.name}`;
}

/** ZenML connector auth methods that carry no secret: the server uses its own (or a federated) identity. */
export const KEYLESS_AUTH_METHODS = ["implicit", "external-account"] as const;

/** Whether a store's auth is keyless: a connector whose method needs no credential from us. */
export function isKeylessAuth(auth: StoreAuth): boolean {
  return (
    auth.kind === "connector" && (KEYLESS_AUTH_METHODS as readonly string[]).includes(auth.method)
  );
}
