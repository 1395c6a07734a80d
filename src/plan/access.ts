import type { InvokeCall, PlannedResource } from "./offline";
import { isObject } from "../config/fields";
import type { StoreAuth } from "../zenml/model";
import { GCP_ROLE_PERMISSIONS } from "./gcpRoles";

/**
 * The access report: which identity may do which actions on which resource,
 * read from the resources the program registers — IAM-style policy documents
 * (identity policies, bucket policies, role trust policies, MinIO policies),
 * role bindings (GCP IAM members and bindings, Azure role assignments) and the
 * credentials minted for identities. Extraction goes by the shape of inputs,
 * not by backend, so a new backend's resources show up without changes here.
 * Values stay bare; which planned resource a value names is kept beside it
 * (`references`), so `--json` carries data and the text adds `[Type name]`.
 */

type Json = Record<string, unknown>;

/** A planned resource a value names: its type token and logical (Pulumi) name. */
export interface ResourceRef {
  readonly type: string;
  readonly name: string;
}

/** Which planned resource a shown value names, by the value as shown. */
export type References = Readonly<Record<string, ResourceRef>>;

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
  /** What the role carries: a custom role's permissions, or a known predefined role's. */
  readonly roleContents?: readonly string[];
  /** The store the grant belongs to, when the report was made for stores. */
  readonly store?: string;
  /** The planned resources the principal, actions, resources and conditions name. */
  readonly references: References;
}

export interface MintedCredential {
  /** The identity the credential authenticates as (or the token itself). */
  readonly identity: string;
  readonly via: string;
  readonly store?: string;
  /** Where ZenML is given it: `ZenML secret <name>` or `ZenML connector <type>/<method>`. */
  readonly givenTo?: string;
  readonly references: References;
}

/** What the report needs to know of the stores: their names and how ZenML reaches each. */
export interface StoreContext {
  readonly auth: Readonly<Record<string, StoreAuth | undefined>>;
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

/** A value seen in a longer one as a whole segment (`arn:…:::b/*`, `/blob/account/container`). */
function containsSegment(value: string, part: string): boolean {
  for (let i = value.indexOf(part); i !== -1; i = value.indexOf(part, i + 1)) {
    const end = i + part.length;
    if (
      (i === 0 || /[/:@=]/.test(value[i - 1])) &&
      (end === value.length || /[/:]/.test(value[end]))
    )
      return true;
  }
  return false;
}

/** Whether a resource's kind fits what an input names: `policyName` → a policy. */
function fitsHint(r: PlannedResource, hint: string | undefined): boolean {
  if (hint === undefined) return false;
  const kind = shortType(r.type).toLowerCase();
  const wanted = hint.toLowerCase().replace(/(name|id|arn|ids|names|s)$/, "");
  return wanted.length > 0 && (kind.includes(wanted) || wanted.includes(kind));
}

/** Maps physical identifiers (ARNs, names, ids, e-mails) back to the planned resources. */
export class Resolver {
  private readonly exact = new Map<string, PlannedResource[]>();
  private readonly values: [string, PlannedResource][] = [];

  constructor(resources: readonly PlannedResource[]) {
    for (const r of resources) {
      if (!r.custom || r.type.startsWith("pulumi:providers:")) continue;
      for (const key of INDEXED_KEYS) {
        const v = r.state[key];
        if (typeof v !== "string" || v.length < 3) continue;
        const same = this.exact.get(v) ?? [];
        if (!same.includes(r)) this.exact.set(v, [...same, r]);
        // Plain words ("default") name nothing inside a longer value.
        if (v.length >= 6 && /[^a-zA-Z]/.test(v)) this.values.push([v, r]);
      }
    }
    this.values.sort((a, b) => b[0].length - a[0].length);
  }

  /**
   * The resource a value names exactly, or the resource whose identifier it contains
   * as a segment; `hint` (the input's key, or a kind) picks among several.
   */
  find(value: string, hint?: string): PlannedResource | undefined {
    const direct = this.exact.get(value);
    if (direct) return direct.find((r) => fitsHint(r, hint)) ?? direct[0];
    const inside = this.values.filter(([v]) => containsSegment(value, v)).map(([, r]) => r);
    return inside.find((r) => fitsHint(r, hint)) ?? inside[0];
  }

  /** `value`, and the resource it names when one is planned. */
  show(value: string, hint?: string): Shown {
    return { text: value, ref: refTo(this.find(value, hint)) };
  }

