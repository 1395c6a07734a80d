/**
 * The bad-input harness: one bad input, run through the REAL CLI entry
 * (`main(argv, {io, deps, env})`, the real yargs parser and handlers) with the
 * FAKE Pulumi workspace, ZenML registrar and storage verifier of
 * test/unit/automation/support/fakes.ts (unless a case swaps in a real one), in
 * a temporary project directory. What every case must show:
 * - exactly one line on stderr, `error: <field or server>: <rule>`, matching the case;
 * - nothing on stdout (no `--json` here) and a non-zero exit code (2 unless the case says);
 * - no stack trace: no `    at ` line, no `TypeError:`-style class dump, no
 *   "unexpected error" hint;
 * - nothing created or half-written: the digest of the project's files (stacks/,
 *   .pulumi-state/, every file's bytes, mode and symlink target) is the same before
 *   and after, no temporary file is left, the fake workspace saw no preview, up,
 *   destroy or setConfig, and the fake ZenML server saw no apply or remove.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import type { Deps } from "../../../src/automation/context";
import { main } from "../../../src/cli";
import { AWS_CREDENTIALS, fakes, type Fakes } from "../automation/support/fakes";

export type Env = Record<string, string>;

export const PASS: Env = { PULUMI_CONFIG_PASSPHRASE: "bad-input-test-passphrase" };

export type Category =
  | "stack config: names"
  | "stack config: types"
  | "stack config: unknown keys"
  | "stack config: conflicts"
  | "stack config: values"
  | "files: malformed or unreadable"
  | "environment: passphrase"
  | "cli flags"
  | "stack yaml (register)"
  | "zenml server answers";

/** A file to put into the project before the run (path relative to the project root). */
export type FileSpec =
  string | { readonly dir: true } | { readonly symlink: string } | { readonly bytes: Buffer };

export interface RunContext {
  readonly root: string;
  /** Base URLs of the fake servers a case may use (server cases). */
  readonly servers: Readonly<Record<string, string>>;
}

export interface BadInput {
  readonly name: string;
  readonly category: Category;
  readonly argv: readonly string[] | ((ctx: RunContext) => readonly string[]);
  /** The environment (default PASS). */
  readonly env?: Env;
  /** Files written before the run. */
  readonly files?: Readonly<Record<string, FileSpec>>;
  /** Run a good `provision --stack aws-dev --yes --no-verify` first (fake workspace). */
  readonly provisioned?: boolean;
  /** Changes made after the good provision, before the run. */
  readonly edit?: (root: string) => void;
  /** Replaces fake dependencies with real ones (e.g. the real ZenML client). */
  readonly deps?: (deps: Deps) => Deps;
  /** The single stderr line, `error: ` included. */
  readonly line: RegExp;
  /** Expected exit code (default 2). */
  readonly exit?: number;
}

export interface BadInputResult {
  readonly code: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  readonly before: string;
  readonly after: string;
  readonly leftovers: readonly string[];
  readonly fakes: Fakes;
}

/** A digest of every entry under the project: names, kinds, modes, bytes, symlink targets. */
export function projectDigest(root: string): string {
  const h = createHash("sha256");
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      h.update(`${path.relative(root, p)}\0${st.mode.toString(8)}\0`);
      if (st.isSymbolicLink()) h.update(`-> ${fs.readlinkSync(p)}\0`);
      else if (st.isDirectory()) walk(p);
      else h.update(fs.readFileSync(p)).update("\0");
    }
  };
  walk(root);
  return h.digest("hex");
}

/** Temporary files (`*.tmp`) anywhere under the project. */
export function leftovers(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tmp$/.test(e.name)) out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out;
}

function writeFiles(root: string, files: Readonly<Record<string, FileSpec>>): void {
  for (const [rel, spec] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.rmSync(p, { recursive: true, force: true });
    if (typeof spec === "string") fs.writeFileSync(p, spec);
    else if ("dir" in spec) fs.mkdirSync(p);
    else if ("symlink" in spec) fs.symlinkSync(spec.symlink, p);
    else fs.writeFileSync(p, spec.bytes);
  }
}

/** Runs one bad input through `main` and returns what the user saw and what changed. */
export async function runBadInput(
  c: BadInput,
  servers: Readonly<Record<string, string>> = {},
): Promise<BadInputResult> {
  const env = c.env ?? PASS;
  const f = fakes({ env });
  if (c.provisioned) {
    const code = await main(["provision", "--stack", "aws-dev", "--yes", "--no-verify"], {
      io: f.io,
      deps: () => f.deps,
      env,
    });
    if (code !== 0) throw new Error(`the good provision failed: ${f.io.stderr.join("\n")}`);
    f.io.stdout.length = 0;
    f.io.stderr.length = 0;
    f.workspace.calls.length = 0;
    f.zenml.calls.length = 0;
  }
  if (c.files) writeFiles(f.root, c.files);
  c.edit?.(f.root);
  const ctx: RunContext = { root: f.root, servers };
  const argv = typeof c.argv === "function" ? c.argv(ctx) : c.argv;
  const deps = c.deps ? c.deps(f.deps) : f.deps;
  const before = projectDigest(f.root);
  const code = await main(argv, { io: f.io, deps: () => deps, env });
  return {
    code,
    stdout: [...f.io.stdout],
    stderr: [...f.io.stderr],
    before,
    after: projectDigest(f.root),
    leftovers: leftovers(f.root),
    fakes: f,
  };
}

/** Marks of a stack trace or an error-class dump in user-facing output. */
export const TRACE_MARKS: readonly RegExp[] = [
  /^\s+at /m,
  /(^|[\s:(])(Type|Range|Syntax|Reference|Eval|URI|Aggregate)?Error: /,
  /\b[A-Z][A-Za-z]+Error\b/,
  /unexpected error/i,
];

/** The assertions every bad input must pass (see the file comment). */
export function expectCleanFailure(c: BadInput, r: BadInputResult): void {
  const all = [...r.stdout, ...r.stderr].join("\n");
  expect(r.stderr, all).toHaveLength(1);
  expect(r.stderr[0]).toMatch(/^error: \S/);
  expect(r.stderr[0]).toMatch(c.line);
  expect(r.stderr[0]).not.toContain("\n");
  for (const mark of TRACE_MARKS) expect(all).not.toMatch(mark);
  // No secret in what the user saw: the fake store key, the passphrase, a ZenML API key.
  for (const secret of [
    AWS_CREDENTIALS.aws_secret_access_key,
    ...Object.entries(c.env ?? PASS)
      .filter(([k]) => /PASSPHRASE$|API_KEY$/.test(k))
      .map(([, v]) => v),
  ].filter((v) => v.length >= 8)) {
    expect(all).not.toContain(secret);
  }
  expect(r.stdout).toEqual([]);
  expect(r.code).not.toBe(0);
  expect(r.code).toBe(c.exit ?? 2);
  expect(r.after, "the project's files changed").toBe(r.before);
  expect(r.leftovers).toEqual([]);
  expect(
    r.fakes.workspace.calls.filter((call) => /^(preview|up|destroy|setConfig)/.test(call)),
  ).toEqual([]);
  expect(r.fakes.zenml.calls.filter((call) => /^(apply|remove)/.test(call))).toEqual([]);
}
