/**
 * The whole Pulumi program (src/index.ts) with two gcp stores, under Pulumi's mock
 * runtime: config (incl. gcp:project / gcp:region) -> createStore -> GcsArtifactStore
 * -> stack outputs. No GCP call is made.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fakeGcpServiceAccountKeyJson,
  installMocks,
  ofType,
  only,
  settle,
  unwrap,
  type Registered,
} from "../../support/mocks";

const SOURCE = "zenml-source@identity-proj.iam.gserviceaccount.com";
const SOURCE_KEY = fakeGcpServiceAccountKeyJson(SOURCE);

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    config: {
      "gcp:project": "ml-platform-prod",
      "gcp:region": "europe-west1",
      "zenml-remote-storage:stores": [
        { name: "gcs-keyed", backend: "gcp", tags: { team: "ml" } },
        {
          name: "gcs-imp",
          backend: "gcp",
          credentials: "impersonation",
          project: "ml-platform-dev",
          location: "US",
          impersonator: `serviceAccount:${SOURCE}`,
          bucket: { name: "dev-zenml-artifacts", versioning: true },
        },
      ],
      // The key as a user may give it (base64 of the key file); the program hands ZenML the JSON.
      "zenml-remote-storage:storeSecrets": {
        "gcs-imp": { impersonatorKey: Buffer.from(SOURCE_KEY).toString("base64") },
      },
    },
  });
  program = await (await import("../../../../src/index")).default();
  await unwrap(program.credentials);
  await settle();
});

describe("the program with gcp stores", () => {
  it("creates one GcsArtifactStore per store, with project and location from config", () => {
    const buckets = ofType(registered, "gcp:storage/bucket:Bucket");
    expect(buckets.map((b) => [b.name, b.inputs.project, b.inputs.location])).toEqual([
      ["gcs-keyed-bucket", "ml-platform-prod", "europe-west1"],
      ["gcs-imp-bucket", "ml-platform-dev", "US"],
    ]);
    expect(only(registered, "gcp:storage/bucket:Bucket", "gcs-keyed-bucket").inputs.labels).toEqual(
      { team: "ml", "managed-by": "zenml-remote-storage", "zenml-store": "gcs-keyed" },
    );
  });

  it("makes a key only for the service-account-key store", () => {
    expect(ofType(registered, "gcp:serviceaccount/key:Key").map((k) => k.name)).toEqual([
      "gcs-keyed-key",
    ]);
  });

  it("creates no project-, folder- or organisation-level resource at all", () => {
    expect(registered.filter((r) => /^gcp:(projects|organizations|folder)\//.test(r.type))).toEqual(
      [],
    );
  });

  it("exports each store's plain ZenML facts", async () => {
    const stores = (await unwrap(pulumi.output(program.stores))) as Record<
      string,
      Record<string, unknown>
    >;
    expect(stores["gcs-keyed"]).toMatchObject({
      backend: "gcp",
      flavor: "gcp",
      path: expect.stringMatching(/^gs:\/\/zenml-gcs-keyed-[0-9a-f]{8}$/),
      auth: {
        kind: "connector",
        type: "gcp",
        method: "service-account",
        resourceType: "gcs-bucket",
        configuration: { project_id: "ml-platform-prod" },
      },
    });
    expect(stores["gcs-imp"]).toMatchObject({
      path: "gs://dev-zenml-artifacts",
      auth: {
        method: "impersonation",
        resourceId: "gs://dev-zenml-artifacts",
        configuration: {
          project_id: "ml-platform-dev",
          target_principal: expect.stringMatching(
            /^zenml-gcs-imp-[0-9a-f]{8}@ml-platform-dev\.iam\.gserviceaccount\.com$/,
          ),
        },
      },
    });
    expect(JSON.stringify(stores)).not.toContain("PRIVATE KEY");
  });

  it("exports the credentials as one secret: the store's key, and the impersonator's key as JSON", async () => {
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    const credentials = (await unwrap(program.credentials)) as Record<
      string,
      Record<string, string>
    >;
    expect(JSON.parse(credentials["gcs-keyed"].service_account_json).client_email).toMatch(
      /^zenml-gcs-keyed-[0-9a-f]{8}@ml-platform-prod\.iam\.gserviceaccount\.com$/,
    );
    expect(credentials["gcs-imp"]).toEqual({ service_account_json: SOURCE_KEY });
  });
});
