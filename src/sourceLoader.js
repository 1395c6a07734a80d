// Runs this project's TypeScript sources without a build step, for `pulumi up`
// (src/main.js) and for the CLI run from a checkout (bin/zenml-remote-storage):
// each .ts file is transpiled once (TypeScript's transpileModule, no type-check:
// that is `npm run typecheck`) and its JavaScript kept in node_modules/.cache,
// keyed by the file's path and text, the compiler version and the options. A run
// whose sources did not change never loads TypeScript (half a second per start).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
// ZENML_REMOTE_STORAGE_TS_CACHE moves the cache (e.g. off a read-only install).
const CACHE_DIR =
  process.env.ZENML_REMOTE_STORAGE_TS_CACHE ||
  path.join(ROOT, "node_modules", ".cache", "zenml-remote-storage", "ts");
// The options of tsconfig.json that change the emitted JavaScript.
const COMPILER_OPTIONS = {
  module: "commonjs",
  target: "es2022",
  esModuleInterop: true,
  inlineSourceMap: true,
};

let typescript; // loaded on the first cache miss only
let cacheKeyBase;

function keyBase() {
  if (cacheKeyBase === undefined) {
    // The compiler's version from its package.json: cheap, unlike loading the compiler.
    const version = require("typescript/package.json").version;
    cacheKeyBase = `${version}\n${JSON.stringify(COMPILER_OPTIONS)}\n`;
  }
  return cacheKeyBase;
}

function transpile(source, filename) {
  typescript ??= require("typescript");
  const options = typescript.convertCompilerOptionsFromJson(COMPILER_OPTIONS, ROOT).options;
  return typescript.transpileModule(source, { fileName: filename, compilerOptions: options })
    .outputText;
}

/** The JavaScript for one source file, from the cache or freshly transpiled (then cached). */
function javascriptFor(source, filename) {
  const key = crypto
    .createHash("sha256")
    .update(keyBase())
    .update(`${filename}\n`)
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  const output = transpile(source, filename);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Written whole, then renamed: a concurrent run reads the old state or the complete file.
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  } catch {
    // A read-only install: transpile on every run instead.
  }
  return output;
}

/**
 * Makes `require` run .ts files (idempotent). The inline source maps let
 * source-map-support (which Pulumi's cmd/run installs) print TypeScript lines in
 * stack traces, lazily; Node's own source-map support would parse every
 * SDK module's map at load time.
 */
function registerTypeScript() {
  if (require.extensions[".ts"]) return;
  require.extensions[".ts"] = (module, filename) => {
    module._compile(javascriptFor(fs.readFileSync(filename, "utf8"), filename), filename);
  };
}

module.exports = { registerTypeScript };
