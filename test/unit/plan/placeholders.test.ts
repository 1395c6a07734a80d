import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  COMPUTED,
  INVOKES,
  awsArn,
  physicalName,
  placeholderResource,
} from "../../../src/plan/placeholders";

const ctx = { config: { "aws:region": "eu-west-1" } };

describe("placeholders", () => {
  it.each([
    ["aws:s3/bucket:Bucket", "b", { bucketPrefix: "zenml-s-" }, /^zenml-s-plc[0-9a-f]{7}$/],
    ["aws:s3/bucket:Bucket", "b", { bucket: "given" }, /^given$/],
    ["aws:iam/role:Role", "st-role", {}, /^st-role-[0-9a-f]{7}$/],
    ["gcp:serviceaccount/account:Account", "sa", { accountId: "zsa" }, /^zsa$/],
  ])("physicalName(%s %s %j)", (type, name, inputs, pattern) => {
    expect(physicalName(type, name, inputs)).toMatch(pattern);
    expect(physicalName(type, name, inputs)).toBe(physicalName(type, name, inputs));
  });

  // A child resource's `accountName`/`containerName` names its parent; its own name is
  // the input Azure names by kind.
  it.each([
    ["azure-native:storage:BlobContainer", { accountName: "acct", containerName: "c" }, "c"],
    [
      "azure-native:storage:BlobServiceProperties",
      { accountName: "acct", blobServicesName: "default" },
      "default",
    ],
    [
      "azure-native:storage:StorageAccount",
      { accountName: "acct", resourceGroupName: "rg" },
      "acct",
    ],
    ["azure-native:resources:ResourceGroup", { resourceGroupName: "rg" }, "rg"],
    [
      "azure-native:managedidentity:UserAssignedIdentity",
      { resourceName: "mi", resourceGroupName: "rg" },
      "mi",
    ],
  ])("physicalName(%s %j) is %s", (type, inputs, expected) => {
    expect(physicalName(type, "x", inputs)).toBe(expected);
  });

  const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
  it.each([
    [
      "azure-native:resources:ResourceGroup",
      { resourceGroupName: "rg" },
      `${SUB}/resourceGroups/rg`,
    ],
    [
      "azure-native:storage:BlobContainer",
      { resourceGroupName: "rg", accountName: "acct", containerName: "c" },
      `${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/c`,
    ],
    [
      "azure-native:storage:BlobServiceProperties",
      { resourceGroupName: "rg", accountName: "acct", blobServicesName: "default" },
      `${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default`,
    ],
    [
      "azure-native:managedidentity:FederatedIdentityCredential",
      { resourceGroupName: "rg", resourceName: "mi", federatedIdentityCredentialResourceName: "f" },
      `${SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi/federatedIdentityCredentials/f`,
    ],
  ])("the id of %s %j nests where Azure puts it", (type, inputs, id) => {
    expect(placeholderResource(type, "x", inputs, ctx).id).toBe(id);
  });

  it("puts an Azure role definition and assignment under the scope they are created at, named by a GUID", () => {
    const scope = `${SUB}/resourceGroups/rg`;
    const def = placeholderResource(
      "azure-native:authorization:RoleDefinition",
      "d",
      { scope, roleName: "r" },
      ctx,
    );
    expect(def.id).toMatch(
      new RegExp(`^${scope}/providers/Microsoft.Authorization/roleDefinitions/[0-9a-f-]{36}$`),
    );
    const assignment = placeholderResource(
      "azure-native:authorization:RoleAssignment",
      "a",
      { scope },
      ctx,
    );
    expect(assignment.id).toMatch(
      new RegExp(`^${scope}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`),
    );
  });

  it("names a GCP service-account key under its account", () => {
    const sa = "projects/p/serviceAccounts/z@p.iam.gserviceaccount.com";
    const key = placeholderResource(
      "gcp:serviceaccount/key:Key",
      "k",
      { serviceAccountId: sa },
      ctx,
    );
    expect(key.id).toMatch(new RegExp(`^${sa}/keys/[0-9a-f]+$`));
    expect(key.state.name).toBe(key.id);
  });

  it("shapes AWS ARNs like the real ones", () => {
    expect(awsArn("aws:s3/bucket:Bucket", "b", {}, ctx)).toBe("arn:aws:s3:::b");
    expect(awsArn("aws:iam/role:Role", "r", {}, ctx)).toBe("arn:aws:iam::123456789012:role/r");
    expect(awsArn("aws:sqs/queue:Queue", "q", {}, ctx)).toBe(
      "arn:aws:sqs:eu-west-1:123456789012:queue/q",
    );
    const key = placeholderResource("aws:iam/accessKey:AccessKey", "k", { user: "u" }, ctx);
    expect(key.id).toMatch(/^AKIAPLACEHOLDER/);
    expect(key.state.secret).toBe("placeholder-secret");
  });

  // New backends: when a test mock answers an invoke or computes outputs for a
  // resource type, the offline plan needs a placeholder for it too.
  it("covers every invoke and computed type the unit-test mocks know", () => {
    const mocks = fs.readFileSync(path.join(__dirname, "..", "support", "mocks.ts"), "utf8");
    const call = mocks.slice(mocks.indexOf("call(args)"));
    const invokes = [...call.matchAll(/case "([^"]+)":/g)].map((m) => m[1]);
    const computedSection = mocks.slice(
      mocks.indexOf("function computed("),
      mocks.indexOf("default:"),
    );
    const types = [...computedSection.matchAll(/case "([^"]+)":/g)].map((m) => m[1]);
    // Invokes the program must never make have no placeholder on purpose.
    const never = new Set(["azure-native:storage:listStorageAccountKeys"]);
    expect(invokes.filter((t) => !never.has(t) && !(t in INVOKES))).toEqual([]);
    const generic = new Set([
      "aws:iam/user:User", // arn + name are generic for AWS
      "azure-native:resources:ResourceGroup",
      "azure-native:storage:BlobContainer",
    ]);
    expect(types.filter((t) => !generic.has(t) && !(t in COMPUTED))).toEqual([]);
  });
});
