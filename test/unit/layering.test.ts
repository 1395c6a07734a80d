// The source's structure: no import loop anywhere in src/ (type-only imports
// count: a loop of types is still a loop a reader has to untangle), and no
// import runs back up the layers config -> zenml -> stores -> program ->
// plan -> verify -> automation -> cli. Imports are read with TypeScript's own scanner.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(__dirname, "..", "..", "src");

/** Lower layers first; a file may import its own layer or one listed before it. */
const LAYERS = ["config", "zenml", "stores", "index.ts", "plan", "verify", "automation", "cli"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
}

/** Every relative import of every file, static and dynamic, as src-relative paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName))
      .filter((f): f is string => f !== undefined)
      .map((f) => path.relative(SRC, f));
    graph.set(path.relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** The import loops (each as the files on it), by depth-first search. */
function loops(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

function layerOf(file: string): number {
  return LAYERS.indexOf(file.split(path.sep)[0]);
}

describe("src/ import structure", () => {
  const graph = importGraph();

  it("reads every source file and its imports", () => {
    expect(graph.size).toBeGreaterThan(90);
    expect(graph.get(path.join("cli", "index.ts"))?.length).toBeGreaterThan(0);
  });

  it("has no import loop", () => {
    expect(loops(graph)).toEqual([]);
  });

  it("finds a loop when there is one (the check itself)", () => {
    const looped = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(loops(looped)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("has no import that runs back up the layers", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => layerOf(t) > layerOf(file) && layerOf(file) >= 0)
        .map((t) => `${file} -> ${t}`),
    );
    expect(upward).toEqual([]);
  });
});
