/**
 * Stand-ins for provider plugins other than the Node.js dynamic provider (which
 * runs for real, dynamicHost.ts). No provider plugin binary exists here, so a
 * handler maps a resource type's create/update/delete/read to something real
 * (an AWS call into moto, a ZenML call, …) or to nothing at all (explicit
 * provider resources). Everything a handler does is emulation of a provider,
 * and says so.
 */
import { randomUUID } from "node:crypto";

/** Plain (secret-free) property values, as a handler receives them. */
export type PlainMap = Record<string, unknown>;

export interface HandlerRequest {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The inputs with every secret unwrapped. */
  readonly inputs: PlainMap;
}

export interface HandlerResource extends HandlerRequest {
  readonly id: string;
  /** The state's outputs with every secret unwrapped. */
  readonly outputs: PlainMap;
}

/** An emulated provider for some resource types. */
export interface ResourceHandler {
  /** Creates the resource; returns its id and provider-computed outputs (merged over the inputs). */
  create(req: HandlerRequest): Promise<{ id: string; outputs?: PlainMap }>;
  /** Which changed inputs force a replacement (default: none, an update). */
  replaceKeys?(old: HandlerResource, news: PlainMap, changed: readonly string[]): readonly string[];
  update?(old: HandlerResource, news: PlainMap): Promise<{ outputs?: PlainMap }>;
  delete?(old: HandlerResource): Promise<void>;
  /** A refresh: the live outputs, or undefined when the resource is gone. */
  read?(old: HandlerResource): Promise<{ outputs: PlainMap } | undefined>;
}

/** An invoke (data source) stand-in: token → result. */
export type InvokeHandler = (args: PlainMap) => Promise<PlainMap> | PlainMap;

/**
 * Explicit and default provider resources (`pulumi:providers:<pkg>`): the
 * engine gives a configured provider a UUID as its id; its outputs are its
 * inputs (pulumi/pulumi pkg/resource/deploy/providers/registry.go Create).
 */
export const providerResourceHandler: ResourceHandler = {
  async create() {
    return { id: randomUUID() };
  },
  async update() {
    return {};
  },
  async delete() {},
  async read(old) {
    return { outputs: old.outputs };
  },
};

/** A type pattern: exact type, or a prefix ending in `*` (`aws:*`). */
export function matchesType(pattern: string, type: string): boolean {
  return pattern.endsWith("*") ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}
