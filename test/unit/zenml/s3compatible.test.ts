/**
 * ZenML documents for S3-compatible stores: a ZenML secret holding the key (not
 * an AWS connector, which ZenML re-verifies through AWS STS on every use) and
 * the `s3` flavor with the endpoint in client_kwargs and `authentication_secret`.
 */
import { describe, expect, it } from "vitest";
import { renderCliScript, secretEnvName } from "../../../src/zenml/cliScript";
import {
  registrationDocuments,
  usesSecret,
  type SecretRegistration,
  type SecretStoreDocuments,
} from "../../../src/zenml/documents";
import type { StoreRegistration } from "../../../src/zenml/model";
import { secretArtifactStoreRequest, secretRequest } from "../../../src/zenml/restBodies";
import { renderStackYaml } from "../../../src/zenml/stackYaml";

const SECRET_KEY = "minio-golden-secret-Zx81kQ0pV7";
const KEY_ID = "MINIOGOLDENKEYID0001";

const registrations: Record<string, SecretRegistration> = {
  "s3-compatible-minio": {
    storeName: "minio-store",
    stackName: "minio-stack",
    flavor: "s3",
    artifactStoreConfiguration: {
      path: "s3://zenml-artifacts",
      client_kwargs: { endpoint_url: "https://minio.example.com:9000", region_name: "us-east-1" },
      config_kwargs: { s3: { addressing_style: "path" } },
    },
    backend: "s3-compatible",
    path: "s3://zenml-artifacts",
    auth: { kind: "secret", name: "minio-store-s3-key" },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
  },
  "s3-compatible-existing": {
    storeName: "r2-store",
    stackName: "r2-store",
    flavor: "s3",
    artifactStoreConfiguration: {
      path: "s3://team-zenml",
      client_kwargs: { endpoint_url: "https://acct.r2.cloudflarestorage.com", region_name: "auto" },
    },
    backend: "s3-compatible",
    path: "s3://team-zenml",
    auth: { kind: "secret", name: "r2-store-s3-key" },
    credentials: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
  },
};

function secretDocs(reg: StoreRegistration): SecretStoreDocuments {
  const docs = registrationDocuments(reg);
  if (!usesSecret(docs)) throw new Error("an S3-compatible store must register through a secret");
  return docs;
}

describe.each(Object.entries(registrations))("ZenML documents for %s", (mode, reg) => {
  const docs = secretDocs(reg);

  it("match the golden secret, artifact store and stack", async () => {
    await expect(JSON.stringify(docs, null, 2) + "\n").toMatchFileSnapshot(
      `../../golden/${mode}.documents.json`,
    );
  });

  it("render REST bodies: the key only in the secret, the endpoint and secret name in the store", () => {
    expect(secretRequest(docs.secret)).toEqual({
      name: reg.auth.name,
      private: false,
      values: { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET_KEY },
    });
    const store = secretArtifactStoreRequest(docs.artifactStore);
    expect(store).toEqual({
      name: reg.storeName,
      type: "artifact_store",
      flavor: "s3",
      configuration: {
        ...reg.artifactStoreConfiguration,
        authentication_secret: reg.auth.name,
      },
      labels: { "managed-by": "zenml-remote-storage" },
    });
    expect(JSON.stringify(store)).not.toContain(SECRET_KEY);
  });

  it("render a CLI script that creates the secret from files and holds no key", async () => {
    const script = renderCliScript([docs]);
    expect(script).not.toContain(SECRET_KEY);
    expect(script).not.toContain(KEY_ID);
    expect(script).toContain(
      `write_secret ${secretEnvName(reg.storeName, "aws_secret_access_key")}`,
    );
    expect(script).not.toContain("zenml service-connector register");
    await expect(script).toMatchFileSnapshot(`../../golden/${mode}.register.sh`);
  });

  it("render a stack YAML that references the key instead of holding it", async () => {
    const yaml = renderStackYaml("minio-dev", [docs]);
    expect(yaml).not.toContain(SECRET_KEY);
    expect(yaml).not.toContain(KEY_ID);
    await expect(yaml).toMatchFileSnapshot(`../../golden/${mode}.zenml.yaml`);
  });
});
