// The offline plan of one stack mixing every backend (AWS, GCP, Azure with a service
// principal and with a SAS, MinIO), in process: the REAL program under Pulumi's mock
// runtime. Asserts that placeholders agree with the inputs they derive from, that the
// header names only the backends planned, that the access report is grouped by store,
// that ZenML-secret stores are shown as ZenML secrets and that --json carries typed values,
// with the resource a value names beside it (`references`), never appended to it.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan } from "../../../src/automation/commands/plan";
import { main } from "../../../src/cli";
import { placeholderLines, planPlaceholders, type PlanReport } from "../../../src/plan/report";
import { fakes } from "../automation/support/fakes";

const MIXED = [
  "config:",
  "  aws:region: eu-west-1",
  "  gcp:project: my-ml-project",
  "  gcp:region: europe-west1",
  "  azure-native:location: westeurope",
  "  zenml-remote-storage:stores:",
  "    - name: mx-s3",
  "      backend: aws",
  "    - name: mx-gcs",
  "      backend: gcp",
  "      credentials: service-account-key",
  "    - name: mx-az",
  "      backend: azure",
  "      credentials: service-principal",
  "    - name: mx-sas",
  "      backend: azure",
  "      credentials: sas",
  "      sasExpiry: 2027-01-01T00:00:00Z",
  "    - name: mx-minio",
  "      backend: s3-compatible",
  "      credentials: minio",
  "      endpoint: https://minio.example.com:9000",
  "      region: us-east-1",
  "",
].join("\n");

let report: PlanReport;
let text: string;

beforeAll(async () => {
  const f = fakes({ env: {} });
  const config = path.join(f.root, "Pulumi.mixed.yaml");
  fs.writeFileSync(config, MIXED);
  const outcome = await plan({ offline: true, config }, f.deps);
  report = outcome.data;
  text = outcome.text;
});

function resource(store: string, name: string) {
  const r = report.stores.find((s) => s.name === store)!.resources.find((x) => x.name === name);
  expect(r, `${name} is planned`).toBeDefined();
  return r!;
}

