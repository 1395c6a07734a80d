/**
 * ZenML documents for S3-compatible stores: the `s3` flavor with the endpoint
 * in client_kwargs, an `aws` secret-key connector with endpoint_url, and the
 * "register without verification" flag carried through every rendering.
 */
import { describe, expect, it } from "vitest";
import { renderCliScript, secretEnvName } from "../../../src/zenml/cliScript";
import { storeDocuments, type StoreRegistration } from "../../../src/zenml/documents";
import { componentRequest, serviceConnectorRequest } from "../../../src/zenml/restBodies";
import { renderStackYaml } from "../../../src/zenml/stackYaml";

const SECRET_KEY = "minio-golden-secret-Zx81kQ0pV7";
const KEY_ID = "MINIOGOLDENKEYID0001";

const registrations: Record<string, StoreRegistration> = {
  "s3-compatible-minio": {
    storeName: "minio-store",
    stackName: "minio-stack",
    flavor: "s3",
    artifactStoreConfiguration: {
      path: "s3://zenml-artifacts",
      client_kwargs: { endpoint_url: "https://minio.example.com:9000", region_name: "us-east-1" },
      config_kwargs: { s3: { addressing_style: "path" } },
    },
    connectorType: "aws",
    authMethod: "secret-key",
    resourceType: "s3-bucket",
    resourceId: "s3://zenml-artifacts",
    connectorConfiguration: { region: "us-east-1", endpoint_url: "https://minio.example.com:9000" },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
    verify: false,
  },
  "s3-compatible-existing": {
    storeName: "r2-store",
    stackName: "r2-store",
    flavor: "s3",
    artifactStoreConfiguration: {
      path: "s3://team-zenml",
      client_kwargs: { endpoint_url: "https://acct.r2.cloudflarestorage.com", region_name: "auto" },
    },
    connectorType: "aws",
    authMethod: "secret-key",
    resourceType: "s3-bucket",
    resourceId: "s3://team-zenml",
    connectorConfiguration: {
      region: "auto",
      endpoint_url: "https://acct.r2.cloudflarestorage.com",
    },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
    verify: false,
  },
};

describe.each(Object.entries(registrations))("ZenML documents for %s", (mode, reg) => {
  const docs = storeDocuments(reg);

  it("match the golden connector, artifact store and stack", async () => {
    expect(docs.connector.verify).toBe(false);
    await expect(JSON.stringify(docs, null, 2) + "\n").toMatchFileSnapshot(
      `../../golden/${mode}.documents.json`,
    );
  });

  it("render REST bodies with endpoint_url in the connector and client_kwargs in the store", () => {
    const connector = serviceConnectorRequest(docs.connector);
    expect(connector).toEqual({
      name: `${reg.storeName}-connector`,
      connector_type: "aws",
      auth_method: "secret-key",
      resource_types: ["s3-bucket"],
      resource_id: reg.resourceId,
      configuration: { ...reg.connectorConfiguration, ...reg.credentials },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    // `verify` is this project's instruction, not a ZenML field: never sent.
    expect("verify" in connector).toBe(false);
    expect(componentRequest(docs.artifactStore, "conn-uuid").configuration).toEqual(
      reg.artifactStoreConfiguration,
    );
  });

  it("render a CLI script that registers and connects without verification", async () => {
    const script = renderCliScript([docs]);
    expect(script).not.toContain(SECRET_KEY);
    expect(script).not.toContain(KEY_ID);
    expect(script).toContain(
      `write_secret ${secretEnvName(reg.storeName, "aws_secret_access_key")}`,
    );
    expect(script.match(/--no-verify/g)).toHaveLength(2);
    expect(script).toContain(
      `zenml artifact-store connect \\\n  '${reg.storeName}' \\\n  --connector '${reg.storeName}-connector'`,
    );
    await expect(script).toMatchFileSnapshot(`../../golden/${mode}.register.sh`);
  });

  it("render a stack YAML that keeps verify: false and references the key", async () => {
    const yaml = renderStackYaml("minio-dev", [docs]);
    expect(yaml).not.toContain(SECRET_KEY);
    expect(yaml).not.toContain(KEY_ID);
    expect(yaml).toContain("    verify: false\n");
    await expect(yaml).toMatchFileSnapshot(`../../golden/${mode}.zenml.yaml`);
  });
});

describe("the verify flag stays backward compatible", () => {
  const aws: StoreRegistration = {
    ...registrations["s3-compatible-minio"],
    artifactStoreConfiguration: { path: "s3://b12" },
    connectorConfiguration: { region: "eu-west-1" },
    verify: undefined,
  };

  it("adds nothing to documents of stores that can be verified", () => {
    const docs = storeDocuments(aws);
    expect("verify" in docs.connector).toBe(false);
    expect(renderStackYaml("x", [docs])).not.toContain("verify");
    expect(renderCliScript([docs])).not.toContain("--no-verify");
  });

  it("mixes verified and unverified stores in one script", () => {
    const script = renderCliScript([
      storeDocuments({ ...aws, storeName: "aws-store" }),
      storeDocuments(registrations["s3-compatible-minio"]),
    ]);
    const [awsPart, minioPart] = script.split("# Store minio-store");
    expect(awsPart).not.toContain("--no-verify");
    expect(awsPart).toContain("--connector 'aws-store-connector'");
    expect(minioPart.match(/--no-verify/g)).toHaveLength(2);
  });
});
