/** The program with gcp stores in preview (provider outputs unknown), under mocks. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  fakeGcpServiceAccountKeyJson,
  installMocks,
  isKnown,
  ofType,
  settle,
  type Registered,
} from "../../support/mocks";

const SOURCE = "zenml-source@identity-proj.iam.gserviceaccount.com";

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    preview: true,
    config: {
      "gcp:project": "ml-platform-prod",
      "gcp:region": "europe-west1",
      "zenml-remote-storage:stores": [
        { name: "gcs-keyed", backend: "gcp" },
        {
          name: "gcs-imp",
          backend: "gcp",
          credentials: "impersonation",
          impersonator: `serviceAccount:${SOURCE}`,
          bucket: {
            encryptionKey:
              "projects/ml-platform-prod/locations/europe-west1/keyRings/z/cryptoKeys/k",
          },
        },
      ],
      "zenml-remote-storage:storeSecrets": {
        "gcs-imp": { impersonatorKey: fakeGcpServiceAccountKeyJson(SOURCE) },
      },
    },
  });
  program = await (await import("../../../../src/index")).default();
  await settle();
});

describe("the program with gcp stores in preview", () => {
  it("registers every resource although provider outputs are unknown", () => {
    expect(ofType(registered, "gcp:storage/bucket:Bucket")).toHaveLength(2);
    expect(ofType(registered, "gcp:serviceaccount/account:Account")).toHaveLength(2);
    expect(ofType(registered, "gcp:serviceaccount/key:Key")).toHaveLength(1);
    expect(ofType(registered, "gcp:storage/bucketIAMMember:BucketIAMMember")).toHaveLength(4);
    expect(ofType(registered, "gcp:serviceaccount/iAMMember:IAMMember")).toHaveLength(1);
    expect(ofType(registered, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")).toHaveLength(1);
  });

  it("leaves account-derived outputs unknown and keeps credentials secret", async () => {
    const imp = pulumi.output(program.stores)["gcs-imp"];
    expect(
      await isKnown(imp.auth.apply((a) => (a.kind === "connector" ? a.configuration : {}))),
    ).toBe(false);
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
  });
});
