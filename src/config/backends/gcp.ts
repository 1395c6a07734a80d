import { ConfigError } from "../errors";
import { object, optionalBoolean, optionalString, type Obj } from "../fields";
import { gcsBucketNameRule, shortHash } from "../names";
import type { ConfigContext, StoreBaseWith } from "../base";
import type { BackendDescriptor, CredentialKind } from "./descriptor";
import {
  awsAccountIdRule,
  DEFAULT_TOKEN_FILE,
  gcpServiceAccountEmailRule,
  iamRoleNameRule,
  oidcIssuerRule,
  oidcSubjectRule,
  uuidRule,
  ZENML_PRO_AWS_ACCOUNT,
  zenmlProRoleName,
  type GcpFederation,
} from "./keyless";

/**
 * The identity modes: a service account key this project mints, a key of the
 * user's account that impersonates the store's, or no key (federation, the
 * server's own account).
 */
const GCP_CREDENTIALS = {
  "service-account-key": "minted-key",
  impersonation: "secret",
  "external-account": "keyless",
  implicit: "keyless",
} as const satisfies Record<string, CredentialKind>;
export type GcpCredentialMode = keyof typeof GCP_CREDENTIALS;

export interface GcpStoreConfig extends StoreBaseWith<GcpCredentialMode> {
  readonly backend: "gcp";
  /** The GCP project that holds the bucket and the service account. */
  readonly project: string;
  /** The bucket's location (region, multi-region or dual-region); undefined for an adopted bucket. */
  readonly location?: string;
  /** Impersonation mode: the IAM principal allowed to mint tokens for the store's service account. */
  readonly impersonator?: string;
  /** With bucket.encryptionKey: grant the GCS service agent use of the key (default true). */
  readonly grantEncryptionKeyAccess: boolean;
  /** `external-account` mode: who federates into the store's service account. */
  readonly federation?: GcpFederation;
  /** `implicit` mode: the ZenML server's own service account, granted the bucket roles. */
  readonly serverServiceAccount?: string;
}

/** Store keys only the gcp backend has. */
export const GCP_STORE_KEYS = [
  "project",
  "location",
  "impersonator",
  "impersonatorKey",
  "grantEncryptionKeyAccess",
  "workloadIdentity",
  "serverServiceAccount",
] as const;

const WORKLOAD_IDENTITY_KEYS = [
  "issuer",
  "subject",
  "audience",
  "tokenFile",
  "awsAccountId",
  "awsRoleName",
  "zenmlProWorkspaceId",
];

// https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
// (6-30 characters), optionally domain-scoped (`example.com:my-project`).
const PROJECT_ID = /^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

// https://cloud.google.com/storage/docs/locations: a region (`europe-west1`), a multi-region
// (`EU`, `US`, `ASIA`) or a predefined dual-region (`EUR4`, `NAM4`, `ASIA1`, ...). GCS treats
// locations case-insensitively.
const LOCATION = /^(?:[a-z]+-[a-z]+\d+|[a-z]{2,4}\d?)$/i;

const EMAIL = /^[^\s@:]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** The IAM member forms accepted for `impersonator`. */
const MEMBER_KINDS = ["user", "group", "serviceAccount", "domain"] as const;
type MemberKind = (typeof MEMBER_KINDS)[number];

/** Parses an IAM member (`kind:value`); returns the rule it breaks as a string. */
export function parseIamMember(member: string): { kind: MemberKind; value: string } | string {
  const colon = member.indexOf(":");
  const kind = member.slice(0, colon) as MemberKind;
  const value = member.slice(colon + 1);
  if (colon < 0 || !MEMBER_KINDS.includes(kind)) {
    return `"${member}" must be an IAM member: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN`;
  }
  const valid = kind === "domain" ? DOMAIN.test(value) : EMAIL.test(value);
  if (!valid) {
    return `"${member}" must be ${kind}:${kind === "domain" ? "DOMAIN" : "EMAIL"} with a valid ${kind === "domain" ? "domain" : "e-mail address"}`;
  }
  return { kind, value };
}

/** The fields ZenML 0.98's GCP connector requires in a service-account key JSON. */
export const SERVICE_ACCOUNT_KEY_FIELDS = [
  "type",
  "project_id",
  "private_key_id",
  "private_key",
  "client_email",
  "client_id",
  "auth_uri",
  "token_uri",
  "auth_provider_x509_cert_url",
  "client_x509_cert_url",
] as const;

