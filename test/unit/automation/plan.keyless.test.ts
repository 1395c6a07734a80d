// The offline plan of keyless stores, in process: the REAL program (src/index.ts)
// under Pulumi's mock runtime with placeholder outputs — no cloud, no Pulumi CLI.
// Asserts the access report says who may assume/impersonate what, under which
// condition, and that no credential is minted.
import { beforeAll, describe, expect, it } from "vitest";
import { labelledGrant } from "../../../src/plan/access";
import { evaluateOffline } from "../../../src/plan/offline";
import { buildPlanReport, renderPlanText, type PlanReport } from "../../../src/plan/report";

const SERVER_ROLE = "arn:aws:iam::210987654321:role/zenml-server";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const SUBJECT = "system:serviceaccount:zenml:zenml-server";
const AKS_ISSUER = "https://westeurope.oic.prod-aks.azure.com/tenant/1a2b3c4d";

let report: PlanReport;
let text: string;

beforeAll(async () => {
  const evaluation = await evaluateOffline({
    project: "zenml-remote-storage",
    stack: "keyless",
    config: {
      "aws:region": "eu-west-1",
      "gcp:project": "ml-platform-prod",
      "gcp:region": "europe-west1",
      "azure-native:location": "westeurope",
      "zenml-remote-storage:stores": JSON.stringify([
        {
          name: "kl-aws",
          backend: "aws",
          credentials: "implicit",
          trustedPrincipals: [SERVER_ROLE],
        },
        {
          name: "kl-gcp",
          backend: "gcp",
          credentials: "external-account",
          workloadIdentity: { issuer: ISSUER, subject: SUBJECT },
        },
        {
          name: "kl-az",
          backend: "azure",
          credentials: "implicit",
          workloadIdentity: { issuer: AKS_ISSUER, subject: SUBJECT },
        },
      ]),
    },
  });
  report = buildPlanReport(evaluation, { stack: "keyless", source: "test" });
  text = renderPlanText(report);
});

describe("plan --offline with keyless stores", () => {
  it("mints no credential and says so", () => {
    expect(report.access.credentials).toEqual([]);
    expect(text).toContain("(none): no credential minted");
    expect(text.match(/no credential minted \(keyless/g)).toHaveLength(3);
    expect(text).not.toContain("credentials: Pulumi secrets");
  });

  it("AWS: the server's role may assume the store's role, nothing else may", () => {
    const trust = report.access.grants.filter((g) => g.kind === "trust policy");
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      principal: `AWS ${SERVER_ROLE}`,
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      conditions: [],
    });
    expect(labelledGrant(trust[0]).resources[0]).toMatch(/\[Role kl-aws-role\]$/);
  });

  it("GCP: tokens of the issuer federate under the subject condition; exactly that principal may act as the service account", () => {
    const fed = report.access.grants.filter(
      (g) => g.kind === "federation" && g.via.includes("WorkloadIdentityPoolProvider"),
    );
    expect(fed).toHaveLength(1);
    expect(fed[0].principal).toBe(`tokens of OIDC issuer ${ISSUER}`);
    expect(fed[0].conditions).toEqual([`assertion.sub == "${SUBJECT}"`]);
    const wiu = report.access.grants.filter((g) =>
      g.actions.some((a) => a.includes("roles/iam.workloadIdentityUser")),
    );
    expect(wiu).toHaveLength(1);
    expect(wiu[0].principal).toMatch(
      new RegExp(
        `^principal://iam\\.googleapis\\.com/projects/\\d+/locations/global/workloadIdentityPools/[a-z0-9-]+/subject/${SUBJECT}$`,
      ),
    );
    expect(labelledGrant(wiu[0]).resources[0]).toMatch(/\[Account kl-gcp-sa\]$/);
  });

  it("Azure: tokens of the AKS issuer with that subject may sign in as the identity; its data role is on the container", () => {
    const fed = report.access.grants.filter(
      (g) => g.kind === "federation" && g.via.includes("FederatedIdentityCredential"),
    );
    expect(fed).toHaveLength(1);
    expect(fed[0].conditions).toEqual([
      `subject == ${SUBJECT}`,
      "audience in api://AzureADTokenExchange",
    ]);
    const data = report.access.grants.find((g) => g.via.endsWith("kl-az-blob-access"))!;
    expect(data.actions[0]).toMatch(/^Storage Blob Data Contributor/);
    expect(data.resources[0]).toMatch(/\/blobServices\/default\/containers\//);
  });

  it("no warnings (no wildcard, no public access, no unconditioned federation)", () => {
    expect(report.access.warnings).toEqual([]);
  });
});
