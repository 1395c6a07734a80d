import type { InvokeCall, PlannedResource } from "./offline";
import { isObject } from "../config/fields";

/**
 * The access report: which identity may do which actions on which resource,
 * read from the resources the program registers — IAM-style policy documents
 * (identity policies, bucket policies, role trust policies, MinIO policies),
 * role bindings (GCP IAM members and bindings, Azure role assignments) and the
 * credentials minted for identities. Extraction goes by the shape of inputs,
 * not by backend, so a new backend's resources show up without changes here.
 */

type Json = Record<string, unknown>;

export type GrantKind =
  | "identity policy"
  | "resource policy"
  | "trust policy"
  | "role binding"
  | "bearer token"
  | "federation";

export interface Grant {
  readonly kind: GrantKind;
  /** Who: a resolved, readable principal. */
  readonly principal: string;
  readonly effect: "Allow" | "Deny";
  /** Actions (or roles, for bindings). `NOT …` marks NotAction entries. */
  readonly actions: readonly string[];
  /** On what; `NOT …` marks NotResource entries. */
  readonly resources: readonly string[];
  /** Conditions, one readable line each. */
  readonly conditions: readonly string[];
  /** The resource that grants it: `<type> <logical name>`. */
  readonly via: string;
  /** For a custom role defined by the program: what the role contains. */
  readonly roleContents?: readonly string[];
}

export interface MintedCredential {
  /** The identity the credential authenticates as. */
  readonly identity: string;
  readonly via: string;
}

export interface AccessReport {
  readonly grants: readonly Grant[];
  readonly credentials: readonly MintedCredential[];
  /** Things a security reviewer should look at: wildcards, public principals, broad roles. */
  readonly warnings: readonly string[];
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
}

/** The last segment of a type token: `aws:iam/user:User` → `User`. */
export function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}

/** `aws:iam/userPolicy:UserPolicy s3-store-user-access` */
export function via(r: PlannedResource): string {
  return `${r.type} ${r.name}`;
}

const INDEXED_KEYS = [
  "arn",
  "id",
  "name",
  "bucket",
  "email",
  "member",
  "uniqueId",
  "objectId",
  "clientId",
  "applicationId",
  "accountId",
];

/** Maps physical identifiers (ARNs, names, ids, e-mails) back to the planned resources. */
export class Resolver {
  private readonly exact = new Map<string, PlannedResource>();
  private readonly values: [string, PlannedResource][] = [];

  constructor(resources: readonly PlannedResource[]) {
    for (const r of resources) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
      for (const key of INDEXED_KEYS) {
        const v = r.state[key];
        if (typeof v !== "string" || v.length < 3) continue;
        if (!this.exact.has(v)) this.exact.set(v, r);
        if (v.length >= 6) this.values.push([v, r]);
      }
    }
    this.values.sort((a, b) => b[0].length - a[0].length);
  }

  /** The resource a value names exactly, or the resource whose identifier it contains. */
  find(value: string): PlannedResource | undefined {
    const direct = this.exact.get(value);
    if (direct) return direct;
    return this.values.find(([v]) => value.includes(v))?.[1];
  }

  /** `value [Type logical-name]`, or the value alone when it names nothing planned. */
  label(value: string): string {
    const r = this.find(value);
    return r ? `${value} [${shortType(r.type)} ${r.name}]` : value;
  }

  /** Like `label`, but a value only the resource `self` itself holds stays bare. */
  labelFrom(value: string, self: PlannedResource): string {
    return this.find(value) === self ? value : this.label(value);
  }

  /** The display name of an identity referenced by name (`user: zenml-…`). */
  identity(kind: string, value: string): string {
    return `${kind} ${this.label(value)}`;
  }
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

/** Parses a policy document given as JSON text or object; undefined when it is not one. */
export function policyStatements(value: unknown): Statement[] | undefined {
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!isObject(doc) || doc.Statement === undefined) return undefined;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.filter(isObject) as Statement[];
}

