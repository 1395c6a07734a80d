import { describe, expect, it } from "vitest";
import { renderCliScript, secretEnvName, shellQuote } from "../../../src/zenml/cliScript";
import { storeDocuments, type ConnectorRegistration } from "../../../src/zenml/documents";
import {
  componentRequest,
  serviceConnectorRequest,
  stackRequest,
} from "../../../src/zenml/restBodies";
import { renderStackYaml } from "../../../src/zenml/stackYaml";

const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET";
const KEY_ID = "AKIAGOLDENKEYID00001";

const registrations: Record<string, ConnectorRegistration> = {
  "aws-access-key": {
    storeName: "s3-store",
    stackName: "s3-stack",
    flavor: "s3",
    artifactStoreConfiguration: { path: "s3://zenml-s3-store-abc" },
    backend: "aws",
    path: "s3://zenml-s3-store-abc",
    auth: {
      kind: "connector",
      type: "aws",
      method: "secret-key",
      resourceType: "s3-bucket",
      resourceId: "s3://zenml-s3-store-abc",
      configuration: { region: "eu-west-1" },
    },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
  },
  "aws-iam-role": {
    storeName: "s3-role",
    stackName: "s3-role",
    flavor: "s3",
    artifactStoreConfiguration: { path: "s3://team-artifacts" },
    backend: "aws",
    path: "s3://team-artifacts",
    auth: {
      kind: "connector",
      type: "aws",
      method: "iam-role",
      resourceType: "s3-bucket",
      resourceId: "s3://team-artifacts",
      configuration: {
        region: "us-east-1",
        role_arn: "arn:aws:iam::123456789012:role/s3-role-role-1a2b3c4",
      },
    },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
  },
};

describe.each(Object.entries(registrations))("ZenML documents for %s", (mode, reg) => {
  const docs = storeDocuments(reg);

  it("match the golden connector, artifact store and stack", async () => {
    await expect(JSON.stringify(docs, null, 2) + "\n").toMatchFileSnapshot(
      `../../golden/${mode}.documents.json`,
    );
  });

  it("render REST request bodies; the connector's secrets ride in configuration, which ZenML splits by schema", () => {
    const connector = serviceConnectorRequest(docs.connector);
    expect(connector).toEqual({
      name: `${reg.storeName}-connector`,
      connector_type: "aws",
      auth_method: reg.auth.method,
      resource_types: ["s3-bucket"],
      resource_id: reg.auth.resourceId,
      configuration: { ...reg.auth.configuration, ...reg.credentials },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect(docs.connector.configuration).toEqual(reg.auth.configuration);
    expect(JSON.stringify(docs.connector.configuration)).not.toContain(SECRET_KEY);
    expect(componentRequest(docs.artifactStore, "conn-uuid")).toEqual({
      name: reg.storeName,
      type: "artifact_store",
      flavor: "s3",
      configuration: reg.artifactStoreConfiguration,
      connector: "conn-uuid",
      connector_resource_id: reg.auth.resourceId,
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect(
      stackRequest(docs.stack, { artifact_store: "as-uuid", orchestrator: "orch-uuid" }),
    ).toEqual({
      name: reg.stackName,
      components: { artifact_store: ["as-uuid"], orchestrator: ["orch-uuid"] },
      labels: { "managed-by": "zenml-remote-storage" },
    });
  });

  it("render a CLI script that holds no secret value", async () => {
    const script = renderCliScript([docs]);
    expect(script).not.toContain(SECRET_KEY);
    expect(script).not.toContain(KEY_ID);
    const envName = secretEnvName(reg.storeName, "aws_secret_access_key");
    expect(script).toContain(`write_secret ${envName}\n`);
    expect(script).toContain(`"--aws_secret_access_key=@$secrets_dir/${envName}"`);
    await expect(script).toMatchFileSnapshot(`../../golden/${mode}.register.sh`);
  });

  it("render a stack YAML that references credentials instead of holding them", async () => {
    const yaml = renderStackYaml("aws-dev", [docs]);
    expect(yaml).not.toContain(SECRET_KEY);
    expect(yaml).not.toContain(KEY_ID);
    expect(yaml).toContain(
      `from_stack_config: registration.${reg.storeName}.credentials.aws_secret_access_key`,
    );
    await expect(yaml).toMatchFileSnapshot(`../../golden/${mode}.zenml.yaml`);
  });
});

describe("CLI script helpers", () => {
  it.each([
    ["plain", "'plain'"],
    ["it's", `'it'\\''s'`],
    ["$(rm -rf /)", "'$(rm -rf /)'"],
  ])("quotes %s for the shell", (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it("names secret variables from store and field", () => {
    expect(secretEnvName("s3-store", "aws_secret_access_key")).toBe(
      "ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY",
    );
  });

  it("registers and links connectors without verification when asked (server cannot reach the cloud)", () => {
    const script = renderCliScript([storeDocuments(registrations["aws-access-key"])], {
      verify: false,
    });
    expect(script).toContain("--no-verify");
    expect(script).toContain(
      "zenml artifact-store connect \\\n  's3-store' \\\n  --connector 's3-store-connector'",
    );
  });
});
