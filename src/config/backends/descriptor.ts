import type { Backend, ConfigContext, StoreBase, StoreBaseWith } from "../base";
import type { Obj } from "../fields";

/**
 * What the project knows about one backend, as data: each backend's file
 * exports one `BackendDescriptor`, and ./index.ts joins them into the
 * registry the parser, the CLI, rotation, the registration model and
 * verification read.
 */

/** What a credential mode leaves ZenML holding. */
export type CredentialKind =
  /** A key this project mints for ZenML, and so can rotate. */
  | "minted-key"
  /** A secret this project does not rotate (a key the user gives, a SAS token). */
  | "secret"
  /** No secret anywhere: ZenML's server uses its own (or a federated) identity. */
  | "keyless";

/** ZenML artifact-store flavors this project registers. */
export type ArtifactStoreFlavor = "s3" | "gcp" | "azure";

/** The storage protocol a store is verified with; src/verify maps each to its verifier. */
export type VerifierProtocol = "s3" | "gcs" | "azure";

/** The first rule a name breaks, or undefined when it is valid. */
export type NameRule = (name: string) => string | undefined;

/** A store flag of the CLI: it sets one key of the store it describes. */
export interface StoreFlag {
  /** The flag without its dashes, e.g. `bucket-name`. */
  readonly flag: string;
  /** The store key it sets, dotted for nested keys, e.g. `bucket.name`. */
  readonly configPath: string;
  readonly type: "string" | "boolean";
  /** Repeatable `KEY=VALUE`: each pair is merged into the object at `configPath`. */
  readonly keyValue?: true;
  readonly describe: string;
  readonly choices?: readonly string[];
}

/**
 * B: the backend; M: its identity modes; S: the store config its parser returns
 * (the defaults describe any backend, as the registry hands them out).
 */
export interface BackendDescriptor<
  B extends Backend = Backend,
  M extends string = string,
  S extends StoreBase = StoreBase,
> {
  readonly backend: B;
  /** The identity modes (`credentials` values), in the order help lists them. */
  readonly credentials: { readonly [K in M]: CredentialKind };
  readonly defaultCredentials: M;
  /** Store keys only this backend has. */
  readonly storeKeys: readonly string[];
  /** Reads the backend's own keys; `base` holds the common ones and a valid mode. */
  parse(obj: Obj, key: string, base: StoreBaseWith<M>, context: ConfigContext): S;
  readonly names: {
    /** The rule for `bucket.name` (a container name on Azure). */
    readonly bucket: NameRule;
    /** The name of the identity minted for ZenML, unique per Pulumi project, stack and store. */
    readonly identity: (project: string, stack: string, storeName: string) => string;
  };
  /** What `bucket.encryptionKey` must look like; undefined when it is not supported. */
  readonly customerKey?: { readonly pattern: RegExp; readonly rule: string };
  /** The first rule a tag (label) breaks, or undefined. */
  tagRule(key: string, value: string): string | undefined;
  readonly zenml: {
    readonly flavor: ArtifactStoreFlavor;
    /** The path schemes the flavor accepts; the store's path uses the first. */
    readonly pathSchemes: readonly string[];
  };
  readonly verifier: VerifierProtocol;
  /** The CLI flags only this backend's stores take. */
  readonly storeFlags: readonly StoreFlag[];
}

/** `--region`: shared by the backends whose stores have a `region` key. */
export const REGION_FLAG = {
  flag: "region",
  configPath: "region",
  type: "string",
  describe: "Region of the bucket",
} as const satisfies StoreFlag;