/**
 * Reads a service-account key given as JSON or as base64 of the JSON (as `gcloud` and
 * Pulumi produce them) and returns the JSON. Errors never quote the value: it is a credential.
 */
export function parseServiceAccountKey(
  raw: string,
): { json: string; clientEmail: string } | string {
  let text = raw.trim();
  if (!text.startsWith("{")) {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) {
      return "must be a service-account key JSON, or base64 of it";
    }
    text = Buffer.from(text, "base64").toString("utf8").trim();
  }
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch {
    return "must be a service-account key JSON, or base64 of it";
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) {
    return "must be a service-account key JSON, or base64 of it";
  }
  const fields = key as Record<string, unknown>;
  if (fields.type !== "service_account") {
    return 'must be a service-account key ("type": "service_account")';
  }
  const missing = SERVICE_ACCOUNT_KEY_FIELDS.filter((f) => typeof fields[f] !== "string");
  if (missing.length > 0) {
    return `is a service-account key without the field(s) ZenML requires: ${missing.join(", ")}`;
  }
  return { json: text, clientEmail: fields.client_email as string };
}

export function parseGcpStore(
  obj: Obj,
  key: string,
  base: StoreBaseWith<GcpCredentialMode>,
  context: ConfigContext,
): GcpStoreConfig {
  const project = optionalString(obj, "project", key) ?? context.providerConfig["gcp:project"];
  if (project === undefined) {
    throw new ConfigError(`${key}.project`, "is required when gcp:project is not set");
  }
  if (!PROJECT_ID.test(project)) {
    throw new ConfigError(
      `${key}.project`,
      `"${project}" is not a GCP project id (6-30 lower-case letters, digits and hyphens, starting with a letter)`,
    );
  }

  let location: string | undefined;
  if (base.bucket.adopt) {
    if (obj.location !== undefined) {
      throw new ConfigError(
        `${key}.location`,
        "only applies to a bucket this project creates; remove it or set bucket.adopt to false",
      );
    }
  } else {
    location = optionalString(obj, "location", key) ?? context.providerConfig["gcp:region"];
    if (location === undefined) {
      throw new ConfigError(`${key}.location`, "is required when gcp:region is not set");
    }
    if (!LOCATION.test(location)) {
      throw new ConfigError(
        `${key}.location`,
        `"${location}" is not a GCS location (a region such as europe-west1, a multi-region such as EU, or a dual-region such as EUR4)`,
      );
    }
  }

  if (base.bucket.name === undefined) {
    // The generated name embeds the store name; refuse one GCS would refuse.
    const broken = gcsBucketNameRule(gcsBucketName(base.name, "0".repeat(8)));
    if (broken) {
      throw new ConfigError(
        `${key}.name`,
        `"${base.name}" cannot be part of a generated GCS bucket name, which ${broken}; set bucket.name`,
      );
    }
  }

  const encryptionKey = base.bucket.encryptionKey;
  if (encryptionKey !== undefined && location !== undefined) {
    const keyLocation = encryptionKey.split("/")[3];
    const needed = kmsLocationFor(location);
    if (needed !== undefined && keyLocation !== needed) {
      throw new ConfigError(
        `${key}.bucket.encryptionKey`,
        `is a key in ${keyLocation}; a bucket in ${location} needs a key ring in ${needed}`,
      );
    }
  }

  const grant = optionalBoolean(obj, "grantEncryptionKeyAccess", key);
  if (grant !== undefined && base.bucket.encryptionKey === undefined) {
    throw new ConfigError(
      `${key}.grantEncryptionKeyAccess`,
      "only applies when bucket.encryptionKey is set",
    );
  }

  const { impersonator } = parseImpersonation(obj, key, base.name, base.credentials);
  return {
    ...base,
    backend: "gcp",
    project,
    location,
    impersonator,
    grantEncryptionKeyAccess: grant ?? true,
    ...parseKeyless(obj, key, base.credentials),
  };
}

