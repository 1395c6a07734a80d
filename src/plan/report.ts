import { isObject } from "../config/fields";
import type { Backend } from "../config/types";
import { describeAuth, isKeylessAuth, storeFactsFromRecord, type StoreFacts } from "../zenml/model";
import {
  accessReport,
  labelled,
  labelledGrant,
  Resolver,
  storeOf,
  type AccessReport,
  type Grant,
  type MintedCredential,
  type ResourceRef,
} from "./access";
import type { OfflineEvaluation, PlannedResource } from "./offline";
import {
  PLACEHOLDER_ACCOUNT,
  PLACEHOLDER_AZURE_SUBSCRIPTION,
  PLACEHOLDER_AZURE_TENANT,
  PLACEHOLDER_GCP_PROJECT,
  PLACEHOLDER_GCP_PROJECT_NUMBER,
} from "./placeholders";

export interface PlannedResourceView {
  readonly type: string;
  readonly name: string;
  /** The (placeholder) physical name, when the resource has one. */
  readonly physicalName?: string;
  /**
   * Security-relevant inputs as JSON values: everything but tags/labels; policy documents
   * parsed (the access report reads them).
   */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Which other planned resource an input's value names, by input. */
  readonly references: Readonly<Record<string, ResourceRef>>;
}

export interface PlannedStore {
  readonly name: string;
  /** The store's component type, e.g. `zenml-remote-storage:aws:S3ArtifactStore`. */
  readonly component?: string;
  /** What ZenML would be given (the program's plain `stores.<name>` output). */
  readonly registration?: StoreFacts;
  readonly resources: readonly PlannedResourceView[];
}

/** The placeholder values the plan's ids stand on, for the backends it plans only. */
export interface PlanPlaceholders {
  readonly aws?: { readonly account: string };
  /** The project is the configured one (or a placeholder); its number is a placeholder. */
  readonly gcp?: { readonly projects: readonly string[]; readonly projectNumber: string };
  readonly azure?: { readonly subscription: string; readonly tenant: string };
  /** The endpoints are the configured ones: named in the plan, never contacted. */
  readonly "s3-compatible"?: { readonly endpoints: readonly string[] };
}

export interface PlanReport {
  readonly stack: string;
  /** The config file the plan was made from. */
  readonly source: string;
  readonly placeholders: PlanPlaceholders;
  readonly stores: readonly PlannedStore[];
  /** Resources belonging to no store (shared ones), if any. */
  readonly other: readonly PlannedResourceView[];
  /** Grants and credentials, each with its store. */
  readonly access: AccessReport;
  /** Things to know about the plan itself (invokes without placeholders, config Pulumi would refuse, …). */
  readonly notes: readonly string[];
  readonly resourceCount: number;
}

const HIDDEN_INPUTS = new Set([
  "tags",
  "tagsAll",
  "labels",
  "effectiveLabels",
  "pulumiLabels",
  "__defaults",
]);
const POLICY_INPUTS = new Set(["policy", "policyDocument", "inlinePolicy", "assumeRolePolicy"]);
/** Free-text inputs: a name inside them is prose, never a reference. */
const FREE_TEXT_INPUTS = new Set(["name", "description", "displayName", "notes", "roleName"]);

/** A policy document as a JSON value: providers take it as JSON text or as an object. */
function policyValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The inputs of a resource a reviewer should see, and the other resources they name. */
export function keyInputs(
  r: PlannedResource,
  resolver: Resolver,
): Pick<PlannedResourceView, "inputs" | "references"> {
  const inputs: Record<string, unknown> = {};
  const references: Record<string, ResourceRef> = {};
  for (const [key, value] of Object.entries(r.inputs)) {
    if (HIDDEN_INPUTS.has(key) || value === undefined || value === null) continue;
    inputs[key] = POLICY_INPUTS.has(key) ? policyValue(value) : value;
    if (typeof value !== "string" || FREE_TEXT_INPUTS.has(key) || POLICY_INPUTS.has(key)) continue;
    const target = resolver.find(value, key);
    if (target && target !== r) references[key] = { type: target.type, name: target.name };
  }
  return { inputs, references };
}

/** The resource's own physical name: a name-like output that identifies it, not another resource. */
function physicalOf(r: PlannedResource, resolver: Resolver): string | undefined {
  for (const key of ["bucket", "name", "email"]) {
    const v = r.state[key];
    if (typeof v === "string" && v !== r.name && resolver.find(v) === r) return v;
  }
  return undefined;
}

function backendOf(store: PlannedStore): Backend | undefined {
  if (store.registration) return store.registration.backend;
  const m = /^[^:]+:([^:]+):/.exec(store.component ?? "");
  return m?.[1] as Backend | undefined;
}

/** The S3-compatible endpoint a store's artifact store is configured with. */
function endpointOf(store: PlannedStore): string | undefined {
  const kwargs = store.registration?.artifactStoreConfiguration.client_kwargs;
  return isObject(kwargs) && typeof kwargs.endpoint_url === "string"
    ? kwargs.endpoint_url
    : undefined;
}

