import { describe, expect, it } from "vitest";
import { renderCliScript, secretEnvName } from "../../../src/zenml/cliScript";
import {
  registrationDocuments,
  secretStoreDocuments,
  storeDocuments,
  usesSecret,
  type ConnectorRegistration,
  type SecretRegistration,
} from "../../../src/zenml/documents";
import {
  componentRequest,
  secretArtifactStoreRequest,
  secretRequest,
  serviceConnectorRequest,
} from "../../../src/zenml/restBodies";
import { renderStackYaml } from "../../../src/zenml/stackYaml";

// Golden ZenML documents for the two Azure modes. Pure functions: no ZenML
// server here (test/tier/azure.test.ts sends these to a real one).

const CLIENT_SECRET = "golden~client~secret~Q8x7c6v5b4n3m2l1k0";
const SAS_SIGNATURE = "GoLdEnSiGnAtUrE%2BdoesNotSign%3D";
const CONNECTION_STRING =
  "BlobEndpoint=https://zenmlazsas1a2b3c4d.blob.core.windows.net/;SharedAccessSignature=" +
  `sv=2015-04-05&sr=c&se=2031-01-31T00%3A00%3A00.0000000Z&sp=racwdl&spr=https&sig=${SAS_SIGNATURE}`;

const servicePrincipal: ConnectorRegistration = {
  storeName: "az-store",
  stackName: "az-stack",
  flavor: "azure",
  artifactStoreConfiguration: { path: "az://az-store" },
  backend: "azure",
  path: "az://az-store",
  auth: {
    kind: "connector",
    type: "azure",
    method: "service-principal",
    resourceType: "blob-container",
    resourceId: "az://az-store",
    configuration: {
      tenant_id: "00000000-0000-4000-8000-00000000e7a7",
      client_id: "00000000-0000-4000-8000-00000000c11d",
      subscription_id: "00000000-0000-4000-8000-000000005ab5",
      resource_group: "zenml-az-store-1a2b3c4d",
      storage_account: "zenmlazstore1a2b3c4d",
    },
  },
  credentials: { client_secret: CLIENT_SECRET },
};

/** What the program's outputs give for a sas store (see StoreOutputs.authenticationSecret). */
const sas: SecretRegistration = {
  storeName: "az-sas",
  stackName: "az-sas",
  flavor: "azure",
  artifactStoreConfiguration: { path: "az://artifacts", authentication_secret: "az-sas-secret" },
  backend: "azure",
  path: "az://artifacts",
  auth: { kind: "secret", name: "az-sas-secret" },
  credentials: { connection_string: CONNECTION_STRING },
};

