import * as fs from "node:fs";
import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { writeFileAtomic } from "./atomicWrite";
import { UsageError } from "./errors";
import { PROJECT_NAME } from "../config/keys";

/** ` (line L, column C)` of a position in a text, for YAML errors; "" without a position. */
export function yamlErrorPosition(text: string, pos: readonly number[] | undefined): string {
  if (pos === undefined || pos.length === 0) return "";
  const before = text.slice(0, pos[0]);
  const line = before.split("\n").length;
  const column = pos[0] - (before.lastIndexOf("\n") + 1) + 1;
  return ` (line ${line}, column ${column})`;
}

/**
 * A Pulumi stack config file (`stacks/Pulumi.<stack>.yaml`) read and edited as
 * YAML, keeping its comments. The script writes plain values here itself, so
 * their types survive (`pulumi config set --path` turns "true" and "123" into a
 * boolean and a number); secret values go through the Pulumi CLI, which
 * encrypts them with the stack's secrets provider.
 */
export class StackConfigFile {
  private constructor(
    readonly path: string,
    private readonly doc: Document,
    /** Whether the file existed when it was read. */
    readonly existed: boolean,
  ) {}

  /** Reads the file; a missing file reads as an empty config. */
  static read(file: string, subject = file): StackConfigFile {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return new StackConfigFile(file, parseDocument("config: {}\n"), false);
      }
      throw new UsageError(subject, `cannot read ${file}: ${(err as Error).message}`);
    }
    return StackConfigFile.fromText(file, text, subject);
  }

  /** The config in `text`, to be saved at `file`. */
  static fromText(file: string, text: string, subject = file): StackConfigFile {
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new UsageError(
        subject,
        `${file} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}${yamlErrorPosition(text, doc.errors[0].pos)}`,
      );
    }
    let root: unknown;
    try {
      root = doc.toJS();
    } catch (err) {
      // e.g. "Excessive alias count …" (a YAML alias bomb): still bad input, not a crash.
      throw new UsageError(
        subject,
        `${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`,
      );
    }
    if (root !== null && root !== undefined && (typeof root !== "object" || Array.isArray(root))) {
      throw new UsageError(subject, `${file} must be a YAML mapping with a "config" key`);
    }
    const config = (root as Record<string, unknown> | null)?.config;
    if (
      config !== undefined &&
      config !== null &&
      (typeof config !== "object" || Array.isArray(config))
    ) {
      throw new UsageError(subject, `"config" in ${file} must be a mapping of keys to values`);
    }
    return new StackConfigFile(file, doc, true);
  }

  /** Every config value by full key (`ns:key`); secure values stay `{ secure: … }`. */
  get config(): Record<string, unknown> {
    const root = this.doc.toJS() as { config?: Record<string, unknown> | null } | null;
    const config = root?.config ?? {};
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [fullKey(k), v]));
  }

  /** The stack's secrets provider as recorded in the file (`secretsprovider:`), if any. */
  get secretsProvider(): string | undefined {
    const value = this.doc.get("secretsprovider");
    return typeof value === "string" ? value : undefined;
  }

  /** Whether the file holds passphrase-provider state (`encryptionsalt:`). */
  get hasEncryptionSalt(): boolean {
    return typeof this.doc.get("encryptionsalt") === "string";
  }

  get(key: string): unknown {
    return this.config[fullKey(key)];
  }

  /**
   * Sets a value, editing the YAML in place: unchanged parts keep their
   * comments and key order, new keys are appended, missing ones removed.
   */
  set(key: string, value: unknown): void {
    this.ensureConfigMap();
    this.merge(["config", this.storedKey(key)], value);
  }

  /** Sets one nested field of a key (`registration` + [`s3-store`, `credentials`, `x`]). */
  setPath(key: string, path: readonly (string | number)[], value: unknown): void {
    this.ensureConfigMap();
    const full = ["config", this.storedKey(key)];
    for (let i = 0; i < path.length; i++) {
      const at = [...full, ...path.slice(0, i)];
      const node = this.doc.getIn(at, true);
      if (!isMap(node) && !isSeq(node)) this.doc.setIn(at, this.node({}));
    }
    this.merge([...full, ...path], value);
  }

  /** A YAML node for a value, in block style (an empty map would otherwise stay `{}` forever). */
  private node(value: unknown): unknown {
    const n = this.doc.createNode(value);
    if ((isMap(n) || isSeq(n)) && n.items.length === 0) n.flow = false;
    return n;
  }

  private merge(path: (string | number)[], value: unknown): void {
    const existing = this.doc.getIn(path, true);
    if (isPlainObject(value) && isMap(existing)) {
      for (const item of [...existing.items]) {
        const k = isScalar(item.key) ? item.key.value : item.key;
        if (typeof k === "string" && !(k in value)) existing.delete(k);
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (existing.has(k)) this.merge([...path, k], v);
        else existing.set(k, this.node(v));
      }
      return;
    }
    if (Array.isArray(value) && isSeq(existing)) {
      const common = Math.min(value.length, existing.items.length);
      for (let i = 0; i < common; i++) this.merge([...path, i], value[i]);
      for (let i = common; i < value.length; i++) existing.add(this.node(value[i]));
      while (existing.items.length > value.length) existing.delete(existing.items.length - 1);
      return;
    }
    if (
      isScalar(existing) &&
      !isPlainObject(value) &&
      !Array.isArray(value) &&
      existing.value === value
    ) {
      return;
    }
    this.doc.setIn(path, this.node(value));
  }

  delete(key: string): void {
    if (!isMap(this.doc.get("config"))) return;
    this.doc.deleteIn(["config", this.storedKey(key)]);
  }

  toString(): string {
    return this.doc.toString();
  }

  /** Writes the file atomically (temporary file + rename). */
  save(): void {
    writeFileAtomic(this.path, this.toString());
  }

  private ensureConfigMap(): void {
    if (!isMap(this.doc.get("config"))) this.doc.set("config", this.node({}));
  }

  /** The key as the file spells it (a bare project key stays bare). */
  private storedKey(key: string): string {
    const full = fullKey(key);
    const config = this.doc.get("config");
    if (isMap(config)) {
      for (const item of config.items) {
        const k = String((item.key as { value?: unknown })?.value ?? item.key);
        if (fullKey(k) === full) return k;
      }
    }
    return full;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The project's keys a command reads from the stack config (full keys). */
export const STORES_KEY = `${PROJECT_NAME}:stores`;
export const ZENML_KEY = `${PROJECT_NAME}:zenml`;
export const ZENML_API_KEY = `${PROJECT_NAME}:zenmlApiKey`;

/** `key` → `zenml-remote-storage:key`; namespaced keys are kept. */
export function fullKey(key: string): string {
  return key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
}

/** A `{ secure: "…" }` value: ciphertext of the stack's secrets provider. */
export function isSecureValue(value: unknown): value is { secure: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}

/** Whether a value holds a secure value anywhere inside it. */
export function containsSecure(value: unknown): boolean {
  if (isSecureValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecure);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecure);
  return false;
}

/** Whether a value holds anything but secure values (plain text where a secret belongs). */
export function hasPlainLeaf(value: unknown): boolean {
  if (isSecureValue(value)) return false;
  if (Array.isArray(value)) return value.some(hasPlainLeaf);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasPlainLeaf);
  return value !== undefined && value !== null;
}

/** Replaces every secure value with `replacement` (for offline evaluation). */
export function replaceSecure(value: unknown, replacement: string): unknown {
  if (isSecureValue(value)) return replacement;
  if (Array.isArray(value)) return value.map((v) => replaceSecure(v, replacement));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceSecure(v, replacement)]),
    );
  }
  return value;
}