function conditionLines(condition: unknown, resolver: Resolver): string[] {
  if (!isObject(condition)) return [];
  const lines: string[] = [];
  for (const [op, clauses] of Object.entries(condition)) {
    if (!isObject(clauses)) continue;
    for (const [key, value] of Object.entries(clauses)) {
      lines.push(
        `${key} ${op} ${list(value)
          .map((v) => resolver.label(v))
          .join(" | ")}`,
      );
    }
  }
  return lines;
}

function principals(p: unknown, resolver: Resolver): string[] {
  if (p === "*") return ["anyone (*)"];
  if (!isObject(p)) return list(p).map((v) => resolver.label(v));
  const out: string[] = [];
  for (const [kind, value] of Object.entries(p)) {
    for (const v of list(value)) {
      if (v === "*") out.push(`any ${kind} principal (*)`);
      else if (kind === "AWS" && /^arn:[^:]+:iam::\d{12}:root$/.test(v)) {
        out.push(`AWS account ${v.split(":")[4]} (${v})`);
      } else out.push(`${kind} ${resolver.label(v)}`);
    }
  }
  return out;
}

function statementGrant(
  s: Statement,
  kind: GrantKind,
  principal: string,
  resources: string[],
  resolver: Resolver,
  r: PlannedResource,
): Grant {
  return {
    kind,
    principal,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: [...list(s.Action), ...list(s.NotAction).map((a) => `NOT ${a}`)],
    resources,
    conditions: conditionLines(s.Condition, resolver),
    via: via(r),
  };
}

function statementResources(s: Statement, resolver: Resolver): string[] {
  return [
    ...list(s.Resource).map((v) => resolver.label(v)),
    ...list(s.NotResource).map((v) => `NOT ${resolver.label(v)}`),
  ];
}

/** Identity inputs: which input of a policy resource names the identity it applies to. */
const IDENTITY_INPUTS: readonly [string, string][] = [
  ["user", "IAM user"],
  ["userName", "user"],
  ["role", "IAM role"],
  ["group", "IAM group"],
  ["groupName", "group"],
  ["users", "IAM user"],
  ["roles", "IAM role"],
  ["groups", "IAM group"],
  ["targetUser", "service account of user"],
];

function identitiesOf(inputs: Json, resolver: Resolver): string[] {
  const out: string[] = [];
  for (const [key, kind] of IDENTITY_INPUTS) {
    for (const v of list(inputs[key])) out.push(resolver.identity(kind, v));
  }
  return out;
}

/** Who a standalone policy (managed policy, MinIO policy) is attached to, via attachment resources. */
function attachedTo(
  policy: PlannedResource,
  resources: readonly PlannedResource[],
  resolver: Resolver,
): string[] {
  const handles = new Set(
    ["arn", "id", "name"]
      .map((k) => policy.state[k])
      .filter((v): v is string => typeof v === "string"),
  );
  const out: string[] = [];
  for (const r of resources) {
    if (r === policy || !r.custom) continue;
    const refs = Object.entries(r.inputs).filter(
      ([k, v]) => /polic/i.test(k) && typeof v === "string" && handles.has(v),
    );
    if (refs.length === 0) continue;
    out.push(...identitiesOf(r.inputs, resolver));
  }
  return out;
}

const POLICY_INPUTS = ["policy", "policyDocument", "inlinePolicy"];

