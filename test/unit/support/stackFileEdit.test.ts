/**
 * The harness's rewrite of a stack file after `pulumi config set`
 * (test/support/langhost/stackFileEdit.ts), rule by rule, each from
 * pulumi/pulumi sdk/go/common/util/yamlutil/edit.go (Edit, editNodes,
 * handleMappingNode), yamlutil/encode.go (YamlEncode) and
 * sdk/go/common/workspace/loaders.go (stackConfigNamespacedWithProject).
 */
import { describe, expect, it } from "vitest";
import {
  editYaml,
  parsePropertyPath,
  projectStackValue,
  setStackConfigText,
} from "../../support/langhost/stackFileEdit";

const NS = "zenml-remote-storage";

const ORIGINAL = `# head comment of the file
config:
  # about the region
  aws:region: eu-west-1 # line comment
  ${NS}:stores:
    - name: s3-store # the store
      backend: aws
  ${NS}:zenmlApiKey: plain-for-now # will become secure
  # trailing comment of the config
`;

describe("yamlutil.Edit as the stack file rewrite", () => {
  it("keeps existing keys in their order, with the comments of nodes whose kind did not change", () => {
    const out = setStackConfigText(ORIGINAL, NS, "aws:region", "us-east-1");
    expect(out).toBe(`# head comment of the file
config:
  # about the region
  aws:region: us-east-1 # line comment
  ${NS}:stores:
    - name: s3-store # the store
      backend: aws
  ${NS}:zenmlApiKey: plain-for-now # will become secure
  # trailing comment of the config
`);
  });

  it("replaces a node whose kind changed (scalar → secure mapping) and drops its comment", () => {
    const out = setStackConfigText(ORIGINAL, NS, `${NS}:zenmlApiKey`, { secure: "v1:FAKE:x" });
    expect(out).toContain(`  ${NS}:zenmlApiKey:\n    secure: v1:FAKE:x\n`);
    expect(out).not.toContain("will become secure");
    expect(out).toContain("# about the region");
  });

  it("appends new keys at the end, sorted among themselves as Go marshals a map", () => {
    let out = setStackConfigText(ORIGINAL, NS, `${NS}:zenml`, "x");
    out = setStackConfigText(out, NS, `${NS}:b-key`, "y");
    const keys = [...out.matchAll(/^ {2}([^\s#][^:]*:[^:\s]+):/gm)].map((m) => m[1]);
    expect(keys).toEqual([
      "aws:region",
      `${NS}:stores`,
      `${NS}:zenmlApiKey`,
      `${NS}:zenml`,
      `${NS}:b-key`,
    ]);
  });

  it("removes keys the new value no longer has, with their comments", () => {
    const out = editYaml(ORIGINAL, { config: { "aws:region": "eu-west-1" } });
    expect(out).not.toContain("stores");
    expect(out).not.toContain("the store");
    expect(out).toContain("aws:region: eu-west-1 # line comment");
  });

  it("pairs sequence items by index and appends the extra new ones", () => {
    const out = editYaml("a:\n  - x # first\n  - y # second\n", { a: ["x", "z", "w"] });
    expect(out).toBe("a:\n  - x # first\n  - z # second\n  - w\n");
    expect(editYaml("a:\n  - x # first\n  - y # second\n", { a: ["x"] })).toBe(
      "a:\n  - x # first\n",
    );
  });

  it("encodes with 2-space indentation, sequences indented under their key", () => {
    const out = editYaml("", { config: { k: { list: [{ a: 1 }], m: { n: "v" } } } });
    expect(out).toBe("config:\n  k:\n    list:\n      - a: 1\n    m:\n      n: v\n");
  });

  it("holds a top-level scalar as a string, so a number comes back quoted", () => {
    const out = setStackConfigText("config:\n  aws:maxRetries: 7\n", NS, "aws:region", "x");
    expect(out).toBe('config:\n  aws:maxRetries: "7"\n  aws:region: x\n');
  });

  it("namespaces bare keys as the CLI loads them, so a bare key moves to the end under its full name", () => {
    const out = setStackConfigText(
      "config:\n  stores: []\n  aws:region: x\n",
      NS,
      "aws:region",
      "y",
    );
    expect(out).toBe(`config:\n  aws:region: y\n  ${NS}:stores: []\n`);
  });

  it("sets a --path value inside the key's object, typed like config.Map.Set", () => {
    let out = setStackConfigText(
      ORIGINAL,
      NS,
      `${NS}:registration.s3-store.credentials.key`,
      { secure: "v1:FAKE:k" },
      { path: true },
    );
    out = setStackConfigText(out, NS, `${NS}:registration.s3-store.verified`, "true", {
      path: true,
    });
    expect(out).toContain(
      `  ${NS}:registration:\n    s3-store:\n      credentials:\n        key:\n          secure: v1:FAKE:k\n      verified: true\n`,
    );
  });

  it("keeps the top-level fields in ProjectStack order and leaves out empty ones", () => {
    expect(
      Object.keys(
        projectStackValue(
          { encryptionsalt: "s", secretsprovider: "passphrase", encryptedkey: "" },
          { "a:b": "c" },
        ),
      ),
    ).toEqual(["secretsprovider", "encryptionsalt", "config"]);
  });

  it("parses property paths with indices and quoted keys", () => {
    expect(parsePropertyPath("ns:stores[1].impersonatorKey")).toEqual([
      "ns:stores",
      1,
      "impersonatorKey",
    ]);
    expect(parsePropertyPath('ns:k["a.b"].c')).toEqual(["ns:k", "a.b", "c"]);
  });
});
