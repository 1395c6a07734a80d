import { describe, expect, it } from "vitest";
import { prerequisites, renderCliScript } from "../../../src/zenml/cliScript";
import { registrationDocuments } from "../../../src/zenml/documents";
import type { StoreRegistration } from "../../../src/zenml/model";

const aws: StoreRegistration = {
  storeName: "s3-store",
  backend: "aws",
  stackName: "s3-store",
  flavor: "s3",
  path: "s3://b",
  artifactStoreConfiguration: { path: "s3://b" },
  auth: {
    kind: "connector",
    type: "aws",
    method: "secret-key",
    resourceType: "s3-bucket",
    resourceId: "s3://b",
    configuration: { region: "eu-west-1" },
  },
  credentials: { aws_access_key_id: "", aws_secret_access_key: "" },
};
const sas: StoreRegistration = {
  storeName: "az-sas",
  backend: "azure",
  stackName: "az-sas",
  flavor: "azure",
  path: "az://c",
  artifactStoreConfiguration: { path: "az://c", authentication_secret: "az-sas-secret" },
  auth: { kind: "secret", name: "az-sas-secret" },
  credentials: { connection_string: "" },
};

describe("the script's prerequisites (ZenML 0.98 packages per flavor and connector)", () => {
  it("a connector store needs its filesystem and its connector type's module", () => {
    expect(prerequisites([registrationDocuments(aws)])).toEqual([
      {
        module: "s3fs",
        neededBy: "the s3 artifact store s3-store",
        install: 'pip install "zenml[s3fs]" (or: zenml integration install s3)',
      },
      {
        module: "zenml.integrations.aws.service_connectors.aws_service_connector",
        neededBy: "the aws service connector s3-store-connector",
        install: 'pip install "zenml[connectors-aws]"',
      },
    ]);
  });

  it("a store with a ZenML secret needs only its filesystem; each module is checked once", () => {
    const second = { ...aws, storeName: "s3-other" };
    expect(
      prerequisites([sas, aws, second].map(registrationDocuments)).map((p) => p.module),
    ).toEqual(["adlfs", "s3fs", "zenml.integrations.aws.service_connectors.aws_service_connector"]);
  });

  it("checks everything, then reads every secret, before the first zenml command", () => {
    const script = renderCliScript([sas, aws].map(registrationDocuments));
    const firstZenml = script.search(/^zenml /m);
    for (const marker of [
      "check_python 'import importlib",
      "check_python 'import sys",
      "write_secret ZRS_AZ_SAS_CONNECTION_STRING\n",
      "write_secret ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY\n",
    ]) {
      expect(script.indexOf(marker)).toBeGreaterThan(0);
      expect(script.indexOf(marker)).toBeLessThan(firstZenml);
    }
    // --set activates the last store's stack, after every registration.
    expect(script.trimEnd().endsWith("zenml stack set 's3-store'\nfi")).toBe(true);
  });
});