function policyGrants(
  r: PlannedResource,
  resources: readonly PlannedResource[],
  resolver: Resolver,
): Grant[] | undefined {
  const grants: Grant[] = [];
  let found = false;
  const trust = policyStatements(r.inputs.assumeRolePolicy);
  if (trust) {
    found = true;
    const self = resolver.label(String(r.state.arn ?? r.state.name ?? r.name));
    for (const s of trust) {
      for (const p of principals(s.Principal ?? s.NotPrincipal, resolver)) {
        grants.push(statementGrant(s, "trust policy", p, [self], resolver, r));
      }
    }
  }
  for (const key of POLICY_INPUTS) {
    const statements = policyStatements(r.inputs[key]);
    if (!statements) continue;
    found = true;
    const identities = identitiesOf(r.inputs, resolver);
    const isResourcePolicy =
      identities.length === 0 &&
      statements.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined);
    if (isResourcePolicy) {
      const onWhat = resolver.label(String(r.inputs.bucket ?? r.inputs.resourceArn ?? r.name));
      for (const s of statements) {
        const target = statementResources(s, resolver);
        for (const p of principals(s.Principal ?? s.NotPrincipal ?? "*", resolver)) {
          grants.push(
            statementGrant(s, "resource policy", p, target.length ? target : [onWhat], resolver, r),
          );
        }
      }
      continue;
    }
    const who = identities.length > 0 ? identities : attachedTo(r, resources, resolver);
    const holders =
      who.length > 0 ? who : [`whoever policy ${r.name} is attached to (no attachment planned)`];
    for (const s of statements) {
      for (const p of holders) {
        grants.push(
          statementGrant(s, "identity policy", p, statementResources(s, resolver), resolver, r),
        );
      }
    }
  }
  return found ? grants : undefined;
}

// Azure built-in role definition ids that storage identities get.
const AZURE_ROLES: Readonly<Record<string, string>> = {
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "db58b8e5-c6ad-4a2a-8342-4190687cbf4a": "Storage Blob Delegator",
  "c12c1c16-33a1-487b-954d-41c89c60f349": "Reader and Data Access",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
};

function roleLabel(role: string, resolver: Resolver): string {
  const id = role.split("/").pop()?.toLowerCase() ?? role;
  const name = AZURE_ROLES[id];
  return name ? `${name} (${role})` : resolver.label(role);
}

const ROLE_INPUTS = ["role", "roleDefinitionId", "roleName"];
const MEMBER_INPUTS = ["member", "members", "principalId", "principal"];
const TARGET_INPUTS = [
  "bucket",
  "scope",
  "serviceAccountId",
  "project",
  "resource",
  "storageAccount",
  "container",
  "secretId",
  "cryptoKeyId",
  "keyRingId",
];

function bindingGrants(r: PlannedResource, resolver: Resolver): Grant[] | undefined {
  const roleKey = ROLE_INPUTS.find((k) => typeof r.inputs[k] === "string");
  const memberKey = MEMBER_INPUTS.find((k) => r.inputs[k] !== undefined);
  if (roleKey === undefined || memberKey === undefined) return undefined;
  const targetKey = TARGET_INPUTS.find((k) => typeof r.inputs[k] === "string");
  const target = targetKey
    ? resolver.label(String(r.inputs[targetKey]))
    : `${shortType(r.type)} ${r.name}`;
  const condition = isObject(r.inputs.condition)
    ? [
        `${String(r.inputs.condition.title ?? "condition")}: ${String(r.inputs.condition.expression ?? "")}`,
      ]
    : [];
  const principalType =
    typeof r.inputs.principalType === "string" ? `${r.inputs.principalType} ` : "";
  const role = String(r.inputs[roleKey]);
  const contents = customRolePermissions(role, resolver);
  return list(r.inputs[memberKey]).map((m) => ({
    kind: "role binding" as const,
    principal: `${principalType}${resolver.labelFrom(m, r)}`,
    effect: "Allow" as const,
    actions: [roleLabel(role, resolver)],
    resources: [target],
    conditions: condition,
    via: via(r),
    ...(contents.length > 0 ? { roleContents: contents } : {}),
  }));
}

