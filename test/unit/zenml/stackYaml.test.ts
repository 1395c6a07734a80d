/**
 * The registration document (`stacks/<stack>.zenml.yaml`) has one owner,
 * src/zenml/stackYaml.ts: what renderStackYaml writes, documentsFromStackYaml
 * reads back (secret fields resolved from their stack-config references), for
 * connector and ZenML-secret stores alike; a malformed file is refused with
 * one line naming it.
 */
import { describe, expect, it } from "vitest";
import { registrationsFromOutputs } from "../../../src/automation/recordedRegistration";
import { registrationDocuments, storeDocuments } from "../../../src/zenml/documents";
import { storeRegistration } from "../../../src/zenml/model";
import { documentsFromStackYaml, renderStackYaml } from "../../../src/zenml/stackYaml";
import { connectorRegistration } from "../../support/registrations";
import { AWS_CREDENTIALS, AWS_STORE_OUTPUTS } from "../automation/support/fakes";

describe("documentsFromStackYaml", () => {
  it("reads back what renderStackYaml writes, resolving each secret reference", async () => {
    const reg = connectorRegistration(
      storeRegistration("s3-store", AWS_STORE_OUTPUTS, AWS_CREDENTIALS),
    );
    const expected = storeDocuments(reg);
    const yaml = renderStackYaml("dev", [
      storeDocuments({ ...reg, credentials: { aws_access_key_id: "", aws_secret_access_key: "" } }),
    ]);
    const asked: string[] = [];
    const docs = await documentsFromStackYaml(yaml, "stacks/dev.zenml.yaml", async (p) => {
      asked.push(p);
      return AWS_CREDENTIALS[p.split(".").pop() as keyof typeof AWS_CREDENTIALS];
    });
    expect(docs).toEqual([expected]);
    expect(asked).toEqual([
      "registration.s3-store.credentials.aws_access_key_id",
      "registration.s3-store.credentials.aws_secret_access_key",
    ]);
  });

  it.each([
    ["a: [", "is not valid YAML"],
    ["version: 1\n", "is not a zenml-remote-storage stack document"],
    ["components: [{name: a, connector: c}]\n", "no stack uses artifact store a"],
    [
      "components: [{name: a, connector: c}]\nstacks: [{name: s, components: {artifact_store: a}}]\n",
      'component a names connector "c", which is not in the file',
    ],
    [
      "service_connectors: [{name: c, secrets: {k: plain}}]\ncomponents: [{name: a, connector: c}]\nstacks: [{name: s, components: {artifact_store: a}}]\n",
      "secret k of connector c is not a from_stack_config reference",
    ],
  ])("refuses %j", async (yaml, message) => {
    await expect(documentsFromStackYaml(yaml, "f.yaml", async () => "")).rejects.toThrow(message);
  });
});

describe("stores that authenticate with a ZenML secret (Azure SAS)", () => {
  const SAS_OUTPUTS = {
    backend: "azure",
    stackName: "az-sas",
    flavor: "azure",
    path: "az://c",
    artifactStoreConfiguration: { path: "az://c", authentication_secret: "az-sas-secret" },
    auth: { kind: "secret", name: "az-sas-secret" },
  };

  it("keeps the secret auth and round-trips through the stack YAML", async () => {
    const [reg] = registrationsFromOutputs({
      stores: { value: { "az-sas": SAS_OUTPUTS }, secret: false },
      credentials: {
        value: { "az-sas": { connection_string: "BlobEndpoint=…;SharedAccessSignature=sig" } },
        secret: true,
      },
    });
    expect(reg.auth).toEqual({ kind: "secret", name: "az-sas-secret" });
    const yaml = renderStackYaml("dev", [
      registrationDocuments({ ...reg, credentials: { connection_string: "" } }),
    ]);
    expect(yaml).not.toContain("sig");
    const docs = await documentsFromStackYaml(yaml, "f", async (p) => {
      expect(p).toBe("registration.az-sas.credentials.connection_string");
      return "BlobEndpoint=…;SharedAccessSignature=sig";
    });
    expect(docs).toEqual([registrationDocuments(reg)]);
  });
});

describe("render → parse round trip, every backend and auth kind", () => {
  const connector = (over: Record<string, unknown>) =>
    connectorRegistration(
      storeRegistration("store-a", { ...AWS_STORE_OUTPUTS, ...over } as typeof AWS_STORE_OUTPUTS, {
        secret_field: "secret-value-a",
      }),
    );
  const cases = [
    connector({}),
    connector({
      backend: "gcp",
      flavor: "gcp",
      path: "gs://b",
      artifactStoreConfiguration: { path: "gs://b" },
      auth: {
        kind: "connector",
        type: "gcp",
        method: "service-account",
        resourceType: "gcs-bucket",
        resourceId: "gs://b",
        configuration: { project_id: "p" },
      },
    }),
    storeRegistration(
      "store-s",
      {
        backend: "s3-compatible",
        stackName: "s",
        flavor: "s3",
        path: "s3://m",
        artifactStoreConfiguration: {
          path: "s3://m",
          client_kwargs: { endpoint_url: "https://minio.example.com", region_name: "us-east-1" },
        },
        auth: { kind: "secret", name: "store-s-s3-key" },
      },
      { aws_access_key_id: "AK", aws_secret_access_key: "secret-value-s" },
    ),
  ];

  it.each(cases.map((c) => [c.storeName, c.auth.kind, c] as const))(
    "%s (%s): the documents read back equal the documents written",
    async (_name, _kind, reg) => {
      const docs = registrationDocuments(reg);
      const blank = Object.fromEntries(Object.keys(reg.credentials).map((k) => [k, ""]));
      const yaml = renderStackYaml("dev", [registrationDocuments({ ...reg, credentials: blank })]);
      for (const value of Object.values(reg.credentials)) expect(yaml).not.toContain(value);
      const back = await documentsFromStackYaml(
        yaml,
        "f",
        async (p) => reg.credentials[p.split(".").pop()!],
      );
      expect(back).toEqual([docs]);
    },
  );
});
