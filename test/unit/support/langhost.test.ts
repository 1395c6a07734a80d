/**
 * The language-host harness's own rules (test/support/langhost/), each against
 * the pulumi/pulumi function it reproduces: how Pulumi.yaml becomes the
 * program's directory, entry point and runtime options; how a stack file
 * becomes the config the engine passes; the program's arguments and
 * environment; and the engine's marshalling of values for a provider.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultProviderName, generateUrn } from "../../support/langhost/deployment";
import {
  getPwdMain,
  loadProject,
  parseRuntimeOptions,
  shlexSplit,
} from "../../support/langhost/project";
import {
  constructArguments,
  constructConfig,
  programEnvironment,
  runResponseOf,
} from "../../support/langhost/runner";
import { goJson, loadStackRunConfig } from "../../support/langhost/stackConfig";
import {
  annotateSecrets,
  makeSecret,
  marshalMap,
  OUTPUT_VALUE_SIG,
  RESOURCE_SIG,
  SIG_KEY,
  UNKNOWN,
  type WireMap,
} from "../../support/langhost/wire";

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-unit-"));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("Pulumi.yaml → program directory and entry point (pkg/engine/project.go getPwdMain)", () => {
  it("no main: the root and '.'", () => {
    const root = project({});
    expect(getPwdMain(root, undefined)).toEqual({ pwd: root, main: "." });
  });
  it("a directory: that directory and '.'", () => {
    const root = project({ "app/index.ts": "" });
    expect(getPwdMain(root, "app")).toEqual({ pwd: path.join(root, "app"), main: "." });
  });
  it("a file: its directory and its base name", () => {
    const root = project({ "src/index.ts": "" });
    expect(getPwdMain(root, "src/index.ts")).toEqual({
      pwd: path.join(root, "src"),
      main: "index.ts",
    });
  });
  it("a main that does not exist is an error", () => {
    expect(() => getPwdMain(project({}), "nope.ts")).toThrow(/project 'main' could not be read/);
  });
});

describe("runtime options (pulumi-language-nodejs main.go parseOptions)", () => {
  it("typescript defaults to true; tsconfig and nodeargs are read", () => {
    expect(parseRuntimeOptions(undefined)).toEqual({
      typescript: true,
      tsconfig: undefined,
      nodeargs: [],
    });
    expect(
      parseRuntimeOptions({
        typescript: false,
        tsconfig: "t.json",
        nodeargs: "--max-old-space-size=4096 --a 'b c'",
      }),
    ).toEqual({
      typescript: false,
      tsconfig: "t.json",
      nodeargs: ["--max-old-space-size=4096", "--a", "b c"],
    });
  });
  it("refuses options of the wrong type", () => {
    expect(() => parseRuntimeOptions({ typescript: "yes" })).toThrow(
      "typescript option must be a boolean",
    );
  });
  it("splits like shlex: quotes, escapes, comments", () => {
    expect(shlexSplit(`a "b \\"c\\"" 'd e' f\\ g # comment`)).toEqual(["a", 'b "c"', "d e", "f g"]);
  });
});

describe("stack config → what the engine passes (config.Value, mergeConfig)", () => {
  const root = project({
    "Pulumi.yaml": [
      "name: proj",
      "runtime: {name: nodejs, options: {nodeargs: '--x'}}",
      "stackConfigDir: stacks",
      "config:",
      "  required: {description: needed}",
      "  withDefault: {default: 3}",
      "  aws:region: us-west-2",
      "",
    ].join("\n"),
    "stacks/Pulumi.dev.yaml": [
      "config:",
      "  proj:required: yes-it-is",
      "  proj:number: 7",
      "  proj:obj: {b: 1, a: [true, '<x>'], s: {secure: ct1}}",
      "  proj:apiKey: {secure: ct2}",
      "  bare: value",
      "",
    ].join("\n"),
    "stacks/Pulumi.missing.yaml": "config: {}\n",
  });

  it("reads the project: name, runtime options, stack config dir", () => {
    const p = loadProject(root);
    expect(p.name).toBe("proj");
    expect(p.runtime.nodeargs).toEqual(["--x"]);
    expect(p.stackConfigDir).toBe(path.join(root, "stacks"));
    expect(p.programDir).toBe(root);
    expect(p.entryPoint).toBe(".");
  });

  it("strings as they are, scalars printed, objects as Go JSON, secure values decrypted in place", () => {
    const cfg = loadStackRunConfig(loadProject(root), "dev", {
      "proj:obj.s": "nested-secret",
      "proj:apiKey": "top-secret",
    });
    expect(cfg.config).toEqual({
      "proj:required": "yes-it-is",
      "proj:number": "7",
      "proj:obj": '{"a":[true,"\\u003cx\\u003e"],"b":1,"s":"nested-secret"}',
      "proj:apiKey": "top-secret",
      "proj:bare": "value",
      "proj:withDefault": "3",
      "aws:region": "us-west-2",
    });
    expect(cfg.secretKeys).toEqual(["proj:apiKey", "proj:obj"]);
  });

  it("a secure value without a plaintext is an error naming it", () => {
    expect(() => loadStackRunConfig(loadProject(root), "dev", { "proj:apiKey": "x" })).toThrow(
      "no plaintext supplied for the secure config value proj:obj.s",
    );
  });

  it("a declared project key without default that the stack lacks is the engine's error", () => {
    expect(() => loadStackRunConfig(loadProject(root), "missing")).toThrow(
      "Stack 'missing' is missing configuration value 'required'",
    );
  });

  it("Go JSON sorts keys and escapes HTML characters", () => {
    expect(goJson({ z: 1, a: { y: "&", b: null } })).toBe('{"a":{"b":null,"y":"\\u0026"},"z":1}');
  });
});

describe("the program's command line and environment (main.go constructArguments, constructConfig, execRuntime)", () => {
  const p = loadProject(
    project({
      "Pulumi.yaml":
        "name: proj\nruntime: {name: nodejs, options: {tsconfig: tsconfig.program.json}}\n",
    }),
  );
  const req = {
    project: p,
    stack: "dev",
    config: { config: { "proj:a": "1", "aws:region": "x" }, secretKeys: ["proj:a"] },
    dryRun: true,
    monitorAddress: "127.0.0.1:1",
    engineAddress: "127.0.0.1:2",
    dropEnv: ["SOME_TOKEN"],
  };

  it("passes the flags in the host's order, the entry point last", () => {
    const args = constructArguments(req, "/sdk/cmd/run");
    expect(args.slice(0, 15)).toEqual([
      "/sdk/cmd/run",
      "--monitor",
      "127.0.0.1:1",
      "--engine",
      "127.0.0.1:2",
      "--organization",
      "organization",
      "--project",
      "proj",
      "--root-directory",
      p.root,
      "--stack",
      "dev",
      "--pwd",
      p.programDir,
    ]);
    expect(args.slice(15, 18)).toEqual([
      "--dry-run",
      "--parallel",
      String(os.availableParallelism() * 4),
    ]);
    expect(args[args.length - 1]).toBe(".");
  });

  it("renames config keys to <ns>:config:<name> and lists the secret keys", () => {
    expect(JSON.parse(constructConfig(req.config.config))).toEqual({
      "proj:config:a": "1",
      "aws:config:region": "x",
    });
    process.env.SOME_TOKEN = "drop-me";
    const env = programEnvironment(req);
    delete process.env.SOME_TOKEN;
    expect(env.PULUMI_CONFIG_SECRET_KEYS).toBe('["proj:a"]');
    expect(env.PULUMI_NODEJS_TYPESCRIPT).toBe("true");
    expect(env.PULUMI_NODEJS_TSCONFIG_PATH).toBe("tsconfig.program.json");
    expect(env.SOME_TOKEN).toBeUndefined();
    expect(Object.keys(env).filter((k) => k.startsWith("VITEST") || k === "NODE_OPTIONS")).toEqual(
      [],
    );
  });

  it("reads the exit code as the host does: 32 bails, others are an error", () => {
    expect(runResponseOf(0, null)).toEqual({ error: "", bail: false });
    expect(runResponseOf(32, null)).toEqual({ error: "", bail: true });
    expect(runResponseOf(1, null)).toEqual({
      error: "Program exited with non-zero exit code: 1",
      bail: false,
    });
  });
});

describe("the engine's URNs and default providers", () => {
  it("prefixes the parent's type except the root stack's (deployment.go generateURN)", () => {
    const stackUrn = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";
    const comp = generateUrn("dev", "proj", stackUrn, "my:comp:C", "c");
    expect(comp).toBe("urn:pulumi:dev::proj::my:comp:C::c");
    expect(generateUrn("dev", "proj", comp, "aws:s3/bucket:Bucket", "b")).toBe(
      "urn:pulumi:dev::proj::my:comp:C$aws:s3/bucket:Bucket::b",
    );
  });
  it("names a default provider by version (providers/provider.go DefaultName)", () => {
    expect(defaultProviderName("")).toBe("default");
    expect(defaultProviderName("7.48.0")).toBe("default_7_48_0");
    expect(defaultProviderName("1.2.3-alpha.1")).toBe("default_1_2_3_alpha_1");
  });
});

describe("values as the engine marshals them for a provider (plugin/rpc.go MarshalProperties)", () => {
  const props: WireMap = {
    plain: "p",
    secret: makeSecret("s"),
    unknown: UNKNOWN,
    nested: { list: [makeSecret("x"), UNKNOWN] },
    ref: { [SIG_KEY]: RESOURCE_SIG, urn: "urn:x", id: "id-1" },
    out: { [SIG_KEY]: OUTPUT_VALUE_SIG, value: "v", secret: true },
  };

  it("for a provider without secrets or resources, in an update: secrets stripped, unknowns left out, refs as ids", () => {
    expect(
      marshalMap(props, { keepUnknowns: false, keepSecrets: false, keepResources: false }),
    ).toEqual({
      plain: "p",
      secret: "s",
      nested: { list: ["x", null] },
      ref: "id-1",
      out: "v",
    });
  });

  it("in a preview: unknowns kept as the sentinel", () => {
    const m = marshalMap(props, { keepUnknowns: true, keepSecrets: true, keepResources: true });
    expect(m.unknown).toBe(UNKNOWN);
    expect(m.secret).toEqual(makeSecret("s"));
    expect(m.out).toEqual(makeSecret("v"));
  });

  it("re-marks outputs secret where the input was (provider_plugin.go annotateSecrets)", () => {
    const outs = annotateSecrets(
      { secret: "s", nested: { a: "x", b: "y" }, other: "o" },
      {
        secret: makeSecret("s"),
        nested: { a: makeSecret("x"), b: "y" },
      },
    );
    expect(outs).toEqual({
      secret: makeSecret("s"),
      nested: { a: makeSecret("x"), b: "y" },
      other: "o",
    });
  });
});