/** What a custom role defined in the same program grants (Azure role definition, GCP custom role). */
function customRolePermissions(role: string, resolver: Resolver): string[] {
  const def = resolver.find(role);
  if (!def) return [];
  const perms = def.inputs.permissions;
  const out: string[] = [];
  for (const p of Array.isArray(perms) ? perms : []) {
    if (typeof p === "string") out.push(p);
    else if (isObject(p)) {
      for (const [kind, actions] of Object.entries(p)) {
        for (const a of list(actions)) out.push(`${kind}: ${a}`);
      }
    }
  }
  return out;
}

const SAS_PERMISSIONS: Readonly<Record<string, string>> = {
  r: "read",
  a: "add",
  c: "create",
  w: "write",
  d: "delete",
  x: "delete version",
  y: "permanent delete",
  l: "list",
  t: "tags",
  f: "find",
  m: "move",
  e: "execute",
  o: "ownership",
  p: "permissions",
  i: "set immutability policy",
};

/** Bearer tokens minted by an invoke (Azure SAS): whoever holds the token may do what it says. */
function tokenGrants(calls: readonly InvokeCall[], resolver: Resolver): Grant[] {
  const out: Grant[] = [];
  for (const call of calls) {
    if (!/SAS$/i.test(call.token)) continue;
    const i = call.inputs;
    const permissions = typeof i.permissions === "string" ? i.permissions : "";
    const conditions: string[] = [];
    if (typeof i.sharedAccessExpiryTime === "string")
      conditions.push(`until ${i.sharedAccessExpiryTime}`);
    if (typeof i.sharedAccessStartTime === "string")
      conditions.push(`from ${i.sharedAccessStartTime}`);
    if (typeof i.protocols === "string") conditions.push(`protocols ${i.protocols}`);
    if (typeof i.iPAddressOrRange === "string") conditions.push(`from IP ${i.iPAddressOrRange}`);
    const target =
      typeof i.canonicalizedResource === "string"
        ? i.canonicalizedResource
        : String(i.accountName ?? "the storage account");
    out.push({
      kind: "bearer token",
      principal: "anyone holding the SAS token (stored as a Pulumi secret)",
      effect: "Allow",
      actions: [...permissions].map((c) => `${c} (${SAS_PERMISSIONS[c] ?? "?"})`),
      resources: [resolver.label(target)],
      conditions,
      via: `invoke ${call.token}`,
    });
  }
  return out;
}

const CREDENTIAL_TYPE = /(AccessKey|ServiceAccountKey|Password|Secret|SasToken|:Key)$/;
const CREDENTIAL_OWNER_INPUTS: readonly [string, string][] = [
  ["user", "IAM user"],
  ["userName", "user"],
  ["serviceAccountId", "service account"],
  ["applicationId", "application"],
  ["applicationObjectId", "application"],
  ["servicePrincipalId", "service principal"],
  ["targetUser", "user"],
];

function credentialOf(r: PlannedResource, resolver: Resolver): MintedCredential | undefined {
  const byType = CREDENTIAL_TYPE.test(r.type) && !/^[a-z-]+:kms\//.test(r.type);
  const byOutput = ["secret", "secretKey", "privateKey"].some(
    (k) => typeof r.state[k] === "string",
  );
  if (!byType && !byOutput) return undefined;
  const owner = CREDENTIAL_OWNER_INPUTS.find(([k]) => typeof r.inputs[k] === "string");
  const self = typeof r.state.name === "string" ? resolver.label(r.state.name) : r.name;
  return {
    identity: owner
      ? resolver.identity(owner[1], String(r.inputs[owner[0]]))
      : `${shortType(r.type)} ${self}`,
    via: via(r),
  };
}

