// The documentation checked against the project (README.md, DEVELOPMENT.md, docs/*.md).
//
// 1. Shape and links: the README stays short (at most 220 lines), and every relative link
//    in README.md, DEVELOPMENT.md and docs/*.md points to an existing file and, for a
//    `#anchor`, to an existing heading of that file (GitHub's slugs, duplicates `-1`, `-2`).
// 2. Commands, PARSED ONLY: every command line in a fenced code block of those files that
//    starts with `zenml-remote-storage` (or `npx zenml-remote-storage`, after `VAR=value`
//    assignments) is run through the CLI's own parser, in process (`main(argv, {io})`), with
//    `--help` appended so that nothing is executed: the exit code must be 0, the output must
//    be that command's own help (an unknown command would print the top-level help), and every
//    `--flag` on the line must be one that help lists (`--help` skips yargs' unknown-option
//    check, so this is what catches a misspelt flag). `npm run X` must name a script of
//    package.json, `npm test` needs the `test` script, and `npx X` must be a bin in
//    node_modules/.bin. provision, preview, outputs, register, verify, rotate and destroy are
//    only parsed: they need a cloud, a ZenML server or the Pulumi CLI, none of which is here.
// 3. Commands, EXECUTED FOR REAL: the offline-capable ones — every `zenml-remote-storage init …`
//    and `zenml-remote-storage plan --offline …` line, in document order per file — run through
//    `main(...)` with a fake io and the fake dependencies of test/unit/automation/support/fakes
//    (no Pulumi CLI, no cloud: `plan --offline` uses Pulumi's mock runtime) in a temporary copy
//    of the project (Pulumi.yaml and stacks/), and must exit 0. `init` runs first, so a later
//    `plan --offline --stack <that stack>` plans the stack it wrote; a `plan` line is run only
//    when its `--stack` is one of the example stacks in stacks/ or one an `init` line of the same
//    file created, or its `--config` is a file under stacks/ (read from the copy); otherwise it
//    is parsed only. `--emit DIR` is redirected to a temporary directory, and the emitted files
//    must exist. Set DOCS_TEST_LIST=1 to print the lines that were executed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli";
import { fakes, tempProject } from "./automation/support/fakes";