/** The keyless modes' keys: `workloadIdentity` (external-account), `serverServiceAccount` (implicit). */
function parseKeyless(
  obj: Obj,
  key: string,
  credentials: GcpCredentialMode,
): { federation?: GcpFederation; serverServiceAccount?: string } {
  const rawFed = obj.workloadIdentity;
  const server = optionalString(obj, "serverServiceAccount", key);
  if (credentials !== "external-account" && rawFed !== undefined && rawFed !== null) {
    throw new ConfigError(
      `${key}.workloadIdentity`,
      "only applies when credentials is external-account",
    );
  }
  if (credentials !== "implicit" && server !== undefined) {
    throw new ConfigError(
      `${key}.serverServiceAccount`,
      "only applies when credentials is implicit",
    );
  }
  if (credentials === "implicit") {
    if (server === undefined) {
      throw new ConfigError(
        `${key}.serverServiceAccount`,
        "is required with credentials implicit: the e-mail of the service account the ZenML server runs as",
      );
    }
    const broken = gcpServiceAccountEmailRule(server);
    if (broken) throw new ConfigError(`${key}.serverServiceAccount`, broken);
    return { serverServiceAccount: server };
  }
  if (credentials !== "external-account") return {};
  const where = `${key}.workloadIdentity`;
  if (rawFed === undefined || rawFed === null) {
    throw new ConfigError(
      where,
      "is required with credentials external-account: an OIDC issuer and subject, an AWS account and role, or zenmlProWorkspaceId",
    );
  }
  return { federation: parseFederation(object(rawFed, where, WORKLOAD_IDENTITY_KEYS), where) };
}