/** The placeholders of the backends the plan has stores of. */
export function planPlaceholders(
  stores: readonly PlannedStore[],
  resources: readonly PlannedResource[],
): PlanPlaceholders {
  const backends = new Set(stores.map(backendOf));
  const distinct = (values: (string | undefined)[]): string[] =>
    [...new Set(values.filter((v): v is string => v !== undefined))].sort();
  const projects = distinct(
    resources
      .filter((r) => r.custom && r.type.startsWith("gcp:"))
      .map((r) => (typeof r.inputs.project === "string" ? r.inputs.project : undefined)),
  );
  return {
    ...(backends.has("aws") ? { aws: { account: PLACEHOLDER_ACCOUNT } } : {}),
    ...(backends.has("gcp")
      ? {
          gcp: {
            projects: projects.length > 0 ? projects : [PLACEHOLDER_GCP_PROJECT],
            projectNumber: PLACEHOLDER_GCP_PROJECT_NUMBER,
          },
        }
      : {}),
    ...(backends.has("azure")
      ? {
          azure: {
            subscription: PLACEHOLDER_AZURE_SUBSCRIPTION,
            tenant: PLACEHOLDER_AZURE_TENANT,
          },
        }
      : {}),
    ...(backends.has("s3-compatible")
      ? {
          "s3-compatible": {
            endpoints: distinct(
              stores.filter((s) => backendOf(s) === "s3-compatible").map(endpointOf),
            ),
          },
        }
      : {}),
  };
}

export function buildPlanReport(
  evaluation: OfflineEvaluation,
  meta: { stack: string; source: string; notes?: readonly string[] },
): PlanReport {
  const resolver = new Resolver(evaluation.resources);
  const storeNames = Object.keys(evaluation.stores);
  const cloud = evaluation.resources.filter(
    (r) => r.custom && !r.type.startsWith("pulumi:providers:"),
  );
  const view = (r: PlannedResource): PlannedResourceView => {
    const physicalName = physicalOf(r, resolver);
    return {
      type: r.type,
      name: r.name,
      ...(physicalName ? { physicalName } : {}),
      ...keyInputs(r, resolver),
    };
  };
  const stores: PlannedStore[] = storeNames.map((name) => ({
    name,
    component: evaluation.resources.find((r) => !r.custom && r.name === name)?.type,
    ...(evaluation.stores[name] !== undefined
      ? { registration: storeFactsFromRecord(evaluation.stores[name], `stores.${name}`) }
      : {}),
    resources: cloud.filter((r) => storeOf(r.name, storeNames) === name).map(view),
  }));
  const other = cloud.filter((r) => storeOf(r.name, storeNames) === undefined).map(view);
  const notes = [...(meta.notes ?? [])];
  for (const token of evaluation.unmockedInvokes) {
    notes.push(
      `invoke ${token} has no placeholder (src/plan/placeholders.ts); values derived from it are empty`,
    );
  }
  const auth = Object.fromEntries(stores.map((s) => [s.name, s.registration?.auth]));
  return {
    stack: meta.stack,
    source: meta.source,
    placeholders: planPlaceholders(stores, evaluation.resources),
    stores,
    other,
    access: accessReport(evaluation.resources, evaluation.invokeCalls ?? [], { auth }),
    notes,
    resourceCount: cloud.length,
  };
}

const MAX_VALUE = 160;

/** An input value as one line of text, cut at MAX_VALUE characters. */
function renderValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function grantLines(grant: Grant): string[] {
  const g = labelledGrant(grant);
  const lines = [`    ${g.effect.padEnd(5)} ${g.actions.join(", ")}`];
  if (g.resources.length > 0) lines.push(`      on    ${g.resources.join(",\n            ")}`);
  for (const c of wrap(g.roleContents ?? [])) lines.push(`      role  ${c}`);
  for (const c of g.conditions) lines.push(`      when  ${c}`);
  lines.push(`      via   ${g.kind}: ${g.via}`);
  return lines;
}

const ROLE_LINE = 80;

/** Items joined with ", " into lines of at most ROLE_LINE characters (or one longer item). */
function wrap(items: readonly string[]): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + item.length + 2 <= ROLE_LINE) {
      lines[last] = `${lines[last]}, ${item}`;
    } else lines.push(item);
  }
  return lines;
}

/** One line per backend planned: the placeholders its ids stand on. */
export function placeholderLines(p: PlanPlaceholders): string[] {
  const lines: string[] = [];
  if (p.aws) lines.push(`  AWS: account ${p.aws.account}`);
  if (p.gcp)
    lines.push(
      `  GCP: project ${p.gcp.projects.join(", ")}, project number ${p.gcp.projectNumber}`,
    );
  if (p.azure)
    lines.push(`  Azure: subscription ${p.azure.subscription}, tenant ${p.azure.tenant}`);
  const s3 = p["s3-compatible"];
  if (s3) {
    lines.push(
      `  S3-compatible: endpoint ${s3.endpoints.join(", ") || "(none)"} (named in the plan, not contacted)`,
    );
  }
  return lines;
}