  /** Like `show`, but a value only the resource `self` itself holds names nothing. */
  showFrom(value: string, self: PlannedResource, prefix = ""): Shown {
    const r = this.find(value);
    return { text: `${prefix}${value}`, ref: r === self ? undefined : refTo(r) };
  }

  /** An identity referenced by name: `IAM user zenml-…`, naming the user resource. */
  identity(kind: string, value: string): Shown {
    return { text: `${kind} ${value}`, ref: refTo(this.find(value, kind.split(" ").pop())) };
  }
}

/** A value as the report shows it, and the planned resource it names. */
export interface Shown {
  readonly text: string;
  readonly ref?: ResourceRef;
}

function refTo(r: PlannedResource | undefined): ResourceRef | undefined {
  return r ? { type: r.type, name: r.name } : undefined;
}

/** The references of shown values, by their text. */
function referencesOf(shown: readonly Shown[]): References {
  return Object.fromEntries(
    shown.filter((s) => s.ref !== undefined).map((s) => [s.text, s.ref!] as const),
  );
}

/** `value [Type logical-name]`: a value with the resource it names, for text output. */
export function labelled(value: string, ref: ResourceRef | undefined): string {
  return ref ? `${value} [${shortType(ref.type)} ${ref.name}]` : value;
}

/** A grant's values as the text shows them: each with the resource it names. */
export function labelledGrant(g: Grant): Omit<Grant, "references"> {
  const shown = (v: string): string => labelled(v, g.references[v]);
  return {
    kind: g.kind,
    principal: shown(g.principal),
    effect: g.effect,
    actions: g.actions.map(shown),
    resources: g.resources.map(shown),
    conditions: g.conditions.map(shown),
    via: g.via,
    ...(g.roleContents ? { roleContents: g.roleContents } : {}),
    ...(g.store !== undefined ? { store: g.store } : {}),
  };
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

function conditionLines(condition: unknown, resolver: Resolver): Shown[] {
  if (!isObject(condition)) return [];
  const lines: Shown[] = [];
  for (const [op, clauses] of Object.entries(condition)) {
    if (!isObject(clauses)) continue;
    for (const [key, value] of Object.entries(clauses)) {
      const values = list(value);
      // A condition line names the first planned resource among its values.
      const ref = values.map((v) => resolver.show(v).ref).find((x) => x !== undefined);
      lines.push({ text: `${key} ${op} ${values.join(" | ")}`, ref });
    }
  }
  return lines;
}

function principals(p: unknown, resolver: Resolver): Shown[] {
  if (p === "*") return [{ text: "anyone (*)" }];
  if (!isObject(p)) return list(p).map((v) => resolver.show(v));
  const out: Shown[] = [];
  for (const [kind, value] of Object.entries(p)) {
    for (const v of list(value)) {
      if (v === "*") out.push({ text: `any ${kind} principal (*)` });
      else if (kind === "AWS" && /^arn:[^:]+:iam::\d{12}:root$/.test(v)) {
        out.push({ text: `AWS account ${v.split(":")[4]} (${v})` });
      } else out.push({ text: `${kind} ${v}`, ref: resolver.show(v).ref });
    }
  }
  return out;
}

/** The parts of a grant as shown; `grant` keeps the texts and gathers their references. */
interface GrantParts {
  readonly kind: GrantKind;
  readonly principal: Shown;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly Shown[];
  readonly resources: readonly Shown[];
  readonly conditions: readonly Shown[];
  readonly via: string;
  readonly roleContents?: readonly string[];
}

function grant(parts: GrantParts): Grant {
  const texts = (shown: readonly Shown[]): string[] => shown.map((x) => x.text);
  return {
    kind: parts.kind,
    principal: parts.principal.text,
    effect: parts.effect,
    actions: texts(parts.actions),
    resources: texts(parts.resources),
    conditions: texts(parts.conditions),
    via: parts.via,
    ...(parts.roleContents && parts.roleContents.length > 0
      ? { roleContents: parts.roleContents }
      : {}),
    references: referencesOf([
      parts.principal,
      ...parts.actions,
      ...parts.resources,
      ...parts.conditions,
    ]),
  };
}

const plain = (texts: readonly string[]): Shown[] => texts.map((text) => ({ text }));

function statementGrant(
  s: Statement,
  kind: GrantKind,
  principal: Shown,
  resources: Shown[],
  resolver: Resolver,
  r: PlannedResource,
): Grant {
  return grant({
    kind,
    principal,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: plain([...list(s.Action), ...list(s.NotAction).map((a) => `NOT ${a}`)]),
    resources,
    conditions: conditionLines(s.Condition, resolver),
    via: via(r),
  });
}

function statementResources(s: Statement, resolver: Resolver): Shown[] {
  return [
    ...list(s.Resource).map((v) => resolver.show(v)),
    ...list(s.NotResource).map((v) => ({ text: `NOT ${v}`, ref: resolver.show(v).ref })),
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

function identitiesOf(inputs: Json, resolver: Resolver): Shown[] {
  const out: Shown[] = [];
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
): Shown[] {
  const handles = new Set(
    ["arn", "id", "name"]
      .map((k) => policy.state[k])
      .filter((v): v is string => typeof v === "string"),
  );
  const out: Shown[] = [];
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
    const self = resolver.show(String(r.state.arn ?? r.state.name ?? r.name));
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
      const onWhat = resolver.show(String(r.inputs.bucket ?? r.inputs.resourceArn ?? r.name));
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
      who.length > 0
        ? who
        : [{ text: `whoever policy ${r.name} is attached to (no attachment planned)` }];
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

function roleShown(role: string, resolver: Resolver): Shown {
  const id = role.split("/").pop()?.toLowerCase() ?? role;
  const name = AZURE_ROLES[id];
  return name ? { text: `${name} (${role})` } : resolver.show(role);
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
    ? resolver.show(String(r.inputs[targetKey]), targetKey)
    : { text: `${shortType(r.type)} ${r.name}` };
  const condition = isObject(r.inputs.condition)
    ? plain([
        `${String(r.inputs.condition.title ?? "condition")}: ${String(r.inputs.condition.expression ?? "")}`,
      ])
    : [];
  const principalType =
    typeof r.inputs.principalType === "string" ? `${r.inputs.principalType} ` : "";
  const role = String(r.inputs[roleKey]);
  const custom = customRolePermissions(role, resolver);
  const contents = custom.length > 0 ? custom : (GCP_ROLE_PERMISSIONS[role] ?? []);
  return list(r.inputs[memberKey]).map((m) =>
    grant({
      kind: "role binding",
      principal: resolver.showFrom(m, r, principalType),
      effect: "Allow",
      actions: [roleShown(role, resolver)],
      resources: [target],
      conditions: condition,
      via: via(r),
      roleContents: contents,
    }),
  );
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

/** A SAS minted by an invoke: whoever holds the token may do what it says, on what it names. */
interface SasToken {
  readonly call: InvokeCall;
  /** What the token is for: the container (or account) it names, resolved. */
  readonly target: Shown;
}

function sasTokens(calls: readonly InvokeCall[], resolver: Resolver): SasToken[] {
  return calls
    .filter((call) => /SAS$/i.test(call.token))
    .map((call) => {
      const i = call.inputs;
      const target =
        typeof i.canonicalizedResource === "string"
          ? i.canonicalizedResource
          : String(i.accountName ?? "the storage account");
      // A container SAS (`sr=c`) names its container, not the account in its path.
      return { call, target: resolver.show(target, i.resource === "c" ? "container" : undefined) };
    });
}

/** Where ZenML holds a store's credential, from how ZenML reaches the store. */
function heldBy(auth: StoreAuth | undefined): string | undefined {
  if (auth === undefined) return undefined;
  return auth.kind === "secret"
    ? `ZenML secret ${auth.name}`
    : `ZenML connector ${auth.type}/${auth.method}`;
}

function tokenGrant(token: SasToken, holder: string | undefined): Grant {
  const i = token.call.inputs;
  const permissions = typeof i.permissions === "string" ? i.permissions : "";
  const conditions: string[] = [];
  if (typeof i.sharedAccessExpiryTime === "string")
    conditions.push(`until ${i.sharedAccessExpiryTime}`);
  if (typeof i.sharedAccessStartTime === "string")
    conditions.push(`from ${i.sharedAccessStartTime}`);
  if (typeof i.protocols === "string") conditions.push(`protocols ${i.protocols}`);
  if (typeof i.iPAddressOrRange === "string") conditions.push(`from IP ${i.iPAddressOrRange}`);
  return grant({
    kind: "bearer token",
    principal: {
      text: `anyone holding the SAS token (${holder ? `in ${holder}` : "stored as a Pulumi secret"})`,
    },
    effect: "Allow",
    actions: plain([...permissions].map((c) => `${c} (${SAS_PERMISSIONS[c] ?? "?"})`)),
    resources: [token.target],
    conditions: plain(conditions),
    via: `invoke ${token.call.token}`,
  });
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

/**
 * A credential a resource mints: the identity it authenticates as, and whether it is a
 * credential for another identity (a key, a password) rather than an identity's own
 * secret (a MinIO user's), which nothing hands to ZenML.
 */
function credentialOf(
  r: PlannedResource,
  resolver: Resolver,
): { identity: Shown; forIdentity: boolean } | undefined {
  const byType = CREDENTIAL_TYPE.test(r.type) && !/^[a-z-]+:kms\//.test(r.type);
  const byOutput = ["secret", "secretKey", "privateKey"].some(
    (k) => typeof r.state[k] === "string",
  );
  if (!byType && !byOutput) return undefined;
  const owner = CREDENTIAL_OWNER_INPUTS.find(([k]) => typeof r.inputs[k] === "string");
  if (owner) {
    return {
      identity: resolver.identity(owner[1], String(r.inputs[owner[0]])),
      forIdentity: true,
    };
  }
  const self = typeof r.state.name === "string" ? resolver.show(r.state.name) : undefined;
  return {
    identity: { text: `${shortType(r.type)} ${self?.text ?? r.name}`, ref: self?.ref },
    forIdentity: false,
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
      grant({
        kind: "federation",
        principal: { text: principal },
        effect: "Allow",
        actions: plain(["exchange its token for a federated identity (STS)"]),
        resources: [resolver.show(String(i.workloadIdentityPoolId ?? r.name))],
        conditions: plain(conditions),
        via: via(r),
      }),
    ];
  }
  if (typeof i.issuer === "string" && typeof i.subject === "string" && i.audiences !== undefined) {
    return [
      grant({
        kind: "federation",
        principal: { text: `tokens of OIDC issuer ${i.issuer}` },
        effect: "Allow",
        actions: plain(["sign in as the managed identity (token exchange)"]),
        resources: [resolver.show(String(i.resourceName ?? r.name), "identity")],
        conditions: plain([
          `subject == ${i.subject}`,
          `audience in ${list(i.audiences).join(" | ")}`,
        ]),
        via: via(r),
      }),
    ];
  }
  return undefined;
}

/** The store a resource belongs to: its name is the store's name or starts with `<store>-`. */
export function storeOf(name: string, storeNames: readonly string[]): string | undefined {
  return [...storeNames]
    .sort((a, b) => b.length - a.length)
    .find((s) => name === s || name.startsWith(`${s}-`));
}

/**
 * Builds the access report from the planned resources. With `stores`, each grant and
 * credential names its store, and credentials say where ZenML is given them.
 */
export function accessReport(
  resources: readonly PlannedResource[],
  invokeCalls: readonly InvokeCall[] = [],
  stores?: StoreContext,
): AccessReport {
  const resolver = new Resolver(resources);
  const storeNames = Object.keys(stores?.auth ?? {});
  const inStore = (name: string): { store?: string } => {
    const store = stores ? storeOf(name, storeNames) : undefined;
    return store !== undefined ? { store } : {};
  };
  const given = (name: string): { givenTo?: string } => {
    const store = inStore(name).store;
    const holder = store !== undefined ? heldBy(stores?.auth[store]) : undefined;
    return holder !== undefined ? { givenTo: holder } : {};
  };
  const grants: Grant[] = [];
  const credentials: MintedCredential[] = [];
  for (const r of resources) {
    if (!r.custom) continue;
    const fromPolicy = policyGrants(r, resources, resolver) ?? federationGrants(r, resolver);
    const found = fromPolicy ?? bindingGrants(r, resolver) ?? [];
    grants.push(...found.map((g) => ({ ...g, ...inStore(r.name) })));
    const credential = credentialOf(r, resolver);
    if (credential) {
      credentials.push({
        identity: credential.identity.text,
        via: via(r),
        ...inStore(r.name),
        ...(credential.forIdentity ? given(r.name) : {}),
        references: referencesOf([credential.identity]),
      });
    }
  }
  for (const token of sasTokens(invokeCalls, resolver)) {
    const owner = token.target.ref?.name ?? "";
    grants.push({ ...tokenGrant(token, given(owner).givenTo), ...inStore(owner) });
    credentials.push({
      identity: `SAS token for ${token.target.text}`,
      via: `invoke ${token.call.token}`,
      ...inStore(owner),
      ...given(owner),
      references: referencesOf([{ ...token.target, text: `SAS token for ${token.target.text}` }]),
    });
  }
  const warnings = [...new Set(grants.flatMap(warningsFor))];
  return { grants, credentials, warnings };
}
