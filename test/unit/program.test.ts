import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, settle, unwrap, type Registered } from "./support/mocks";

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    config: {
      "aws:region": "eu-west-1",
      "zenml-remote-storage:stores": [
        { name: "s3-keyed", backend: "aws", credentials: "access-key" },
        {
          name: "s3-roled",
          backend: "aws",
          credentials: "iam-role",
          region: "us-east-2",
          bucket: { name: "roled-artifacts" },
        },
      ],
    },
  });
  program = await (await import("../../src/index")).default();
  await unwrap(program.credentials);
  await settle();
});

describe("the Pulumi program", () => {
  it("creates one component per configured store", () => {
    expect(
      ofType(registered, "zenml-remote-storage:aws:S3ArtifactStore").map((r) => r.name),
    ).toEqual(["s3-keyed", "s3-roled"]);
    expect(ofType(registered, "aws:s3/bucket:Bucket")).toHaveLength(2);
    expect(ofType(registered, "aws:iam/role:Role")).toHaveLength(1);
  });

  it("exports each store's plain registration facts", async () => {
    const stores = await unwrap(pulumi.output(program.stores));
    expect(stores!["s3-roled"]).toEqual({
      backend: "aws",
      stackName: "s3-roled",
      flavor: "s3",
      path: "s3://roled-artifacts",
      artifactStoreConfiguration: { path: "s3://roled-artifacts" },
      auth: {
        kind: "connector",
        type: "aws",
        method: "iam-role",
        resourceType: "s3-bucket",
        resourceId: "s3://roled-artifacts",
        configuration: {
          region: "us-east-2",
          role_arn: "arn:aws:iam::123456789012:role/s3-roled-role-1a2b3c4",
        },
      },
    });
    expect(await pulumi.isSecret(pulumi.output(program.stores))).toBe(false);
  });

  it("exports credentials only as a secret", async () => {
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
    const credentials = await unwrap(program.credentials);
    expect(Object.keys(credentials!)).toEqual(["s3-keyed", "s3-roled"]);
    expect(JSON.stringify(await unwrap(pulumi.output(program.stores)))).not.toContain(
      "mock-secret-",
    );
  });
});