/** The access report's lines for a group of grants: by principal. */
function principalLines(grants: readonly Grant[]): string[] {
  const byPrincipal = new Map<string, Grant[]>();
  for (const g of grants)
    byPrincipal.set(g.principal, [...(byPrincipal.get(g.principal) ?? []), g]);
  const out: string[] = [];
  for (const [principal, group] of byPrincipal) {
    out.push(`  ${labelled(principal, group[0].references[principal])}`);
    for (const g of group) out.push(...grantLines(g));
  }
  return out;
}

function credentialLine(c: MintedCredential): string {
  const given = c.givenTo ? `; stored in ${c.givenTo}` : "";
  return `    ${labelled(c.identity, c.references[c.identity])}  via ${c.via}${given}`;
}

/** Groups by store, in the stores' order; what belongs to none comes last. */
function byStore<T extends { readonly store?: string }>(
  items: readonly T[],
  stores: readonly PlannedStore[],
): [string, T[]][] {
  const groups: [string, T[]][] = stores.map((s) => [
    `Store ${s.name}:`,
    items.filter((i) => i.store === s.name),
  ]);
  const loose = items.filter((i) => !stores.some((s) => s.name === i.store));
  if (loose.length > 0) groups.push(["In no store:", loose]);
  return groups;
}

/** The plan as text for a terminal. */
export function renderPlanText(report: PlanReport): string {
  const out: string[] = [];
  out.push(`Offline plan for stack ${report.stack} (config: ${report.source})`);
  out.push(
    `Evaluated with Pulumi's mock runtime: no cloud, ZenML server or Pulumi CLI was contacted.`,
    `Ids, ARNs and generated names are placeholders (a "plc" in a name marks a generated suffix):`,
    ...placeholderLines(report.placeholders),
    "",
  );
  for (const store of report.stores) {
    const reg = store.registration;
    out.push(
      `Store ${store.name} — backend ${reg?.backend ?? "?"}, ZenML stack ${reg?.stackName ?? "?"}` +
        (store.component ? ` (${store.component})` : ""),
    );
    if (reg !== undefined) {
      const auth =
        reg.auth.kind === "secret"
          ? `a ZenML secret named ${reg.auth.name} (no connector)`
          : describeAuth(reg.auth);
      out.push(`  ZenML: artifact store (flavor ${reg.flavor}) at ${reg.path}; ${auth}`);
      if (reg.auth.kind === "connector" && Object.keys(reg.auth.configuration).length > 0) {
        out.push(
          `  connector configuration: ${JSON.stringify(reg.auth.configuration)}; ` +
            (isKeylessAuth(reg.auth)
              ? "no credential minted (keyless: the ZenML server's own identity)"
              : "credentials: Pulumi secrets"),
        );
      }
    }
    out.push(`  would create ${store.resources.length} resources:`);
    for (const r of store.resources) {
      out.push(`    + ${r.type}  ${r.name}${r.physicalName ? `  (${r.physicalName})` : ""}`);
      for (const [k, v] of Object.entries(r.inputs)) {
        if (k === "name" && v === r.physicalName) continue;
        const ref = r.references[k];
        const text = POLICY_INPUTS.has(k)
          ? "(policy document: see the access report)"
          : ref
            ? labelled(String(v), ref)
            : renderValue(v);
        out.push(`        ${k}: ${text}`);
      }
    }
    out.push("");
  }
  if (report.other.length > 0) {
    out.push(`Other resources (${report.other.length}):`);
    for (const r of report.other) out.push(`    + ${r.type}  ${r.name}`);
    out.push("");
  }
  out.push("Access report — who may do what, on which resource");
  const grouped =
    report.access.grants.length > 0 ? byStore(report.access.grants, report.stores) : [];
  if (grouped.length === 0) out.push("  (no policies, bindings or trust relationships planned)");
  for (const [heading, grants] of grouped) {
    out.push(heading);
    if (grants.length === 0) out.push("  (no policies, bindings or trust relationships planned)");
    out.push(...principalLines(grants));
  }
  out.push("", "Credentials minted (Pulumi secrets; recorded encrypted in the stack config)");
  if (report.access.credentials.length === 0) {
    out.push("  (none): no credential minted; ZenML uses the identity the server already has");
  }
  for (const [heading, credentials] of byStore(report.access.credentials, report.stores)) {
    if (credentials.length === 0) continue;
    out.push(`  ${heading}`, ...credentials.map(credentialLine));
  }
  out.push("", "Warnings");
  if (report.access.warnings.length === 0)
    out.push("  none: no wildcard actions or resources, no public access, no broad roles");
  for (const w of report.access.warnings) out.push(`  ! ${w}`);
  if (report.notes.length > 0) {
    out.push("", "Notes");
    for (const n of report.notes) out.push(`  - ${n}`);
  }
  out.push(
    "",
    `${report.resourceCount} resources in ${report.stores.length} store(s). Nothing was created.`,
  );
  return out.join("\n");
}
