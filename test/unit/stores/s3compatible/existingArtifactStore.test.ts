/**
 * ExistingS3CompatibleArtifactStore under Pulumi's mock runtime: the user
 * brings endpoint, bucket and keys; nothing may be provisioned, and the ZenML
 * documents built from the outputs must carry the endpoint and say "do not verify".
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { registrationDocuments, usesSecret } from "../../../../src/zenml/documents";
import type { StoreRegistration } from "../../../../src/zenml/model";
import { installMocks, settle, unwrap, type Registered } from "../../support/mocks";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const KEYS = { accessKeyId: "R2KEYID0000000000001", secretAccessKey: "r2-secret-3b9f1c7d0e2a4f6b" };

let registered: Registered[];
let mod: typeof import("../../../../src/stores/s3compatible/existingArtifactStore");

beforeAll(async () => {
  registered = await installMocks();
  mod = await import("../../../../src/stores/s3compatible/existingArtifactStore");
});

describe("ExistingS3CompatibleArtifactStore (Cloudflare R2-like server)", () => {
  let store: InstanceType<typeof mod.ExistingS3CompatibleArtifactStore>;
  beforeAll(async () => {
    store = new mod.ExistingS3CompatibleArtifactStore("r2-store", {
      endpoint: "https://0123456789abcdef.r2.cloudflarestorage.com",
      region: "auto",
      pathStyle: true,
      bucketName: "zenml-artifacts",
      keyPair: KEYS,
    });
    await unwrap(store.credentials);
    await settle();
  });

  it("registers no resource except the component itself", () => {
    expect(registered.map((r) => [r.type, r.name])).toEqual([
      ["zenml-remote-storage:s3-compatible:ExistingS3CompatibleArtifactStore", "r2-store"],
    ]);
  });

  it("records the brought keys as a secret, even when passed in plain", () => {
    const [component] = registered;
    expect(component.inputs.keyPair).toEqual({ [SIG_KEY]: SECRET_SIG, value: KEYS });
  });

  it("exposes the keys only as a secret connector field", async () => {
    expect(await pulumi.isSecret(store.credentials)).toBe(true);
    expect(await unwrap(store.credentials)).toEqual({
      aws_access_key_id: KEYS.accessKeyId,
      aws_secret_access_key: KEYS.secretAccessKey,
    });
    expect(store.auth).toEqual({ kind: "secret", name: "r2-store-s3-key" });
    expect(JSON.stringify(await unwrap(store.artifactStoreConfiguration))).not.toContain(
      KEYS.secretAccessKey,
    );
  });

  it("yields a ZenML secret and an s3 artifact store that names it, with the endpoint", async () => {
    const reg: StoreRegistration = {
      storeName: store.storeName,
      stackName: "r2-stack",
      backend: store.backend,
      flavor: store.flavor,
      path: (await unwrap(store.path))!,
      artifactStoreConfiguration: (await unwrap(store.artifactStoreConfiguration))!,
      auth: store.auth,
      credentials: (await unwrap(store.credentials))!,
    };
    const docs = registrationDocuments(reg);
    if (!usesSecret(docs)) throw new Error("an s3-compatible store must register through a secret");
    expect(docs.secret).toEqual({
      name: "r2-store-s3-key",
      private: false,
      values: {
        aws_access_key_id: KEYS.accessKeyId,
        aws_secret_access_key: KEYS.secretAccessKey,
      },
    });
    expect(docs.artifactStore).toEqual({
      name: "r2-store",
      type: "artifact_store",
      flavor: "s3",
      configuration: {
        path: "s3://zenml-artifacts",
        client_kwargs: {
          endpoint_url: "https://0123456789abcdef.r2.cloudflarestorage.com",
          region_name: "auto",
        },
        config_kwargs: { s3: { addressing_style: "path" } },
        authentication_secret: "r2-store-s3-key",
      },
      labels: { "managed-by": "zenml-remote-storage" },
    });
  });

  it("refuses a plain-http endpoint unless allowed", () => {
    expect(
      () =>
        new mod.ExistingS3CompatibleArtifactStore("http-store", {
          endpoint: "http://ceph.internal:7480",
          region: "us-east-1",
          bucketName: "b12",
          keyPair: KEYS,
        }),
    ).toThrow(/plain http/);
  });
});