const REPO = path.resolve(__dirname, "../..");
const DOCS = [
  "README.md",
  "DEVELOPMENT.md",
  ...fs
    .readdirSync(path.join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];
const read = (rel: string): string => fs.readFileSync(path.join(REPO, rel), "utf8");
const PASS = { PULUMI_CONFIG_PASSPHRASE: "docs-test-passphrase" };

/** The text outside fenced code blocks, with inline code spans blanked. */
function prose(md: string): string {
  return md
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/(`+)[\s\S]*?\1/g, (m) => " ".repeat(m.length));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, `-N` for repeats. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

function relativeLinks(file: string): Link[] {
  const links: Link[] = [];
  for (const m of prose(read(file)).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    links.push({ file, target });
  }
  return links;
}

/** Splits a shell line into words (quotes removed); `#` starts a comment outside quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = "";
      has = false;
    } else if (c === "#" && !has) {
      break;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

interface Command {
  readonly file: string;
  readonly line: string;
  readonly argv: readonly string[];
}

/** Every command of a fenced code block, split at `&&`, `||`, `;` and `|`. */
function commands(file: string): Command[] {
  const out: Command[] = [];
  for (const block of read(file).matchAll(/^(```|~~~)[^\n]*\n([\s\S]*?)^\1[^\n]*$/gm)) {
    const lines = block[2].replace(/\\\n\s*/g, " ").split("\n");
    for (const raw of lines) {
      const line = raw.replace(/^\s*\$\s+/, "").trim();
      for (const part of line.split(/\s*(?:&&|\|\||;|\|)\s*/)) {
        const w = words(part);
        while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0])) w.shift();
        if (w.length > 0) out.push({ file, line: line.replace(/\s+#.*$/, ""), argv: w });
      }
    }
  }
  return out;
}

const ALL = DOCS.flatMap(commands);
/** `zenml-remote-storage …` lines, with the program name removed. */
const CLI = ALL.flatMap((c) => {
  const w = c.argv[0] === "npx" ? c.argv.slice(1) : c.argv;
  return w[0] === "zenml-remote-storage" ? [{ ...c, args: w.slice(1) }] : [];
});
const NPM_RUN = ALL.filter((c) => c.argv[0] === "npm" && ["run", "test"].includes(c.argv[1]));
const NPX_OTHER = ALL.filter((c) => c.argv[0] === "npx" && c.argv[1] !== "zenml-remote-storage");
const EXAMPLE_STACKS = fs
  .readdirSync(path.join(REPO, "stacks"))
  .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

describe("documentation", () => {
  it("keeps the README at most 220 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(220);
  });

  it("has only relative links that resolve to a file and, with #anchor, to a heading", () => {
    const links = DOCS.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(20);
    const broken: string[] = [];
    for (const { file, target } of links) {
      const [p, anchor] = target.split("#", 2);
      const dest =
        p === "" ? path.join(REPO, file) : path.resolve(path.dirname(path.join(REPO, file)), p);
      if (!fs.existsSync(dest)) {
        broken.push(`${file}: ${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && !anchors(fs.readFileSync(dest, "utf8")).has(anchor)) {
        broken.push(`${file}: ${target}: no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("finds commands in the docs' code blocks", () => {
    expect(CLI.length).toBeGreaterThan(5);
    expect(CLI.some((c) => c.args[0] === "plan")).toBe(true);
    expect(NPM_RUN.length).toBeGreaterThan(0);
  });

  it("names only package.json scripts with npm run / npm test, and installed bins with npx", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts as object);
    const bad: string[] = [];
    for (const c of NPM_RUN) {
      const script = c.argv[1] === "test" ? "test" : c.argv[2];
      if (!scripts.includes(script)) bad.push(`${c.file}: ${c.line}`);
    }
    for (const c of NPX_OTHER) {
      const bin = c.argv.slice(1).find((a) => !a.startsWith("-"));
      if (!bin || !fs.existsSync(path.join(REPO, "node_modules", ".bin", bin))) {
        bad.push(`${c.file}: ${c.line}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("documents only command/flag combinations the CLI accepts (parsed with --help)", async () => {
    const bad: string[] = [];
    for (const c of CLI) {
      const f = fakes({ env: PASS });
      const code = await main([...c.args, "--help"], { io: f.io, deps: () => f.deps, env: PASS });
      const help = f.io.stdout.join("\n");
      const command = c.args.find((a) => !a.startsWith("-"));
      const problems: string[] = [];
      if (code !== 0) problems.push(`exit ${code}: ${f.io.stderr.join(" ")}`);
      if (!command || !help.startsWith(`zenml-remote-storage ${command}`)) {
        problems.push(`not a command: ${command}`);
      }
      for (const a of c.args) {
        const flag = /^(--[a-z][a-z0-9-]*)/.exec(a)?.[1];
        if (!flag) continue;
        const known = (n: string): boolean => new RegExp(`${n}(?![a-z0-9-])`).test(help);
        if (!known(flag) && !(flag.startsWith("--no-") && known(`--${flag.slice(5)}`))) {
          problems.push(`unknown flag ${flag}`);
        }
      }
      if (problems.length > 0) bad.push(`${c.file}: ${c.line}: ${problems.join("; ")}`);
      fs.rmSync(f.root, { recursive: true, force: true });
    }
    expect(bad).toEqual([]);
  });

  it("runs every documented init and plan --offline line for real in a copy of the project", async () => {
    const failed: string[] = [];
    const ran: string[] = [];
    for (const file of DOCS) {
      const lines = CLI.filter(
        (c) =>
          c.file === file &&
          (c.args[0] === "init" || (c.args[0] === "plan" && c.args.includes("--offline"))),
      );
      if (lines.length === 0) continue;
      const root = tempProject();
      const emitRoot = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-docs-emit-"));
      const stacks = new Set(EXAMPLE_STACKS);
      try {
        for (const c of lines) {
          const stack = option(c.args, "--stack");
          const config = option(c.args, "--config");
          const known = stack !== undefined ? stacks.has(stack) : config?.startsWith("stacks/");
          if (c.args[0] === "plan" && !known) continue;
          const args = [...c.args];
          const emitAt = args.indexOf("--emit");
          const emitDir = emitAt >= 0 ? path.join(emitRoot, String(ran.length)) : undefined;
          if (emitDir) args[emitAt + 1] = emitDir;
          const configAt = args.indexOf("--config");
          if (configAt >= 0 && !path.isAbsolute(args[configAt + 1])) {
            args[configAt + 1] = path.join(root, args[configAt + 1]); // the copy's, not the checkout's
          }
          const f = fakes({ env: PASS, root });
          const code = await main(args, { io: f.io, deps: () => f.deps, env: PASS });
          ran.push(`${file}: ${c.line}`);
          const problems: string[] = [];
          if (code !== 0) problems.push(`exit ${code}: ${f.io.stderr.join(" ")}`);
          if (c.args[0] === "init" && stack) {
            if (fs.existsSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`))) stacks.add(stack);
            else problems.push(`no stacks/Pulumi.${stack}.yaml written`);
          } else if (!/\S/.test(f.io.stdout.join(""))) {
            problems.push("printed no plan");
          }
          for (const name of emitDir && stack
            ? [`${stack}.zenml.yaml`, `${stack}.register.sh`]
            : []) {
            if (!fs.existsSync(path.join(emitDir ?? "", name)))
              problems.push(`--emit wrote no ${name}`);
          }
          if (problems.length > 0) failed.push(`${file}: ${c.line}: ${problems.join("; ")}`);
        }
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
        fs.rmSync(emitRoot, { recursive: true, force: true });
      }
    }
    if (process.env.DOCS_TEST_LIST) console.log(ran.join("\n"));
    expect(failed).toEqual([]);
    expect(ran.length).toBeGreaterThanOrEqual(3);
  });
});
