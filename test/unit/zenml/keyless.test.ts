/**
 * Keyless registrations through every consumer of the registration model (pure;
 * nothing external): documents, REST bodies, the CLI script, the stack YAML, the
 * recorded registration, verification and the `outputs` command all cope with an
 * empty credential map and show no credential.
 */
import { describe, expect, it } from "vitest";
import { presentOutputs } from "../../../src/automation/commands/outputs";
import { registrationsFromOutputs } from "../../../src/automation/recordedRegistration";
import { verifyStores } from "../../../src/automation/verification";
import type { Deps } from "../../../src/automation/context";
import { renderCliScript } from "../../../src/zenml/cliScript";
import { registrationDocuments, storeDocuments } from "../../../src/zenml/documents";
import { isKeylessAuth, storeRegistration, type StoreFacts } from "../../../src/zenml/model";
import { serviceConnectorRequest } from "../../../src/zenml/restBodies";
import { renderStackYaml } from "../../../src/zenml/stackYaml";
import { connectorRegistration } from "../../support/registrations";

const ROLE = "arn:aws:iam::123456789012:role/kl-aws-role-1a2b3c4";
const EXTERNAL = JSON.stringify({ type: "external_account", audience: "//iam.googleapis.com/x" });
const FACTS: Record<string, StoreFacts> = {
  "kl-aws": {
    backend: "aws",
    stackName: "kl-aws",
    flavor: "s3",
    path: "s3://kl-bucket",
    artifactStoreConfiguration: { path: "s3://kl-bucket" },
    auth: {
      kind: "connector",
      type: "aws",
      method: "implicit",
      resourceType: "s3-bucket",
      resourceId: "s3://kl-bucket",
      configuration: { region: "eu-west-1", role_arn: ROLE },
    },
  },
  "kl-gcp": {
    backend: "gcp",
    stackName: "kl-gcp",
    flavor: "gcp",
    path: "gs://kl-bucket",
    artifactStoreConfiguration: { path: "gs://kl-bucket" },
    auth: {
      kind: "connector",
      type: "gcp",
      method: "external-account",
      resourceType: "gcs-bucket",
      resourceId: "gs://kl-bucket",
      configuration: { project_id: "ml-platform-prod", external_account_json: EXTERNAL },
    },
  },
};

describe("keyless registrations in every consumer", () => {
  const regs = Object.entries(FACTS).map(([n, f]) => storeRegistration(n, f, {}));

  it("isKeylessAuth: implicit and external-account connectors only", () => {
    expect(regs.map((r) => isKeylessAuth(r.auth))).toEqual([true, true]);
    expect(
      isKeylessAuth({ ...FACTS["kl-aws"].auth, method: "iam-role" } as StoreFacts["auth"]),
    ).toBe(false);
    expect(isKeylessAuth({ kind: "secret", name: "s" })).toBe(false);
  });

  it("the connector document and REST body carry the plain configuration and no secret", () => {
    const docs = storeDocuments(connectorRegistration(regs[0]));
    expect(docs.connector.secrets).toEqual({});
    expect(docs.connector.auth_method).toBe("implicit");
    expect(serviceConnectorRequest(docs.connector).configuration).toEqual({
      region: "eu-west-1",
      role_arn: ROLE,
    });
    const gcp = serviceConnectorRequest(storeDocuments(connectorRegistration(regs[1])).connector);
    expect(gcp).toMatchObject({
      auth_method: "external-account",
      configuration: { project_id: "ml-platform-prod", external_account_json: EXTERNAL },
    });
  });

  it("the CLI script reads no secret from the environment; the stack YAML references none", () => {
    const docs = regs.map(registrationDocuments);
    const script = renderCliScript(docs);
    expect(script).not.toMatch(/ZRS_KL_/);
    expect(script).toContain("--auth-method 'implicit'");
    const yaml = renderStackYaml("dev", docs);
    expect(yaml).not.toContain("registration.kl-");
    expect(yaml).not.toContain("credentials");
  });

  it("the recorded registration reads an empty credential map from the outputs", () => {
    const read = registrationsFromOutputs({
      stores: { value: FACTS, secret: false },
      credentials: { value: { "kl-aws": {}, "kl-gcp": {} }, secret: true },
    });
    expect(read.map((r) => r.credentials)).toEqual([{}, {}]);
  });

  it("outputs shows an empty credential map for keyless stores (nothing to mask)", () => {
    const { values } = presentOutputs(
      { credentials: { value: { "kl-aws": {} }, secret: true } },
      false,
    );
    expect(values.credentials).toEqual({ "kl-aws": {} });
  });

  it("verification skips the storage probe (no credential held) and says why", async () => {
    let probed = 0;
    const deps = {
      verifierFor: async () => ({
        probe: async () => {
          probed++;
        },
      }),
      now: () => 0,
      sleep: async () => undefined,
      io: { err: () => undefined, out: () => undefined },
    } as unknown as Deps;
    const checks = await verifyStores({ stores: regs, timeoutMs: 1000 }, deps);
    expect(probed).toBe(0);
    expect(checks.map((c) => c.storage.status)).toEqual(["skipped", "skipped"]);
    expect(checks[0].storage.detail).toContain("keyless store: no credential was minted");
  });
});
