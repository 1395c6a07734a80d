import { describeAuth, isKeylessAuth, storeFactsFromRecord, type StoreFacts } from "../zenml/model";
import { accessReport, Resolver, type AccessReport, type Grant } from "./access";
import type { OfflineEvaluation, PlannedResource } from "./offline";
import { PLACEHOLDER_ACCOUNT } from "./placeholders";

export interface PlannedResourceView {
  readonly type: string;
  readonly name: string;
  /** The (placeholder) physical name, when the resource has one. */
  readonly physicalName?: string;
  /** Security-relevant inputs, rendered: everything but tags/labels; policies go to the access report. */
  readonly inputs: Readonly<Record<string, string>>;
}

export interface PlannedStore {
  readonly name: string;
  /** The store's component type, e.g. `zenml-remote-storage:aws:S3ArtifactStore`. */
  readonly component?: string;
  /** What ZenML would be given (the program's plain `stores.<name>` output). */
  readonly registration?: StoreFacts;
  readonly resources: readonly PlannedResourceView[];
}

export interface PlanReport {
  readonly stack: string;
  /** The config file the plan was made from. */
  readonly source: string;
  readonly stores: readonly PlannedStore[];
  /** Resources belonging to no store (shared ones), if any. */
  readonly other: readonly PlannedResourceView[];
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
const MAX_VALUE = 160;

function render(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** The inputs of a resource a reviewer should see, as `key → value` text. */
export function keyInputs(r: PlannedResource, resolver: Resolver): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(r.inputs)) {
    if (HIDDEN_INPUTS.has(key) || value === undefined || value === null) continue;
    if (POLICY_INPUTS.has(key)) {
      out[key] = "(policy document: see the access report)";
      continue;
    }
    if (typeof value === "string" && key !== "name") {
      const target = resolver.find(value);
      out[key] = target && target.name !== r.name ? resolver.label(value) : render(value);
    } else {
      out[key] = render(value);
    }
  }
  return out;
}

/** The resource's own physical name: a name-like output that identifies it, not another resource. */
function physicalOf(r: PlannedResource, resolver: Resolver): string | undefined {
  for (const key of ["bucket", "name", "email"]) {
    const v = r.state[key];
    if (typeof v === "string" && v !== r.name && resolver.find(v) === r) return v;
  }
  return undefined;
}

/** The store a resource belongs to: its name is the store's name or starts with `<store>-`. */
export function storeOf(name: string, storeNames: readonly string[]): string | undefined {
  return [...storeNames]
    .sort((a, b) => b.length - a.length)
    .find((s) => name === s || name.startsWith(`${s}-`));
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
      inputs: keyInputs(r, resolver),
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
  return {
    stack: meta.stack,
    source: meta.source,
    stores,
    other,
    access: accessReport(evaluation.resources, evaluation.invokeCalls ?? []),
    notes,
    resourceCount: cloud.length,
  };
}

function grantLines(g: Grant): string[] {
  const lines = [`    ${g.effect.padEnd(5)} ${g.actions.join(", ")}`];
  if (g.resources.length > 0) lines.push(`      on    ${g.resources.join(",\n            ")}`);
  for (const c of g.roleContents ?? []) lines.push(`      role  ${c}`);
  for (const c of g.conditions) lines.push(`      when  ${c}`);
  lines.push(`      via   ${g.kind}: ${g.via}`);
  return lines;
}

/** The plan as text for a terminal. */
export function renderPlanText(report: PlanReport): string {
  const out: string[] = [];
  out.push(`Offline plan for stack ${report.stack} (config: ${report.source})`);
  out.push(
    `Evaluated with Pulumi's mock runtime: no cloud, ZenML server or Pulumi CLI was contacted.`,
    `Ids, ARNs and generated names are placeholders (AWS account ${PLACEHOLDER_ACCOUNT}, "plc" name suffixes).`,
    "",
  );
  for (const store of report.stores) {
    const reg = store.registration;
    out.push(
      `Store ${store.name} — backend ${reg?.backend ?? "?"}, ZenML stack ${reg?.stackName ?? "?"}` +
        (store.component ? ` (${store.component})` : ""),
    );
    if (reg !== undefined) {
      out.push(
        `  ZenML: artifact store (flavor ${reg.flavor}) at ${reg.path}; ${describeAuth(reg.auth)}`,
      );
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
        out.push(`        ${k}: ${v}`);
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
  const byPrincipal = new Map<string, Grant[]>();
  for (const g of report.access.grants) {
    byPrincipal.set(g.principal, [...(byPrincipal.get(g.principal) ?? []), g]);
  }
  if (byPrincipal.size === 0) out.push("  (no policies, bindings or trust relationships planned)");
  for (const [principal, grants] of byPrincipal) {
    out.push(`  ${principal}`);
    for (const g of grants) out.push(...grantLines(g));
  }
  out.push("", "Credentials minted (Pulumi secrets; recorded encrypted in the stack config)");
  if (report.access.credentials.length === 0) {
    out.push("  (none): no credential minted; ZenML uses the identity the server already has");
  }
  for (const c of report.access.credentials) out.push(`  ${c.identity}  via ${c.via}`);
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
