/**
 * The ZenML dynamic providers as Pulumi runs them: diffs over the props the
 * dynamic-provider host passes (with `__provider` and preview unknowns), and the
 * provider code after Pulumi's closure serialiser and the host's loader
 * (`require-from-string`, as sdk/nodejs/cmd/dynamic-provider/index.js loads it).
 */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  artifactStoreProvider,
  connectorProvider,
  diffProps,
  secretProvider,
  stackProvider,
  UNKNOWN,
} from "../../../src/zenml/resources";

const connector = {
  serverUrl: "http://127.0.0.1:9",
  document: {
    name: "s3-store-connector",
    connector_type: "aws",
    auth_method: "secret-key",
    resource_types: ["s3-bucket"],
    resource_id: "s3://bucket",
    configuration: { region: "eu-west-1" },
    secrets: { aws_access_key_id: "AKIA1", aws_secret_access_key: "s1" },
    labels: {},
  },
  __provider: "exports.handler = __f0; // release 1",
};

describe("diffProps", () => {
  const replaceOn = ["serverUrl", "document.connector_type"];
  it.each([
    ["identical props", connector, { changes: false, replaces: [] }],
    [
      "only the serialised provider differs (a new release)",
      { ...connector, __provider: "exports.handler = __f0; // release 2" },
      { changes: false, replaces: [] },
    ],
    [
      "only adoptExisting differs",
      { ...connector, adoptExisting: true },
      { changes: false, replaces: [] },
    ],
    [
      "a plain field changed",
      { ...connector, document: { ...connector.document, configuration: { region: "us-east-1" } } },
      { changes: true, replaces: [] },
    ],
    [
      "the connector type changed",
      { ...connector, document: { ...connector.document, connector_type: "gcp" } },
      { changes: true, replaces: ["document.connector_type"] },
    ],
    [
      "the server changed",
      { ...connector, serverUrl: "http://other" },
      { changes: true, replaces: ["serverUrl"] },
    ],
    [
      "the whole document is unknown (preview of a rotation)",
      { ...connector, document: UNKNOWN },
      { changes: true, replaces: [] },
    ],
    [
      "a secret field is unknown",
      {
        ...connector,
        document: {
          ...connector.document,
          secrets: { ...connector.document.secrets, aws_secret_access_key: UNKNOWN },
        },
      },
      { changes: true, replaces: [] },
    ],
    [
      "the server is unknown",
      { ...connector, serverUrl: UNKNOWN },
      { changes: true, replaces: [] },
    ],
  ])("%s", (_label, news, expected) => {
    const diff = diffProps(connector, news, replaceOn);
    expect({ changes: diff.changes, replaces: diff.replaces }).toEqual(expected);
    expect(diff.deleteBeforeReplace).toBe(expected.replaces.length > 0);
  });
});

/** The provider as the dynamic-provider host gets it: serialised, then loaded from the text. */
async function asTheHostLoadsIt<T>(provider: T): Promise<T> {
  // As @pulumi/pulumi dynamic/index.js serializeFunctionMaybeSecret does.
  const serialised = await pulumi.runtime.serializeFunction(() => provider, {
    allowSecrets: true,
  });
  // The loader the host itself uses (a dependency of @pulumi/pulumi).
  const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))(
    "require-from-string",
  ) as (code: string) => { handler(): T };
  return requireFromString(serialised.text).handler();
}

// Serialising walks the providers' whole closure: slow on a busy machine.
describe("the providers after closure serialisation", { timeout: 180_000 }, () => {
  it.each([
    ["connector", connectorProvider],
    ["secret", secretProvider],
    ["artifact store", artifactStoreProvider],
    ["stack", stackProvider],
  ])(
    "the %s provider keeps no Error subclass, whose message the serialiser loses",
    async (_kind, provider) => {
      const text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }))
        .text;
      expect(text).not.toContain("__super: global.Error");
    },
  );

  it("an unreachable server reaches the user with its message", async () => {
    const provider = await asTheHostLoadsIt(connectorProvider);
    const error = await provider.create!({ ...connector, serverUrl: "http://127.0.0.1:9" }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(
      /^ZenML server http:\/\/127\.0\.0\.1:9 did not answer \(.+\) after 4 attempts/,
    );
  });

  it("the serialised diff ignores the serialised provider and treats unknowns as updates", async () => {
    const provider = await asTheHostLoadsIt(connectorProvider);
    const news = { ...connector, __provider: "other", document: UNKNOWN };
    const diff = await provider.diff!("id", connector, news as never);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
});
