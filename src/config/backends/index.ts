import { BACKENDS, type Backend } from "../base";
import type { CredentialMode, StoreConfig } from "../types";
import { AWS_BACKEND } from "./aws";
import { AZURE_BACKEND } from "./azure";
import type { BackendDescriptor, CredentialKind, StoreFlag } from "./descriptor";
import { GCP_BACKEND } from "./gcp";
import { S3_COMPATIBLE_BACKEND } from "./s3Compatible";

/** Every backend's descriptor: what the parser, the CLI, rotation, ZenML and verification read. */
export const BACKEND_DESCRIPTORS = {
  aws: AWS_BACKEND,
  gcp: GCP_BACKEND,
  azure: AZURE_BACKEND,
  "s3-compatible": S3_COMPATIBLE_BACKEND,
} as const satisfies {
  readonly [B in Backend]: BackendDescriptor<B, CredentialMode<B>, StoreConfig & { backend: B }>;
};

/** A backend's descriptor as code that works for any backend reads it. */
export function descriptorOf(backend: Backend): BackendDescriptor<Backend, string, StoreConfig> {
  return BACKEND_DESCRIPTORS[backend];
}

/** A backend's identity modes, in the order its descriptor lists them. */
export function credentialModes<B extends Backend>(backend: B): CredentialMode<B>[] {
  // Object.keys types its result as string[]; the keys are the descriptor's modes.
  return Object.keys(BACKEND_DESCRIPTORS[backend].credentials) as CredentialMode<B>[];
}

/** A backend's modes of one kind, e.g. those whose key this project mints. */
export function modesOfKind(backend: Backend, kind: CredentialKind): string[] {
  const modes = descriptorOf(backend).credentials;
  return Object.keys(modes).filter((m) => modes[m] === kind);
}

/**
 * Modes that mint no secret anywhere: ZenML's server uses its own identity (implicit
 * authentication, `ZENML_ENABLE_IMPLICIT_AUTH_METHODS`) or a federated one.
 */
export function isKeyless(backend: Backend, credentials: string): boolean {
  return modesOfKind(backend, "keyless").includes(credentials);
}

/** `--store-name` … `--zenml-stack`: which store, and who uses it. */
const STORE_IDENTITY_FLAGS = [
  {
    flag: "store-name",
    configPath: "name",
    type: "string",
    describe: "The store (ZenML artifact store name) the flags describe",
  },
  {
    flag: "backend",
    configPath: "backend",
    type: "string",
    choices: BACKENDS,
    describe: "Backend of a new store",
  },
  {
    flag: "credentials",
    configPath: "credentials",
    type: "string",
    describe: `How ZenML authenticates: ${BACKENDS.map((b) => `${b} ${credentialModes(b).join("|")}`).join("; ")}`,
  },
  {
    flag: "zenml-stack",
    configPath: "stackName",
    type: "string",
    describe: "The ZenML stack that uses the store",
  },
] as const satisfies readonly StoreFlag[];

/** The bucket's options and the tags, the same on every backend. */
const STORE_BUCKET_FLAGS = [
  {
    flag: "bucket-name",
    configPath: "bucket.name",
    type: "string",
    describe: "Bucket (container) name; generated when omitted",
  },
  {
    flag: "adopt-bucket",
    configPath: "bucket.adopt",
    type: "boolean",
    describe: "Use the existing bucket --bucket-name instead of creating one",
  },
  {
    flag: "force-destroy",
    configPath: "bucket.forceDestroy",
    type: "boolean",
    describe: "Let destroy delete the bucket while it holds objects",
  },
  {
    flag: "versioning",
    configPath: "bucket.versioning",
    type: "boolean",
    describe: "Keep object versions (ZenML advises against it)",
  },
  {
    flag: "encryption-key",
    configPath: "bucket.encryptionKey",
    type: "string",
    describe: "Customer-managed key (KMS key ARN, Cloud KMS key, Key Vault key URL)",
  },
  {
    flag: "tag",
    configPath: "tags",
    type: "string",
    keyValue: true,
    describe: "KEY=VALUE tag (repeatable)",
  },
] as const satisfies readonly StoreFlag[];

type BackendStoreFlag = (typeof BACKEND_DESCRIPTORS)[Backend]["storeFlags"][number];

/** A flag whose help text is generated (any string), its other fields literal. */
type Described<F extends StoreFlag> = F extends StoreFlag
  ? Omit<F, "describe"> & { readonly describe: string }
  : never;

/** Any store flag, with its literal types (the CLI types its options from them). */
export type AnyStoreFlag = Described<
  (typeof STORE_IDENTITY_FLAGS)[number] | BackendStoreFlag | (typeof STORE_BUCKET_FLAGS)[number]
>;

/** The backends whose descriptors list `flag`. */
function backendsWith(flag: StoreFlag): Backend[] {
  return BACKENDS.filter((b) => descriptorOf(b).storeFlags.includes(flag));
}

/** A backend's own flag once, however many backends list it, its help naming them. */
function backendFlags(): AnyStoreFlag[] {
  const flags = [
    ...new Set(
      BACKENDS.flatMap((b): readonly BackendStoreFlag[] => BACKEND_DESCRIPTORS[b].storeFlags),
    ),
  ];
  return flags.map((f) => ({ ...f, describe: `${f.describe} (${backendsWith(f).join(", ")})` }));
}

/** Every store flag, in the order help lists them. */
export const STORE_FLAGS: readonly AnyStoreFlag[] = [
  ...STORE_IDENTITY_FLAGS,
  ...backendFlags(),
  ...STORE_BUCKET_FLAGS,
];
