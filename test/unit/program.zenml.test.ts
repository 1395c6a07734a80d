import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, settle, unwrap, type Registered } from "./support/mocks";

// How the SDK marks a secret value on the wire (rpc.ts specialSigKey / specialSecretSig).
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    config: {
      "zenml-remote-storage:stores": [{ name: "s3-zen", backend: "aws", region: "eu-west-1" }],
      "zenml-remote-storage:zenml": { serverUrl: "https://zenml.example.com", stackName: "prod" },
      "zenml-remote-storage:zenmlApiKey": "ZENKEY_mock-api-key",
    },
  });
  program = await (await import("../../src/index")).default();
  await unwrap(program.credentials);
  await settle();
}, 60_000);

describe("the program with a ZenML server configured", () => {
  it("registers connector, artifact store and stack under one registration component", () => {
    expect(
      ofType(registered, "zenml-remote-storage:zenml:Registration").map((r) => r.name),
    ).toEqual(["s3-zen-zenml"]);
    expect(ofType(registered, "pulumi-nodejs:dynamic:Resource").map((r) => r.name)).toEqual([
      "s3-zen-zenml-connector",
      "s3-zen-zenml-artifact-store",
      "s3-zen-zenml-stack",
    ]);
  });

  it("serialises each dynamic provider (what the engine would run)", () => {
    for (const r of ofType(registered, "pulumi-nodejs:dynamic:Resource")) {
      expect(typeof r.inputs.__provider).toBe("string");
      expect(r.inputs.__provider.length).toBeGreaterThan(100);
    }
  });

  it("chains connector -> artifact store -> stack by id, with ZenML's documents", () => {
    const [connector, store, stack] = ofType(registered, "pulumi-nodejs:dynamic:Resource");
    expect(connector.inputs.serverUrl).toBe("https://zenml.example.com");
    expect(connector.inputs.document[SECRET_SIG]).toBe(SECRET_VALUE);
    expect(connector.inputs.document.value).toMatchObject({
      name: "s3-zen-connector",
      connector_type: "aws",
      auth_method: "secret-key",
      resource_types: ["s3-bucket"],
      configuration: { region: "eu-west-1" },
    });
    expect(Object.keys(connector.inputs.document.value.secrets)).toEqual([
      "aws_access_key_id",
      "aws_secret_access_key",
    ]);
    expect(store.inputs.connectorId).toBe("s3-zen-zenml-connector-id");
    expect(store.inputs.document).toMatchObject({
      name: "s3-zen",
      flavor: "s3",
      connector: "s3-zen-connector",
    });
    expect(stack.inputs.artifactStoreId).toBe("s3-zen-zenml-artifact-store-id");
    expect(stack.inputs.document).toEqual({
      name: "prod",
      components: { artifact_store: "s3-zen", orchestrator: "default" },
      labels: { "managed-by": "zenml-remote-storage" },
    });
  });

  it("keeps the plain documents free of credentials", () => {
    const [, store, stack] = ofType(registered, "pulumi-nodejs:dynamic:Resource");
    const plain = JSON.stringify([store.inputs.document, stack.inputs.document]);
    expect(plain).not.toContain("mock-secret-");
    expect(plain).not.toContain("AKIA");
  });

  it("sends the API key as a secret", () => {
    for (const r of ofType(registered, "pulumi-nodejs:dynamic:Resource")) {
      expect(r.inputs.apiKey[SECRET_SIG]).toBe(SECRET_VALUE);
    }
  });

  it("exports the stack id per store", async () => {
    expect(await unwrap(program.zenmlStackIds!["s3-zen"])).toBe("s3-zen-zenml-stack-id");
  });
});