function parseFederation(fed: Obj, where: string): GcpFederation {
  const issuer = optionalString(fed, "issuer", where);
  const accountId = optionalString(fed, "awsAccountId", where);
  const workspace = optionalString(fed, "zenmlProWorkspaceId", where);
  const forms = [issuer, accountId ?? optionalString(fed, "awsRoleName", where), workspace];
  if (forms.filter((f) => f !== undefined).length !== 1) {
    throw new ConfigError(
      where,
      "must have exactly one of: issuer (with subject), awsAccountId (with awsRoleName), zenmlProWorkspaceId",
    );
  }
  if (issuer !== undefined) {
    const extra = ["awsRoleName"].find((k) => fed[k] !== undefined);
    if (extra) throw new ConfigError(`${where}.${extra}`, "only applies with awsAccountId");
    const badIssuer = oidcIssuerRule(issuer);
    if (badIssuer) throw new ConfigError(`${where}.issuer`, badIssuer);
    const subject = optionalString(fed, "subject", where);
    if (subject === undefined) {
      throw new ConfigError(
        `${where}.subject`,
        "is required with issuer: the one token subject allowed (e.g. system:serviceaccount:zenml:zenml-server)",
      );
    }
    const badSubject = oidcSubjectRule(subject);
    if (badSubject) throw new ConfigError(`${where}.subject`, badSubject);
    const audience = optionalString(fed, "audience", where);
    if (audience !== undefined && /[\s"]/.test(audience)) {
      throw new ConfigError(`${where}.audience`, `"${audience}" must not contain spaces or quotes`);
    }
    const tokenFile = optionalString(fed, "tokenFile", where) ?? DEFAULT_TOKEN_FILE;
    if (!tokenFile.startsWith("/")) {
      throw new ConfigError(`${where}.tokenFile`, `"${tokenFile}" must be an absolute path`);
    }
    return { kind: "oidc", issuer, subject, ...(audience ? { audience } : {}), tokenFile };
  }
  const oidcOnly = ["subject", "audience", "tokenFile"].find((k) => fed[k] !== undefined);
  if (oidcOnly) throw new ConfigError(`${where}.${oidcOnly}`, "only applies with issuer");
  if (workspace !== undefined) {
    const broken = uuidRule(workspace);
    if (broken) throw new ConfigError(`${where}.zenmlProWorkspaceId`, broken);
    return {
      kind: "aws",
      accountId: ZENML_PRO_AWS_ACCOUNT,
      roleName: zenmlProRoleName(workspace.toLowerCase()),
    };
  }
  if (accountId === undefined) {
    throw new ConfigError(`${where}.awsAccountId`, "is required with awsRoleName");
  }
  const badAccount = awsAccountIdRule(accountId);
  if (badAccount) throw new ConfigError(`${where}.awsAccountId`, badAccount);
  const roleName = optionalString(fed, "awsRoleName", where);
  if (roleName === undefined) {
    throw new ConfigError(`${where}.awsRoleName`, "is required with awsAccountId");
  }
  const badRole = iamRoleNameRule(roleName);
  if (badRole) throw new ConfigError(`${where}.awsRoleName`, badRole);
  return { kind: "aws", accountId, roleName };
}

function parseImpersonation(
  obj: Obj,
  key: string,
  storeName: string,
  credentials: GcpCredentialMode,
): { impersonator?: string } {
  if (obj.impersonatorKey !== undefined) {
    // Secrets the user brings live in one secret key, never in the stores list.
    throw new ConfigError(
      `${key}.impersonatorKey`,
      `moved: the key goes in storeSecrets.${storeName}.impersonatorKey (pulumi config set --secret --path 'storeSecrets.${storeName}.impersonatorKey' <key JSON or base64>)`,
    );
  }
  const impersonator = optionalString(obj, "impersonator", key);
  if (credentials !== "impersonation") {
    if (impersonator !== undefined) {
      throw new ConfigError(
        `${key}.impersonator`,
        "only applies when credentials is impersonation",
      );
    }
    return {};
  }
  if (impersonator === undefined) {
    throw new ConfigError(
      `${key}.impersonator`,
      "is required with credentials impersonation (e.g. serviceAccount:zenml-source@my-project.iam.gserviceaccount.com)",
    );
  }
  const member = parseIamMember(impersonator);
  if (typeof member === "string") throw new ConfigError(`${key}.impersonator`, member);
  // ZenML's impersonation connector authenticates with a service-account key (its
  // required `service_account_json`) and nothing else, so the token-creator grant must
  // reach that service account: directly, or through a group it belongs to.
  if (member.kind === "user" || member.kind === "domain") {
    throw new ConfigError(
      `${key}.impersonator`,
      `"${impersonator}" cannot be used by ZenML's impersonation connector, which authenticates as a service account; use serviceAccount:EMAIL or a group:EMAIL that contains it`,
    );
  }
  return { impersonator };
}

/** The generated bucket name: `zenml-<store>-<8 hex digits>`, at most 55 characters. */
export function gcsBucketName(storeName: string, hash: string): string {
  return `zenml-${storeName}-${hash}`;
}

/**
 * The hash part of a generated bucket name. GCS bucket names are global, so the GCP
 * project takes part: the same Pulumi project, stack and store in two GCP projects get
 * two names.
 */
export function gcsBucketHash(
  pulumiProject: string,
  stack: string,
  gcpProject: string,
  storeName: string,
): string {
  return shortHash(pulumiProject, stack, gcpProject, storeName);
}

/**
 * The store's service-account id (6-30 of `a-z 0-9 -`, starting with a letter):
 * `zenml-<store, cut to 14>-<8 hex digits>`, unique per Pulumi project, stack and store.
 */
export function gcpServiceAccountId(
  pulumiProject: string,
  stack: string,
  storeName: string,
): string {
  const stem = storeName.slice(0, 14).replace(/-+$/, "");
  return `zenml-${stem}-${shortHash(pulumiProject, stack, storeName)}`;
}

const MULTI_REGION_KMS_LOCATIONS: Readonly<Record<string, string>> = {
  us: "us",
  eu: "europe",
  asia: "asia",
};

/**
 * The Cloud KMS location a key must have to encrypt a bucket in `location`
 * (https://cloud.google.com/storage/docs/encryption/customer-managed-keys#restrictions):
 * the same region, or the matching multi-region. Undefined for dual-regions, which are
 * not checked here.
 */
export function kmsLocationFor(location: string): string | undefined {
  const l = location.toLowerCase();
  if (/^[a-z]+-[a-z]+\d+$/.test(l)) return l;
  return MULTI_REGION_KMS_LOCATIONS[l];
}

export const GCP_BACKEND = {
  backend: "gcp",
  credentials: GCP_CREDENTIALS,
  defaultCredentials: "service-account-key",
  storeKeys: GCP_STORE_KEYS,
  parse: parseGcpStore,
  names: { bucket: gcsBucketNameRule, identity: gcpServiceAccountId },
  customerKey: {
    pattern: /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
    rule: "must be a Cloud KMS key name (projects/…/locations/…/keyRings/…/cryptoKeys/…)",
  },
  // https://cloud.google.com/resource-manager/docs/labels-overview#requirements
  tagRule: (k, v) =>
    !/^[a-z][a-z0-9_-]{0,62}$/.test(k) || !/^[a-z0-9_-]{0,63}$/.test(v)
      ? "GCP labels need lower-case keys starting with a letter and values of lower-case letters, digits, _ or -, at most 63 characters each"
      : undefined,
  zenml: { flavor: "gcp", pathSchemes: ["gs://"] },
  verifier: "gcs",
  storeFlags: [],
} as const satisfies BackendDescriptor<"gcp", GcpCredentialMode, GcpStoreConfig>;
