import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, isKnown, ofType, settle, type Registered } from "./support/mocks";

let registered: Registered[];
let program: Awaited<ReturnType<typeof import("../../src/index")>>;

beforeAll(async () => {
  registered = await installMocks({
    preview: true,
    config: {
      "zenml-remote-storage:stores": [
        { name: "s3-preview", backend: "aws", region: "eu-west-1", credentials: "iam-role" },
      ],
    },
  });
  program = await (await import("../../src/index")).default();
  await settle();
});

describe("the Pulumi program in preview", () => {
  it("registers every resource although provider outputs are unknown", () => {
    expect(ofType(registered, "aws:s3/bucket:Bucket")).toHaveLength(1);
    expect(ofType(registered, "aws:iam/role:Role")).toHaveLength(1);
    expect(ofType(registered, "aws:iam/rolePolicy:RolePolicy")).toHaveLength(1);
    expect(ofType(registered, "aws:iam/userPolicy:UserPolicy")).toHaveLength(1);
  });

  it("leaves bucket-derived outputs unknown and credentials secret", async () => {
    const store = pulumi.output(program.stores)["s3-preview"];
    expect(await isKnown(store.path)).toBe(false);
    expect(await pulumi.isSecret(program.credentials)).toBe(true);
  });
});
