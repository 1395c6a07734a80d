/**
 * How the Pulumi CLI rewrites `Pulumi.<stack>.yaml` after `pulumi config set`.
 * The CLI loads the file into its ProjectStack (every config key namespaced),
 * changes the config map, and saves it through
 * pulumi/pulumi sdk/go/common/encoding/marshal.go yamlMarshaler.Marshal, which —
 * because the stack was read from a file (yamlutil.HasRawValue) — calls
 * sdk/go/common/util/yamlutil/edit.go Edit(original, newValue):
 *
 * - both documents become node trees; editNodes walks them together;
 * - a node whose kind changed is replaced by the new node (its comments go);
 * - otherwise the original node is kept (comments, style) with the new tag/value;
 * - mappings (handleMappingNode): the original keys in their order, minus the
 *   removed ones; keys new in the new value are appended at the end, in the
 *   new value's order (Go marshals maps with sorted keys);
 * - sequences: items paired by index; extra new items appended verbatim;
 * - the result is encoded by yamlutil/encode.go YamlEncode: 2-space indentation.
 *
 * The node model here is the `yaml` package's (comments as commentBefore /
 * comment), which attaches a comment above a mapping's first key to the
 * mapping rather than to the key as gopkg.in/yaml.v3 does; otherwise the rules
 * are the ones above.
 */
import { createHash } from "node:crypto";
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Scalar,
  type Pair,
  YAMLMap,
  YAMLSeq,
} from "yaml";

type Kind = "map" | "seq" | "scalar" | "alias" | "none";

function kindOf(node: unknown): Kind {
  if (isMap(node)) return "map";
  if (isSeq(node)) return "seq";
  if (isScalar(node)) return "scalar";
  if (isAlias(node)) return "alias";
  return "none";
}

function keyOf(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/** editNodes: the original node with the new content, or the new node when the kind changed. */
function editNode(original: unknown, next: unknown): unknown {
  const kind = kindOf(original);
  if (kind !== kindOf(next)) return next;
  if (kind === "scalar") {
    const o = original as Scalar;
    const n = next as Scalar;
    o.value = n.value;
    o.tag = n.tag;
    return o;
  }
  if (kind === "seq") {
    const o = original as YAMLSeq;
    const n = next as YAMLSeq;
    const common = Math.min(o.items.length, n.items.length);
    const items: unknown[] = [];
    for (let i = 0; i < common; i++) items.push(editNode(o.items[i], n.items[i]));
    items.push(...n.items.slice(common));
    o.items = items;
    return o;
  }
  if (kind === "map") {
    const o = original as YAMLMap;
    const n = next as YAMLMap;
    const newPairs = new Map(n.items.filter(isPair).map((p) => [keyOf(p), p]));
    const items: Pair[] = [];
    for (const pair of o.items) {
      const match = newPairs.get(keyOf(pair));
      if (!match) continue;
      pair.key = editNode(pair.key, match.key);
      pair.value = editNode(pair.value, match.value);
      items.push(pair);
      newPairs.delete(keyOf(pair));
    }
    items.push(...newPairs.values());
    o.items = items;
    return o;
  }
  return next;
}

/**
 * yamlutil.Edit: `originalText` rewritten to hold `newValue`, keeping what
 * editNodes keeps, encoded with 2-space indentation (yamlutil.YamlEncode).
 */
export function editYaml(originalText: string, newValue: unknown): string {
  const original = parseDocument(originalText);
  const fresh = new Document(newValue);
  const contents = editNode(original.contents, fresh.contents);
  original.contents = contents as typeof original.contents;
  return original.toString({
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    flowCollectionPadding: false,
  });
}

/** Values as config.Map marshals them: Go maps → keys sorted at every level. */
function goMapOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(goMapOrder);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, goMapOrder((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * A top-level config value as pulumi/pulumi sdk/go/common/resource/config/value.go
 * keeps it: an object, a list or `{secure: …}` stays structured; any other
 * scalar is held as a string (so `7` is written back as "7").
 */
function storedConfigValue(value: unknown): unknown {
  if (value !== null && typeof value === "object") return goMapOrder(value);
  return value === null || value === undefined ? "" : String(value);
}

/** The parts of the stack file besides `config`, in ProjectStack's field order. */
const PROJECT_STACK_FIELDS = ["secretsprovider", "encryptedkey", "encryptionsalt"] as const;

/**
 * The ProjectStack the CLI would marshal: secretsprovider, encryptedkey,
 * encryptionsalt, config (keys namespaced, sorted), environment — each only
 * when set (`omitempty`).
 */
export function projectStackValue(
  document: Record<string, unknown>,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of PROJECT_STACK_FIELDS) {
    if (typeof document[field] === "string" && document[field] !== "") out[field] = document[field];
  }
  const keys = Object.keys(config).sort();
  if (keys.length > 0) {
    out.config = Object.fromEntries(keys.map((k) => [k, storedConfigValue(config[k])]));
  }
  if (document.environment !== undefined && document.environment !== null) {
    out.environment = document.environment;
  }
  return out;
}

/** A property path (`a.b[0]["c.d"]`) as segments. */
export function parsePropertyPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

function setAtPath(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === "number") {
    const arr = Array.isArray(root) ? [...root] : [];
    arr[head] = setAtPath(arr[head], rest, value);
    return arr;
  }
  const obj =
    root !== null && typeof root === "object" && !Array.isArray(root)
      ? { ...(root as Record<string, unknown>) }
      : {};
  obj[head] = setAtPath(obj[head], rest, value);
  return obj;
}

/**
 * `pulumi config set [--path] <key> <value>` on a stack file's text: the
 * config as the CLI loaded it (pulumi/pulumi sdk/go/common/workspace/loaders.go
 * stackConfigNamespacedWithProject: bare keys get the project's namespace),
 * the value set (with `--path`, inside the key's object; a plain `true`,
 * `false` or integer becomes a boolean or number there, as config.Map.Set
 * does), then saved through Edit.
 */
export function setStackConfigText(
  originalText: string,
  projectName: string,
  key: string,
  value: unknown,
  opts: { path?: boolean } = {},
): string {
  const doc = (parseDocument(originalText).toJS() ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    config[k.includes(":") ? k : `${projectName}:${k}`] = v;
  }
  const [first, ...rest] = opts.path ? parsePropertyPath(key) : [key];
  const full = String(first).includes(":") ? String(first) : `${projectName}:${first}`;
  const typed =
    opts.path && typeof value === "string"
      ? value === "true" || value === "false"
        ? value === "true"
        : /^-?\d+$/.test(value)
          ? Number(value)
          : value
      : value;
  config[full] = rest.length > 0 ? setAtPath(config[full], rest, typed) : typed;
  return editYaml(originalText, projectStackValue(doc, config));
}

/** The fake ciphertext written where the secrets provider would write its own. */
export function fakeCiphertext(plaintext: string): string {
  return `v1:FAKE:${createHash("sha256").update(plaintext).digest("base64").slice(0, 24)}`;
}
