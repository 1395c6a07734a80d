import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/automation/errors";
import {
  applyStoreFlags,
  givenStoreFlags,
  providerConfigOf,
  validateDeployment,
  type StoreFlags,
} from "../../../src/automation/storeFlags";

const ONE = [
  { name: "s3-store", backend: "aws", bucket: { forceDestroy: false }, tags: { team: "ml" } },
];

describe("applyStoreFlags", () => {
  it("leaves the config alone without store flags", () => {
    expect(applyStoreFlags({ stores: ONE }, {})).toEqual({
      raw: { stores: ONE, zenml: undefined },
      flags: [],
    });
  });

  it("edits the only store field by field, merging tags", () => {
    const r = applyStoreFlags(
      { stores: ONE },
      {
        credentials: "iam-role",
        versioning: true,
        tag: ["cost=1", "team=platform"],
        region: "eu-west-1",
      },
    );
    expect(r.storeIndex).toBe(0);
    expect(r.raw.stores).toEqual([
      {
        name: "s3-store",
        backend: "aws",
        credentials: "iam-role",
        region: "eu-west-1",
        bucket: { forceDestroy: false, versioning: true },
        tags: { team: "platform", cost: "1" },
      },
    ]);
    expect(ONE[0]).toEqual({
      name: "s3-store",
      backend: "aws",
      bucket: { forceDestroy: false },
      tags: { team: "ml" },
    });
  });

  it("adds a new store by name (needs --backend)", () => {
    const r = applyStoreFlags(
      { stores: ONE },
      { storeName: "gcs", backend: "gcp", storeOption: ["project=p1", "bucket.versioning=true"] },
    );
    expect(r.storeIndex).toBe(1);
    expect((r.raw.stores as unknown[])[1]).toEqual({
      name: "gcs",
      backend: "gcp",
      project: "p1",
      bucket: { versioning: true },
    });
    expect(() => applyStoreFlags({ stores: ONE }, { storeName: "gcs" })).toThrow(
      new UsageError(
        "--backend",
        'is required for the new store "gcs" (aws, gcp, azure or s3-compatible)',
      ),
    );
  });

  it.each<[string, StoreFlags, unknown, string]>([
    [
      "several stores, no name",
      { region: "x" },
      [{ name: "a" }, { name: "b" }],
      "--store-name: is required when the stack config has several stores (a, b)",
    ],
    [
      "no store yet, no name",
      { region: "x" },
      undefined,
      "--store-name: is required when the stack config has no store yet",
    ],
    [
      "backend change",
      { backend: "gcp" },
      ONE,
      '--backend: store "s3-store" already uses backend aws; a different backend is a different store — choose a new --store-name',
    ],
    ["tag without =", { tag: ["team"] }, ONE, '--tag: expected KEY=VALUE, got "team"'],
    ["tag with empty key", { tag: ["=x"] }, ONE, '--tag: expected KEY=VALUE, got "=x"'],
    [
      "option renames",
      { storeOption: ["name=x"] },
      ONE,
      "--store-option: cannot rename a store; use --store-name",
    ],
    [
      "option bad path",
      { storeOption: ["bucket..name=x"] },
      ONE,
      '--store-option: "bucket..name" is not a key (use dots between nested keys)',
    ],
    [
      "stores not a list",
      { region: "x" },
      { a: 1 },
      "zenml-remote-storage:stores: must be a list of stores in the stack config",
    ],
  ])("%s → one line naming the flag", (_, flags, stores, message) => {
    expect(() => applyStoreFlags({ stores }, flags)).toThrow(message);
  });

  it("sets zenml.serverUrl from --zenml-server without touching stores", () => {
    const r = applyStoreFlags(
      { stores: ONE, zenml: { stackName: "s" } },
      { zenmlServer: "http://z" },
    );
    expect(r.raw).toEqual({ stores: ONE, zenml: { stackName: "s", serverUrl: "http://z" } });
    expect(givenStoreFlags({ zenmlServer: "x", tag: [] })).toEqual(["--zenml-server"]);
  });
});

describe("validateDeployment", () => {
  const ctx = providerConfigOf({ "aws:region": "eu-west-1", "zenml-remote-storage:stores": [] });

  it("takes provider config from other namespaces only", () => {
    expect(ctx).toEqual({ providerConfig: { "aws:region": "eu-west-1" } });
  });

  it.each<[StoreFlags, string]>([
    [
      { bucketName: "My_Bucket" },
      '--bucket-name: "My_Bucket" may contain only lower-case letters, digits, dots and hyphens',
    ],
    [{ adoptBucket: true }, "--bucket-name: is required when adopt is true"],
    [
      { credentials: "service-account-key" },
      '--credentials: unknown credential mode for backend aws "service-account-key"; expected one of: access-key, iam-role, implicit',
    ],
    [{ region: "Europe" }, '--region: "Europe" is not an AWS region name (e.g. eu-west-1)'],
    [
      { encryptionKey: "alias/zenml" },
      "--encryption-key: must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); IAM cannot grant use of a key through an alias",
    ],
    [{ tag: ["aws:owner=me"] }, '--tag: AWS tag keys must not start with "aws:"'],
    [{ zenmlServer: "ftp://zenml" }, "--zenml-server: must be an http:// or https:// URL"],
    [{ storeOption: ["colour=blue"] }, "--store-option colour: unknown key; allowed:"],
    [{ storeName: "S3", backend: "aws" }, '--store-name: "S3" must be 3-40 characters'],
  ])("%j → names the flag", (flags, message) => {
    const flagged = applyStoreFlags({ stores: [{ name: "s3-store", backend: "aws" }] }, flags);
    const err = (() => {
      try {
        validateDeployment(flagged, ctx, "stacks/Pulumi.x.yaml");
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message.startsWith(message)).toBe(true);
  });

  it("names the config key (and file) when the value did not come from a flag", () => {
    const flagged = applyStoreFlags(
      { stores: [{ name: "s3-store", backend: "aws", bucket: { name: "Bad" } }] },
      { versioning: true },
    );
    expect(() => validateDeployment(flagged, ctx, "stacks/Pulumi.x.yaml")).toThrow(
      'zenml-remote-storage:stores[0].bucket.name (stacks/Pulumi.x.yaml): "Bad" may contain only lower-case letters, digits, dots and hyphens',
    );
  });
});
