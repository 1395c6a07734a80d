import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../../../src/automation/errors";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../src/automation/atomicWrite";
import {
  StackConfigFile,
  containsSecure,
  fullKey,
  isSecureValue,
  replaceSecure,
} from "../../../src/automation/stackConfigFile";

function tmp(text?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-scf-"));
  const file = path.join(dir, "Pulumi.t.yaml");
  if (text !== undefined) fs.writeFileSync(file, text);
  return file;
}

const TEXT = `# header comment
encryptionsalt: v1:abc
config:
  aws:region: eu-west-1 # region comment
  zenml-remote-storage:stores:
    - name: s3-store # name comment
      backend: aws
  zenml-remote-storage:zenmlApiKey:
    secure: v1:xyz
`;

describe("StackConfigFile", () => {
  it("reads config by full key, keeps secure values as they are", () => {
    const f = StackConfigFile.read(tmp(TEXT));
    expect(f.existed).toBe(true);
    expect(f.hasEncryptionSalt).toBe(true);
    expect(f.secretsProvider).toBeUndefined();
    expect(f.get("stores")).toEqual([{ name: "s3-store", backend: "aws" }]);
    expect(f.get("zenml-remote-storage:zenmlApiKey")).toEqual({ secure: "v1:xyz" });
  });

  it("edits in place: comments, salt and untouched values survive", () => {
    const file = tmp(TEXT);
    const f = StackConfigFile.read(file);
    f.set("zenml-remote-storage:stores", [
      { name: "s3-store", backend: "aws", credentials: "iam-role" },
    ]);
    f.set("zenml-remote-storage:registration", { "s3-store": { path: "s3://b", credentials: {} } });
    f.setPath("zenml-remote-storage:registration", ["s3-store", "credentials", "k"], {
      secure: "v1:c",
    });
    f.save();
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain("# header comment");
    expect(text).toContain("aws:region: eu-west-1 # region comment");
    expect(text).toContain("- name: s3-store # name comment");
    expect(text).toContain("encryptionsalt: v1:abc");
    expect(text).toContain("credentials: iam-role");
    expect(text).not.toContain("{}");
    const again = StackConfigFile.read(file);
    expect(again.get("registration")).toEqual({
      "s3-store": { path: "s3://b", credentials: { k: { secure: "v1:c" } } },
    });
    expect(again.get("zenmlApiKey")).toEqual({ secure: "v1:xyz" });
  });

  it("removes keys that are gone and deletes whole keys", () => {
    const file = tmp(TEXT);
    const f = StackConfigFile.read(file);
    f.set("stores", [{ name: "s3-store" }]);
    f.delete("zenmlApiKey");
    f.save();
    const again = StackConfigFile.read(file);
    expect(again.get("stores")).toEqual([{ name: "s3-store" }]);
    expect(again.get("zenmlApiKey")).toBeUndefined();
  });

  it("treats a missing file as empty, creating it on save", () => {
    const file = tmp();
    const f = StackConfigFile.read(file);
    expect(f.existed).toBe(false);
    f.set("stores", []);
    f.save();
    expect(fs.readFileSync(file, "utf8")).toContain("zenml-remote-storage:stores: []");
  });

  it.each([
    ["config: [1, 2]\n", '"config" in'],
    ["- a\n- b\n", "must be a YAML mapping"],
    ["config: {\n", "is not valid YAML"],
  ])("refuses %j with one line", (text, fragment) => {
    expect(() => StackConfigFile.read(tmp(text), "--config")).toThrow(fragment);
  });

  it.each([
    [
      "config:\n\tzenml-remote-storage:stores: []\n",
      "Tabs are not allowed as indentation (line 2, column 1)",
    ],
    [
      "config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n",
      "Map keys must be unique (line 3, column 3)",
    ],
  ])("names the line and column of a YAML error in %j", (text, rule) => {
    const file = tmp(text);
    expect(() => StackConfigFile.read(file, "--config")).toThrow(
      new UsageError("--config", `${file} is not valid YAML: ${rule}`),
    );
  });
});

describe("secure values", () => {
  it.each([
    [{ secure: "v1:x" }, true],
    [{ secure: "v1:x", other: 1 }, false],
    ["v1:x", false],
    [null, false],
  ])("isSecureValue(%j) = %s", (v, expected) => {
    expect(isSecureValue(v)).toBe(expected);
  });

  it("finds and replaces nested secure values", () => {
    const v = { a: [{ b: { secure: "x" } }], c: "plain" };
    expect(containsSecure(v)).toBe(true);
    expect(containsSecure({ a: [1] })).toBe(false);
    expect(replaceSecure(v, "P")).toEqual({ a: [{ b: "P" }], c: "plain" });
    expect(fullKey("stores")).toBe("zenml-remote-storage:stores");
    expect(fullKey("aws:region")).toBe("aws:region");
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file in one step and leaves no temporary file", () => {
    const file = tmp("old");
    writeFileAtomic(file, "new");
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it("puts a new file in place instead of writing into the old one (a hard link keeps the old bytes)", () => {
    const file = tmp("old bytes");
    const link = `${file}.link`;
    fs.linkSync(file, link);
    const oldInode = fs.statSync(file).ino;
    writeFileAtomic(file, "new");
    expect(fs.readFileSync(link, "utf8")).toBe("old bytes");
    expect(fs.statSync(file).ino).not.toBe(oldInode);
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    fs.rmSync(link);
  });

  it("creates the file with the mode asked for (0600 for files that hold a secret)", () => {
    const file = path.join(path.dirname(tmp("x")), "secret.yaml");
    writeFileAtomic(file, "s", 0o600);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.rmSync(file);
  });
});