const BROAD_ROLES =
  /^(roles\/(owner|editor)|roles\/storage\.admin)$|\((Owner|Contributor)\)|^(Owner|Contributor) \(/;

function warningsFor(g: Grant): string[] {
  const out: string[] = [];
  if (g.effect !== "Allow") return out;
  const where = `${g.principal} via ${g.via}`;
  for (const a of g.actions) {
    if (a === "*" || /^[a-z0-9-]+:\*$/i.test(a)) out.push(`wildcard action ${a} for ${where}`);
    if (a.startsWith("NOT "))
      out.push(`NotAction allows everything except ${a.slice(4)} for ${where}`);
    if (BROAD_ROLES.test(a)) out.push(`broad role ${a} for ${where}`);
  }
  for (const res of g.resources) {
    if (res === "*") out.push(`every resource (*) for ${where}`);
  }
  if (g.kind === "federation" && g.conditions.some((c) => c.startsWith("no attribute condition"))) {
    out.push(`federation without a condition: ${where}`);
  }
  if (
    /^anyone \(\*\)|^any .* principal \(\*\)|allUsers|allAuthenticatedUsers/.test(g.principal) &&
    g.conditions.length === 0
  ) {
    out.push(`public access: ${g.actions.join(", ")} via ${g.via}`);
  }
  return out;
}

/**
 * Federation trust: a GCP workload identity pool provider (OIDC issuer or AWS account,
 * with its attribute condition) or an Entra federated identity credential (issuer and
 * subject): who may exchange their own token for the identity, under which condition.
 */
function federationGrants(r: PlannedResource, resolver: Resolver): Grant[] | undefined {
  const i = r.inputs;
  if (typeof i.workloadIdentityPoolProviderId === "string") {
    const oidc = isObject(i.oidc) ? i.oidc : undefined;
    const aws = isObject(i.aws) ? i.aws : undefined;
    const principal = oidc
      ? `tokens of OIDC issuer ${String(oidc.issuerUri)}`
      : aws
        ? `sessions in AWS account ${String(aws.accountId)}`
        : `provider ${r.name}`;
    const conditions: string[] = [];
    if (typeof i.attributeCondition === "string") conditions.push(i.attributeCondition);
    else conditions.push("no attribute condition: every identity of the issuer");
    if (oidc && Array.isArray(oidc.allowedAudiences)) {
      conditions.push(`audience in ${list(oidc.allowedAudiences).join(" | ")}`);
    }
    return [
      {
        kind: "federation",
        principal,
        effect: "Allow",
        actions: ["exchange its token for a federated identity (STS)"],
        resources: [resolver.label(String(i.workloadIdentityPoolId ?? r.name))],
        conditions,
        via: via(r),
      },
    ];
  }
  if (typeof i.issuer === "string" && typeof i.subject === "string" && i.audiences !== undefined) {
    return [
      {
        kind: "federation",
        principal: `tokens of OIDC issuer ${i.issuer}`,
        effect: "Allow",
        actions: ["sign in as the managed identity (token exchange)"],
        resources: [resolver.label(String(i.resourceName ?? r.name))],
        conditions: [`subject == ${i.subject}`, `audience in ${list(i.audiences).join(" | ")}`],
        via: via(r),
      },
    ];
  }
  return undefined;
}

/** Builds the access report from the planned resources. */
export function accessReport(
  resources: readonly PlannedResource[],
  invokeCalls: readonly InvokeCall[] = [],
): AccessReport {
  const resolver = new Resolver(resources);
  const grants: Grant[] = [];
  const credentials: MintedCredential[] = [];
  for (const r of resources) {
    if (!r.custom) continue;
    const fromPolicy = policyGrants(r, resources, resolver) ?? federationGrants(r, resolver);
    if (fromPolicy) grants.push(...fromPolicy);
    else {
      const fromBinding = bindingGrants(r, resolver);
      if (fromBinding) grants.push(...fromBinding);
    }
    const credential = credentialOf(r, resolver);
    if (credential) credentials.push(credential);
  }
  grants.push(...tokenGrants(invokeCalls, resolver));
  const warnings = [...new Set(grants.flatMap(warningsFor))];
  return { grants, credentials, warnings };
}
