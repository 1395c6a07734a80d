// Preloaded with `node --require` into a measured child process. Costs nothing
// while the child runs: at exit it writes, to $BENCH_MODULES_OUT, every module
// file in require.cache with the file that first required it (to name import
// chains), and the process's peak RSS (process.resourceUsage().maxRSS, KiB).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload script */
const fs = require("node:fs");

const out = process.env.BENCH_MODULES_OUT;
if (out) {
  process.on("exit", () => {
    const modules = {};
    for (const [file, mod] of Object.entries(require.cache)) {
      // `module.parent` is the module that first required this one (deprecated
      // as API, still set by Node 22's CommonJS loader).
      modules[file] = (mod && mod.parent && mod.parent.filename) || null;
    }
    fs.writeFileSync(out, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, modules }));
  });
}