describe("ZenML documents for azure-service-principal", () => {
  const docs = registrationDocuments(servicePrincipal);

  it("are a connector, an artifact store and a stack", async () => {
    expect(usesSecret(docs)).toBe(false);
    expect(docs).toEqual(storeDocuments(servicePrincipal));
    await expect(JSON.stringify(docs, null, 2) + "\n").toMatchFileSnapshot(
      "../../golden/azure-service-principal.documents.json",
    );
  });

  it("render the REST connector body with the client secret in configuration, as ZenML 0.98 expects", () => {
    if (usesSecret(docs)) throw new Error("expected connector documents");
    expect(serviceConnectorRequest(docs.connector)).toEqual({
      name: "az-store-connector",
      connector_type: "azure",
      auth_method: "service-principal",
      resource_types: ["blob-container"],
      resource_id: "az://az-store",
      configuration: { ...servicePrincipal.auth.configuration, client_secret: CLIENT_SECRET },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect(JSON.stringify(docs.connector.configuration)).not.toContain(CLIENT_SECRET);
    expect(componentRequest(docs.artifactStore, "conn-uuid")).toMatchObject({
      flavor: "azure",
      configuration: { path: "az://az-store" },
      connector: "conn-uuid",
      connector_resource_id: "az://az-store",
    });
  });

  it("render a CLI script and a stack YAML without the client secret", async () => {
    const script = renderCliScript([docs]);
    expect(script).not.toContain(CLIENT_SECRET);
    expect(script).toContain(
      `"--client_secret=@$secrets_dir/${secretEnvName("az-store", "client_secret")}"`,
    );
    await expect(script).toMatchFileSnapshot("../../golden/azure-service-principal.register.sh");
    const yaml = renderStackYaml("azure-dev", [docs]);
    expect(yaml).not.toContain(CLIENT_SECRET);
    expect(yaml).not.toContain("secrets:\n  -"); // no top-level ZenML secrets list
    await expect(yaml).toMatchFileSnapshot("../../golden/azure-service-principal.zenml.yaml");
  });
});

describe("ZenML documents for azure-sas", () => {
  const docs = registrationDocuments(sas);

  it("are a ZenML secret, an artifact store that names it, and a stack: no connector", async () => {
    expect(usesSecret(docs)).toBe(true);
    if (!usesSecret(docs)) throw new Error("expected secret documents");
    expect(docs).toEqual(secretStoreDocuments(sas));
    expect(docs.secret).toEqual({
      name: "az-sas-secret",
      private: false,
      values: { connection_string: CONNECTION_STRING },
    });
    expect(docs.artifactStore).toEqual({
      name: "az-sas",
      type: "artifact_store",
      flavor: "azure",
      configuration: { path: "az://artifacts", authentication_secret: "az-sas-secret" },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect("connector" in docs).toBe(false);
    expect(JSON.stringify(docs.artifactStore)).not.toContain(SAS_SIGNATURE);
    await expect(JSON.stringify(docs, null, 2) + "\n").toMatchFileSnapshot(
      "../../golden/azure-sas.documents.json",
    );
  });

  it("render REST bodies: the secret (values only there) and a component without a connector", () => {
    if (!usesSecret(docs)) throw new Error("expected secret documents");
    expect(secretRequest(docs.secret)).toEqual({
      name: "az-sas-secret",
      private: false,
      values: { connection_string: CONNECTION_STRING },
    });
    const component = secretArtifactStoreRequest(docs.artifactStore);
    expect(component).toEqual({
      name: "az-sas",
      type: "artifact_store",
      flavor: "azure",
      configuration: { path: "az://artifacts", authentication_secret: "az-sas-secret" },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect("connector" in component).toBe(false);
  });

  it("render a CLI script that creates the secret from a file, never from an argument", async () => {
    const script = renderCliScript([docs]);
    expect(script).not.toContain(SAS_SIGNATURE);
    expect(script).not.toContain("SharedAccessSignature");
    const envName = secretEnvName("az-sas", "connection_string");
    expect(envName).toBe("ZRS_AZ_SAS_CONNECTION_STRING");
    expect(script).toContain(
      `zenml secret create \\\n  'az-sas-secret' \\\n  "--connection_string=@$secrets_dir/${envName}"`,
    );
    expect(script).toContain("'--authentication_secret=az-sas-secret'");
    expect(script).not.toContain("service-connector");
    expect(script).not.toContain("--connector");
    await expect(script).toMatchFileSnapshot("../../golden/azure-sas.register.sh");
  });

  it("render a stack YAML whose secret values are stack-config references", async () => {
    const yaml = renderStackYaml("azure-dev", [docs]);
    expect(yaml).not.toContain(SAS_SIGNATURE);
    expect(yaml).toContain("from_stack_config: registration.az-sas.credentials.connection_string");
    expect(yaml).toContain("service_connectors: []");
    await expect(yaml).toMatchFileSnapshot("../../golden/azure-sas.zenml.yaml");
  });

  it("mix with connector stores in one script and one YAML", () => {
    const both = [registrationDocuments(servicePrincipal), docs];
    const yaml = renderStackYaml("azure-dev", both);
    expect(yaml.match(/^ {2}- name: az-store-connector$/gm)).toHaveLength(1);
    expect(yaml.match(/^ {2}- name: az-sas-secret$/gm)).toHaveLength(1);
    const script = renderCliScript(both);
    expect(script.indexOf("# Store az-store")).toBeLessThan(script.indexOf("# Store az-sas"));
  });
});
