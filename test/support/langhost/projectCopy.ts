/**
 * A throwaway copy of the project (Pulumi.yaml, package files, tsconfigs,
 * src/, stacks/) in a temporary directory, with `node_modules` linked to the
 * repository's, so a test can edit stack files or program source without
 * touching the repository. Node resolves the link to the real path, so the
 * copy's program and the SDK it loads are the same modules as the original's.
 * With `production: true` the copy gets its own tree as `npm ci --omit=dev`
 * leaves it: the repository's hard-linked, then pruned of devDependencies.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProject } from "./project";
import { fakeCiphertext, setStackConfigText } from "./stackFileEdit";

const PROJECT_FILES = ["Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json"];
const PROJECT_DIRS = ["src", "stacks"];

export interface ProjectCopy {
  readonly root: string;
  /** Replaces `search` in a file of the copy (relative path); the text must be there. */
  edit(file: string, search: string | RegExp, replacement: string): void;
  /**
   * Writes `stacks/Pulumi.<stack>.yaml` as `pulumi config set` would: `config`
   * plain values by full key, `secrets` by full key or `--path` key (stored as
   * a fake ciphertext). Returns the plaintexts for the harness.
   */
  writeStack(
    stack: string,
    config: Readonly<Record<string, unknown>>,
    secrets?: Readonly<Record<string, string>>,
  ): Record<string, string>;
  remove(): void;
}

export interface CopyOptions {
  /** Name prefix of the temporary directory. */
  readonly prefix?: string;
  /** Give the copy a production install of its own instead of the repository's tree. */
  readonly production?: boolean;
}

export function copyProject(from: string, options: CopyOptions = {}): ProjectCopy {
  const prefix = options.prefix ?? "langhost-project-";
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const f of PROJECT_FILES) {
    if (fs.existsSync(path.join(from, f))) fs.copyFileSync(path.join(from, f), path.join(root, f));
  }
  for (const d of PROJECT_DIRS)
    fs.cpSync(path.join(from, d), path.join(root, d), { recursive: true });
  if (options.production) {
    // Hard links are never written through: npm prune only unlinks.
    execFileSync("cp", ["-al", path.join(from, "node_modules"), path.join(root, "node_modules")]);
    execFileSync("npm", ["prune", "--omit=dev", "--offline", "--no-audit", "--no-fund"], {
      cwd: root,
      stdio: "pipe",
    });
  } else {
    fs.symlinkSync(path.join(from, "node_modules"), path.join(root, "node_modules"), "dir");
  }
  return {
    root,
    edit(file, search, replacement) {
      const p = path.join(root, file);
      const text = fs.readFileSync(p, "utf8");
      const next = text.replace(search, replacement);
      if (next === text)
        throw new Error(`copyProject.edit: ${String(search)} not found in ${file}`);
      fs.writeFileSync(p, next);
    },
    writeStack(stack, config, secrets = {}) {
      const project = loadProject(root).name;
      let text = "";
      for (const [key, value] of Object.entries(config)) {
        text = setStackConfigText(text, project, key, value);
      }
      for (const [key, value] of Object.entries(secrets)) {
        text = setStackConfigText(
          text,
          project,
          key,
          { secure: fakeCiphertext(value) },
          { path: true },
        );
      }
      fs.writeFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), text);
      return { ...secrets };
    },
    remove() {
      if (process.env.KEEP_TEST_TMP !== "1") fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
