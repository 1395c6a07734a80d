/**
 * A Pulumi project as the Pulumi CLI and the Node.js language host read it:
 * `Pulumi.yaml` → project name, program directory and entry point, runtime
 * options, stack config directory and declared config. Each rule names the
 * pulumi/pulumi file (v3.260) it reproduces; nothing here runs a Pulumi binary.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The runtime options the Node.js language host reads. */
export interface NodeRuntimeOptions {
  /** Use ts-node to run TypeScript (default true). */
  readonly typescript: boolean;
  /** `PULUMI_NODEJS_TSCONFIG_PATH`, when set. */
  readonly tsconfig?: string;
  /** Extra arguments for the node process, already shlex-split. */
  readonly nodeargs: readonly string[];
}

/** A key declared under `config:` in Pulumi.yaml. */
export interface DeclaredConfig {
  readonly default?: unknown;
  readonly value?: unknown;
}

export interface PulumiProject {
  /** The directory holding Pulumi.yaml. */
  readonly root: string;
  readonly name: string;
  /** The program's working directory (`--pwd`). */
  readonly programDir: string;
  /** The program argument of cmd/run: a file name in programDir, or ".". */
  readonly entryPoint: string;
  readonly runtime: NodeRuntimeOptions;
  /** `runtime.options` as written (the engine passes them to plugins as PULUMI_RUNTIME_<NAME>). */
  readonly runtimeOptions: Readonly<Record<string, unknown>>;
  /** Where `Pulumi.<stack>.yaml` files live (absolute). */
  readonly stackConfigDir: string;
  /** Declared project config by full key (`<ns>:<name>`). */
  readonly declaredConfig: Readonly<Record<string, DeclaredConfig>>;
}

/**
 * The program's working directory and entry point from `main`.
 * pulumi/pulumi pkg/engine/project.go getPwdMain: no main → (root, "."); a
 * directory → (dir, "."); a file → (its directory, its base name).
 */
export function getPwdMain(root: string, main: string | undefined): { pwd: string; main: string } {
  if (main === undefined || main === "") return { pwd: root, main: "." };
  const full = path.isAbsolute(main) ? main : path.normalize(path.join(root, main));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch (err) {
    throw new Error(`project 'main' could not be read: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) return { pwd: full, main: "." };
  return { pwd: path.dirname(full), main: path.basename(full) };
}

/**
 * Splits `nodeargs` like github.com/google/shlex (used by
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go execRuntime): blanks separate
 * words; single quotes are literal; double quotes allow `\"` and `\\`; a
 * backslash outside quotes escapes the next character; `#` at a word start
 * begins a comment.
 */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      push();
      i += 1;
    } else if (c === "#" && word === undefined) {
      while (i < text.length && text[i] !== "\n") i += 1;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("EOF found when expecting closing quote");
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let out = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length && /["\\$`\n]/.test(text[j + 1])) j += 1;
        out += text[j];
        j += 1;
      }
      if (j >= text.length) throw new Error("EOF found when expecting closing quote");
      word = (word ?? "") + out;
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new Error("EOF found after escape character");
      word = (word ?? "") + text[i + 1];
      i += 2;
    } else {
      word = (word ?? "") + c;
      i += 1;
    }
  }
  push();
  return words;
}

/**
 * Runtime options. pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 * parseOptions: `typescript` (bool, default true), `tsconfig` (string),
 * `nodeargs` (string; split in execRuntime with shlex.Split).
 */
export function parseRuntimeOptions(
  options: Record<string, unknown> | undefined,
): NodeRuntimeOptions {
  const o = options ?? {};
  if (o.typescript !== undefined && typeof o.typescript !== "boolean") {
    throw new Error("typescript option must be a boolean");
  }
  if (o.tsconfig !== undefined && typeof o.tsconfig !== "string") {
    throw new Error("tsconfigpath option must be a string");
  }
  if (o.nodeargs !== undefined && typeof o.nodeargs !== "string") {
    throw new Error("nodeargs option must be a string");
  }
  return {
    typescript: (o.typescript as boolean | undefined) ?? true,
    tsconfig: (o.tsconfig as string | undefined) || undefined,
    nodeargs: shlexSplit((o.nodeargs as string | undefined) ?? ""),
  };
}

/**
 * A config key as the engine parses it. pulumi/pulumi pkg/workspace/config.go
 * parseConfigKey: a key without `:` is in the project's namespace.
 */
export function fullConfigKey(projectName: string, key: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

interface RawProject {
  name?: unknown;
  main?: unknown;
  runtime?: unknown;
  stackConfigDir?: unknown;
  config?: unknown;
}

function runtimeOptionsOf(runtime: unknown): Record<string, unknown> | undefined {
  // pulumi/pulumi sdk/go/common/workspace/project.go ProjectRuntimeInfo: `runtime:` is a
  // name, or {name, options}.
  if (typeof runtime === "string") return undefined;
  const options = (runtime as { options?: unknown } | undefined)?.options;
  return options && typeof options === "object" ? (options as Record<string, unknown>) : undefined;
}

function declaredConfigOf(projectName: string, config: unknown): Record<string, DeclaredConfig> {
  const out: Record<string, DeclaredConfig> = {};
  if (config === null || typeof config !== "object") return out;
  for (const [key, decl] of Object.entries(config as Record<string, unknown>)) {
    // pulumi/pulumi sdk/go/common/workspace/project.go RewriteShorthandConfigValues: a
    // primitive or array is shorthand for {default: …} on a project key, {value: …} on
    // another namespace's key.
    const full = fullConfigKey(projectName, key);
    const d =
      decl !== null && typeof decl === "object" && !Array.isArray(decl)
        ? (decl as { default?: unknown; value?: unknown })
        : full.startsWith(`${projectName}:`)
          ? { default: decl }
          : { value: decl };
    out[full] = { default: d.default, value: d.value };
  }
  return out;
}

/** Reads `<root>/Pulumi.yaml`. */
export function loadProject(root: string): PulumiProject {
  const file = path.join(root, "Pulumi.yaml");
  const raw = parse(fs.readFileSync(file, "utf8")) as RawProject;
  if (typeof raw.name !== "string" || raw.name === "") throw new Error(`${file}: no project name`);
  const { pwd, main } = getPwdMain(root, typeof raw.main === "string" ? raw.main : undefined);
  return {
    root,
    name: raw.name,
    programDir: pwd,
    entryPoint: main,
    runtime: parseRuntimeOptions(runtimeOptionsOf(raw.runtime)),
    runtimeOptions: runtimeOptionsOf(raw.runtime) ?? {},
    stackConfigDir: path.join(
      root,
      typeof raw.stackConfigDir === "string" ? raw.stackConfigDir : ".",
    ),
    declaredConfig: declaredConfigOf(raw.name, raw.config),
  };
}

/** `<stackConfigDir>/Pulumi.<stack>.yaml`. */
export function stackConfigFile(project: PulumiProject, stack: string): string {
  return path.join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
}
