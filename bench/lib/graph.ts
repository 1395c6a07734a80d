/**
 * The dependency graph the engine would see, from the registrations recorded
 * under the mock runtime, and its depth: the longest chain of cloud (custom)
 * resources that must be created one after another.
 *
 * Counting rules:
 * - a node is a registered resource; custom resources count 1, component
 *   resources 0 (they create nothing);
 * - explicit provider resources (`pulumi:providers:*`) count 0 but pass their own
 *   dependencies on: a resource waits for its provider, and the provider for
 *   whatever its configuration came from;
 * - a dependency on a component means a dependency on every custom resource
 *   reachable through components below it (the engine's and the Node SDK's rule);
 * - edges: `dependencies` (explicit dependsOn and implicit) ∪ every property's
 *   dependencies, the resource's provider reference, and the parent when the
 *   parent is itself a custom resource.
 */

export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string;
  /** The request's dependencies list (URNs). */
  readonly dependencies: readonly string[];
  /** The request's property dependencies (property -> URNs). */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** The provider reference (`urn::id`), if any. */
  readonly provider: string;
}

export interface Edge {
  readonly to: string;
  /** How the dependency arises: properties that carry it, "dependsOn", "provider" or "parent". */
  readonly via: string;
}

export interface Depth {
  /** Custom resources on the longest chain, first created first. */
  readonly depth: number;
  readonly chain: readonly { urn: string; type: string; name: string; via: string }[];
  readonly customResources: number;
  readonly componentResources: number;
  readonly providerResources: number;
  /** Edges from explicit dependsOn only (no property carries them). */
  readonly explicitOnlyEdges: number;
}

export function isProvider(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

function weight(r: Registration): number {
  return r.custom && !isProvider(r.type) ? 1 : 0;
}

/** `urn::id` -> urn. */
export function providerUrn(ref: string): string {
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

/** Direct edges of each resource, components expanded to their custom descendants. */
export function edges(registrations: readonly Registration[]): Map<string, Edge[]> {
  const byUrn = new Map(registrations.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of registrations) {
    if (!r.parent) continue;
    children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  }
  /** A component stands for the custom resources reachable through components below it. */
  const expand = (urn: string, seen = new Set<string>()): string[] => {
    const r = byUrn.get(urn);
    if (r === undefined || r.custom) return [urn];
    if (seen.has(urn)) return [];
    seen.add(urn);
    return (children.get(urn) ?? []).flatMap((c) => expand(c, seen));
  };
  const result = new Map<string, Edge[]>();
  for (const r of registrations) {
    const via = new Map<string, Set<string>>();
    const add = (urn: string, how: string): void => {
      for (const to of expand(urn)) {
        if (to === r.urn) continue;
        via.set(to, (via.get(to) ?? new Set()).add(how));
      }
    };
    for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
      for (const u of urns) add(u, prop);
    }
    for (const u of r.dependencies) {
      const byProperty = expand(u).every((to) => via.has(to));
      if (!byProperty) add(u, "dependsOn");
    }
    if (r.provider) add(providerUrn(r.provider), "provider");
    const parent = byUrn.get(r.parent);
    if (parent?.custom) add(parent.urn, "parent");
    result.set(
      r.urn,
      [...via].map(([to, hows]) => ({ to, via: [...hows].sort().join(",") })),
    );
  }
  return result;
}

/** The longest chain of custom resources, by the rules above. */
export function depth(registrations: readonly Registration[]): Depth {
  const byUrn = new Map(registrations.map((r) => [r.urn, r]));
  const out = edges(registrations);
  const memo = new Map<string, { depth: number; next?: Edge }>();
  const visiting = new Set<string>();
  const visit = (urn: string): number => {
    const known = memo.get(urn);
    if (known) return known.depth;
    const r = byUrn.get(urn);
    if (r === undefined) return 0; // a URN nothing registered (e.g. the engine's own)
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let best = 0;
    let next: Edge | undefined;
    for (const e of out.get(urn) ?? []) {
      const d = visit(e.to);
      if (d > best) {
        best = d;
        next = e;
      }
    }
    visiting.delete(urn);
    const mine = { depth: best + weight(r), next };
    memo.set(urn, mine);
    return mine.depth;
  };
  let deepest: string | undefined;
  let max = 0;
  for (const r of registrations) {
    const d = visit(r.urn);
    if (d > max) {
      max = d;
      deepest = r.urn;
    }
  }
  // Walk the chain from the last-created resource back to the first. Each entry's
  // `via` says how it waits for the entry before it.
  const chain: { urn: string; type: string; name: string; via: string }[] = [];
  let cur = deepest;
  while (cur !== undefined) {
    const r = byUrn.get(cur)!;
    const step = memo.get(cur)?.next;
    if (weight(r) > 0)
      chain.unshift({ urn: cur, type: r.type, name: r.name, via: step?.via ?? "" });
    cur = step?.to;
  }
  let explicitOnlyEdges = 0;
  for (const list of out.values()) {
    explicitOnlyEdges += list.filter((e) => e.via === "dependsOn").length;
  }
  return {
    depth: max,
    chain,
    customResources: registrations.filter((r) => r.custom && !isProvider(r.type)).length,
    componentResources: registrations.filter((r) => !r.custom).length,
    providerResources: registrations.filter((r) => isProvider(r.type)).length,
    explicitOnlyEdges,
  };
}