describe("placeholders agree with the inputs they derive from", () => {
  it("Azure: the container is named as its input, the resource group as its input", () => {
    const container = resource("mx-az", "mx-az-container");
    expect(container.physicalName).toBe(container.inputs.containerName);
    const rg = resource("mx-az", "mx-az-rg");
    expect(rg.physicalName).toBe(rg.inputs.resourceGroupName);
    expect(report.stores.find((s) => s.name === "mx-az")!.registration!.path).toBe(
      `az://${String(container.inputs.containerName)}`,
    );
  });

  it("Azure: the blob role is scoped to the container by its name; the custom role sits in the store's resource group", () => {
    const rg = String(resource("mx-az", "mx-az-rg").inputs.resourceGroupName);
    const access = resource("mx-az", "mx-az-blob-access");
    expect(String(access.inputs.scope)).toMatch(
      new RegExp(
        `/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/[a-z0-9]+/blobServices/default/containers/mx-az$`,
      ),
    );
    expect(access.references.scope).toEqual({
      type: "azure-native:storage:BlobContainer",
      name: "mx-az-container",
    });
    const listing = resource("mx-az", "mx-az-container-listing");
    const definitionScope = String(resource("mx-az", "mx-az-container-lister").inputs.scope);
    expect(definitionScope).toMatch(new RegExp(`/resourceGroups/${rg}$`));
    expect(String(listing.inputs.roleDefinitionId)).toMatch(
      new RegExp(
        `^${definitionScope}/providers/Microsoft.Authorization/roleDefinitions/[0-9a-f-]{36}$`,
      ),
    );
  });

  it("Azure SAS: the token is for the container, by its name", () => {
    const sas = report.access.grants.find((g) => g.kind === "bearer token")!;
    expect(sas.resources).toEqual([expect.stringMatching(/^\/blob\/[a-z0-9]+\/mx-sas$/)]);
    expect(sas.references[sas.resources[0]]).toEqual({
      type: "azure-native:storage:BlobContainer",
      name: "mx-sas-container",
    });
  });

  it("every Azure resource group named in an id or input is a planned group's name", () => {
    const groups = new Set(
      report.stores.flatMap((s) =>
        s.resources
          .filter((r) => r.type === "azure-native:resources:ResourceGroup")
          .map((r) => r.physicalName),
      ),
    );
    const named = [...JSON.stringify(report).matchAll(/resourceGroups\/([^/"\\]+)/g)].map(
      (m) => m[1],
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((g) => !groups.has(g))).toEqual([]);
  });

  it("GCP: the key is named under its service account", () => {
    const key = resource("mx-gcs", "mx-gcs-key");
    expect(key.physicalName).toMatch(
      new RegExp(`^${String(key.inputs.serviceAccountId)}/keys/[0-9a-f]+$`),
    );
  });

  it("MinIO: the policy attachment names the policy, not the user of the same name", () => {
    const attachment = resource("mx-minio", "mx-minio-user-access");
    expect(attachment.references.policyName).toEqual({
      type: "minio:index/iamPolicy:IamPolicy",
      name: "mx-minio-policy",
    });
    expect(text).toMatch(/policyName: \S+ \[IamPolicy mx-minio-policy\]/);
  });
});

describe("the header names the placeholders of the backends planned, and only those", () => {
  it("lists one line per backend", () => {
    const header = text.slice(0, text.indexOf("\nStore "));
    expect(header).toContain("AWS: account 123456789012");
    expect(header).toContain("GCP: project my-ml-project, project number 123456789012");
    expect(header).toContain(
      "Azure: subscription 00000000-0000-0000-0000-000000000001, tenant 00000000-0000-0000-0000-000000000002",
    );
    expect(header).toContain("S3-compatible: endpoint https://minio.example.com:9000");
  });

  it.each([
    ["aws", "AWS"],
    ["gcp", "GCP"],
    ["azure", "Azure"],
    ["s3-compatible", "S3-compatible"],
  ])("a plan of %s stores names only %s", (backend, named) => {
    const only = report.stores.filter((s) => s.registration?.backend === backend);
    const lines = placeholderLines(planPlaceholders(only, []));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^  ${named}: `))]);
  });

  it.each([
    ["aws-dev", "  AWS: account 123456789012"],
    ["gcp-dev", "  GCP: project my-ml-project, project number 123456789012"],
    [
      "azure-dev",
      "  Azure: subscription 00000000-0000-0000-0000-000000000001, tenant 00000000-0000-0000-0000-000000000002",
    ],
    [
      "minio-dev",
      "  S3-compatible: endpoint https://minio.example.com:9000 (named in the plan, not contacted)",
    ],
  ])("the CLI's plan of %s has one placeholder line: %s", async (stack, line) => {
    const f = fakes({ env: {} });
    expect(
      await main(["plan", "--offline", "--stack", stack], { io: f.io, deps: () => f.deps }),
    ).toBe(0);
    const out = f.io.stdout.join("\n");
    const header = out.slice(0, out.indexOf("\nStore "));
    expect(header.split("\n").filter((l) => l.startsWith("  "))).toEqual([line]);
    expect(header).not.toContain("AWS account");
  });
});

describe("the access report is grouped by store", () => {
  it("gives every grant and credential its store", () => {
    expect(report.access.grants.every((g) => g.store !== undefined)).toBe(true);
    expect([...new Set(report.access.grants.map((g) => g.store))].sort()).toEqual(
      ["mx-az", "mx-gcs", "mx-minio", "mx-s3", "mx-sas"].sort(),
    );
    expect(report.access.credentials.every((c) => c.store !== undefined)).toBe(true);
  });

  it("prints each store's grants under its own heading", () => {
    const access = text.slice(text.indexOf("Access report"), text.indexOf("Credentials minted"));
    const headings = [...access.matchAll(/^Store (\S+):$/gm)].map((m) => m[1]);
    expect(headings).toEqual(["mx-s3", "mx-gcs", "mx-az", "mx-sas", "mx-minio"]);
    const section = (store: string): string => {
      const start = access.indexOf(`Store ${store}:`);
      const next = access.indexOf("\nStore ", start + 1);
      return access.slice(start, next === -1 ? undefined : next);
    };
    expect(section("mx-s3")).toContain(
      "via   identity policy: aws:iam/userPolicy:UserPolicy mx-s3-user-access",
    );
    expect(section("mx-s3")).not.toContain("mx-gcs");
    expect(section("mx-gcs")).toContain("roles/storage.objectUser");
    expect(section("mx-gcs")).not.toContain("mx-s3");
    expect(section("mx-az")).toContain("Storage Blob Data Contributor");
    expect(section("mx-sas")).toContain("bearer token");
    expect(section("mx-minio")).toContain("minio:index/iamPolicy:IamPolicy mx-minio-policy");
  });
});

describe("GCP roles are shown with their permissions", () => {
  it("expands the predefined roles the store's service account is granted", () => {
    const gcs = report.access.grants.filter((g) => g.store === "mx-gcs");
    const objectUser = gcs.find((g) => g.actions[0] === "roles/storage.objectUser")!;
    expect(objectUser.roleContents).toEqual(
      expect.arrayContaining([
        "storage.objects.create",
        "storage.objects.delete",
        "storage.objects.get",
        "storage.objects.list",
        "storage.objects.update",
      ]),
    );
    const reader = gcs.find((g) => g.actions[0] === "roles/storage.legacyBucketReader")!;
    expect(reader.roleContents).toEqual(["storage.buckets.get", "storage.objects.list"]);
    expect(text).toContain("      role  storage.buckets.get");
  });
});

describe("ZenML-secret stores are shown as ZenML secrets", () => {
  it("the ZenML line names the secret, not a connector", () => {
    for (const store of ["mx-sas", "mx-minio"]) {
      const reg = report.stores.find((s) => s.name === store)!.registration!;
      expect(reg.auth.kind).toBe("secret");
      const line = text.split("\n").find((l) => l.includes(reg.path) && l.includes("ZenML:"))!;
      expect(line).toContain(
        `a ZenML secret named ${reg.auth.kind === "secret" ? reg.auth.name : ""} (no connector)`,
      );
    }
  });

  it("the credentials minted say where ZenML gets them: the ZenML secret, or the connector", () => {
    const secretOf = (store: string): string => {
      const auth = report.stores.find((s) => s.name === store)!.registration!.auth;
      return auth.kind === "secret" ? auth.name : "";
    };
    const sas = report.access.credentials.filter((c) => c.store === "mx-sas");
    expect(sas).toEqual([
      expect.objectContaining({ givenTo: `ZenML secret ${secretOf("mx-sas")}` }),
    ]);
    const minio = report.access.credentials.find(
      (c) => c.store === "mx-minio" && c.via.includes("IamServiceAccount"),
    )!;
    expect(minio.givenTo).toBe(`ZenML secret ${secretOf("mx-minio")}`);
    // The MinIO user's own secret is minted by the provider but handed to nobody.
    const userSecret = report.access.credentials.find((c) => c.via.includes("iamUser:IamUser"))!;
    expect(userSecret.givenTo).toBeUndefined();
    const s3 = report.access.credentials.find((c) => c.store === "mx-s3")!;
    expect(s3.givenTo).toBe("ZenML connector aws/secret-key");
    const grant = report.access.grants.find((g) => g.kind === "bearer token")!;
    expect(grant.principal).toBe(
      `anyone holding the SAS token (in ZenML secret ${secretOf("mx-sas")})`,
    );
    expect(text).not.toMatch(/no credential minted; ZenML uses the identity/);
  });
});

describe("--json carries typed values and keeps references apart", () => {
  const json = (): unknown => JSON.parse(JSON.stringify(report));

  it("booleans, numbers, objects and arrays are JSON values, not text", () => {
    const pab = resource("mx-s3", "mx-s3-public-access-block");
    expect(pab.inputs.blockPublicAcls).toBe(true);
    expect(resource("mx-s3", "mx-s3-bucket").inputs.forceDestroy).toBe(false);
    expect(resource("mx-s3", "mx-s3-lifecycle").inputs.rules).toEqual([
      expect.objectContaining({ abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }),
    ]);
    expect(resource("mx-az", "mx-az-account").inputs.sku).toEqual({ name: "Standard_LRS" });
    expect(resource("mx-s3", "mx-s3-user-access").inputs.policy).toMatchObject({
      Statement: expect.any(Array),
    });
  });

  it("no value carries a bracketed annotation; references say which resource a value names", () => {
    expect(JSON.stringify(json())).not.toMatch(/ \[[A-Za-z]+ mx-[a-z0-9-]+\]/);
    const ownership = resource("mx-s3", "mx-s3-ownership");
    const bucket = ownership.inputs.bucket as string;
    expect(ownership.references.bucket).toEqual({
      type: "aws:s3/bucket:Bucket",
      name: "mx-s3-bucket",
    });
    const user = report.access.grants.find(
      (g) => g.store === "mx-s3" && g.kind === "identity policy",
    )!;
    expect(user.references[user.principal]).toEqual({
      type: "aws:iam/user:User",
      name: "mx-s3-user",
    });
    // Text keeps the annotations.
    expect(text).toContain(`bucket: ${bucket} [Bucket mx-s3-bucket]`);
  });

  it("the CLI's --json prints the same typed values", async () => {
    const f = fakes({ env: {} });
    const args = ["plan", "--offline", "--stack", "aws-dev", "--json"];
    expect(await main(args, { io: f.io, deps: () => f.deps })).toBe(0);
    const out = JSON.parse(f.io.stdout.join("\n")) as { result: PlanReport };
    const pab = out.result.stores[0].resources.find((r) =>
      r.type.endsWith("BucketPublicAccessBlock"),
    )!;
    expect(pab.inputs).toMatchObject({ blockPublicAcls: true, restrictPublicBuckets: true });
    expect(pab.references.bucket).toEqual({
      type: "aws:s3/bucket:Bucket",
      name: "s3-store-bucket",
    });
    expect(JSON.stringify(out)).not.toMatch(/ \[[A-Za-z]+ s3-store-[a-z-]+\]/);
  });
});
