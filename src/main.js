// The program's entry point for `pulumi up` and the provisioning script (package.json
// `main`; Pulumi.yaml sets `typescript: false`, so Pulumi loads no ts-node): the
// TypeScript program in src/index.ts, through the transpile cache of sourceLoader.js.
"use strict";
require("./sourceLoader").registerTypeScript();
module.exports = require("./index.ts");
