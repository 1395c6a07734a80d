/**
 * GCP and Azure keyless connectors against real ZenML 0.98 and real google-auth.
 * Real: the project's program (under Pulumi's mock runtime with placeholder
 * outputs, as `plan --offline` runs it), a ZenML 0.98 server (auth on) that
 * stores each connector (verification off: there is no GCP or
 * Azure here, and ZENML_ENABLE_IMPLICIT_AUTH_METHODS is on so the server accepts
 * the implicit method at all), ZenML 0.98's own connector config classes parsing
 * each configuration (the server stores without parsing every field), and
 * google-auth (the venv's) loading the generated
 * credential configuration. Not real: GCP and Azure themselves; no token is
 * exchanged, no pool, provider, identity or role assignment exists anywhere.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateOffline } from "../../src/plan/offline";
import { applyStoreRegistration } from "../../src/zenml/apply";
import { ZenmlClient } from "../../src/zenml/client";
import { registrationDocuments } from "../../src/zenml/documents";
import {
  storeFactsFromRecord,
  storeRegistration,
  type ConnectorAuth,
  type StoreFacts,
} from "../../src/zenml/model";
import { expectNoLeaks, LeakCheck } from "../support/leakCheck";
import { connectorAuth } from "../support/registrations";
import {
  parseLastJsonLine,
  runPython,
  startZenmlServer,
  SUPPORT_DIR,
  type ZenmlServer,
} from "../support/services";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const SUBJECT = "system:serviceaccount:zenml:zenml-server";
const WS = "0c7e6a52-9b3e-4d1f-8a0e-2f4c6b8d0a1e";
const SERVER_SA = "zenml-server@ml-platform-prod.iam.gserviceaccount.com";

let zenml: ZenmlServer;
let client: ZenmlClient;
let stores: Record<string, StoreFacts>;
let dir: string;
const transcript: string[] = [];
const leaks = new LeakCheck();

beforeAll(async () => {
  leaks.captureOutput().text("transcript", transcript);
  dir = mkdtempSync(join(tmpdir(), "zrs-keyless-"));
  const evaluation = await evaluateOffline({
    project: "zenml-remote-storage",
    stack: "keyless",
    config: {
      "gcp:project": "ml-platform-prod",
      "gcp:region": "europe-west1",
      "azure-native:location": "westeurope",
      "zenml-remote-storage:stores": JSON.stringify([
        {
          name: "kl-gcp-oidc",
          backend: "gcp",
          credentials: "external-account",
          workloadIdentity: { issuer: ISSUER, subject: SUBJECT },
        },
        {
          name: "kl-gcp-pro",
          backend: "gcp",
          credentials: "external-account",
          workloadIdentity: { zenmlProWorkspaceId: WS },
        },
        {
          name: "kl-gcp-impl",
          backend: "gcp",
          credentials: "implicit",
          serverServiceAccount: SERVER_SA,
        },
        {
          name: "kl-az-mi",
          backend: "azure",
          credentials: "implicit",
          principalObjectId: "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        },
        {
          name: "kl-az-wi",
          backend: "azure",
          credentials: "implicit",
          workloadIdentity: { issuer: ISSUER, subject: SUBJECT },
        },
      ]),
    },
  });
  stores = Object.fromEntries(
    Object.entries(evaluation.stores).map(([n, raw]) => [n, storeFactsFromRecord(raw, n)]),
  );
  zenml = await startZenmlServer({
    auth: true,
    serverEnv: { ZENML_ENABLE_IMPLICIT_AUTH_METHODS: "true" },
  });
  client = new ZenmlClient({
    url: zenml.url,
    auth: { apiKey: zenml.apiKey! },
    log: (l) => transcript.push(l),
  });
  leaks.secret("ZenML API key", zenml.apiKey).log(zenml.logFile);
}, 900_000);

afterAll(async () => {
  await zenml?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function googleAuth(json: string): Promise<Record<string, unknown>> {
  const r = await runPython(join(SUPPORT_DIR, "google_auth_check.py"), [json], {});
  expect(r.code, r.stderr).toBe(0);
  return parseLastJsonLine(r.stdout) as Record<string, unknown>;
}

describe("keyless connectors: no credential, accepted by ZenML 0.98", () => {
  it.each([
    ["kl-gcp-oidc", "gcp", "external-account", ["external_account_json", "project_id"]],
    ["kl-gcp-pro", "gcp", "external-account", ["external_account_json", "project_id"]],
    ["kl-gcp-impl", "gcp", "implicit", ["project_id"]],
    [
      "kl-az-mi",
      "azure",
      "implicit",
      ["resource_group", "storage_account", "subscription_id", "tenant_id"],
    ],
    [
      "kl-az-wi",
      "azure",
      "implicit",
      ["resource_group", "storage_account", "subscription_id", "tenant_id"],
    ],
  ])(
    "%s: the %s/%s connector is registered (verification off) and ZenML stores it as given",
    async (name, type, method, keys) => {
      const auth: ConnectorAuth = connectorAuth(stores[name]);
      expect(auth).toMatchObject({ type, method });
      expect(Object.keys(auth.configuration).sort()).toEqual(keys);
      // The registration carries no credential at all: an empty map.
      const docs = registrationDocuments(storeRegistration(name, stores[name], {}));
      const ids = await applyStoreRegistration(client, docs);
      const plain = await client.get("connector", ids.credentialsId);
      const res = await fetch(
        `${zenml.url}/api/v1/service_connectors/${ids.credentialsId}?expand_secrets=true`,
        { headers: await zenml.authHeaders() },
      );
      expect(res.status).toBe(200);
      const connector = (await res.json()) as Record<string, Record<string, unknown>>;
      transcript.push(JSON.stringify(connector));
      expect(connector.body.auth_method).toBe(method);
      const stored = connector.metadata.configuration as Record<string, unknown>;
      for (const [k, v] of Object.entries(auth.configuration)) {
        expect(String(stored[k]), k).toBe(v);
      }
      // ZenML's own schema decides what it keeps in its secret store: it marks
      // `external_account_json` as a password field (though it holds no secret), and
      // everything else as plain configuration.
      const plainConfig = (plain.metadata as Record<string, unknown>).configuration as Record<
        string,
        unknown
      >;
      const hidden = keys.filter((k) => plainConfig[k] === undefined);
      expect(hidden).toEqual(method === "external-account" ? ["external_account_json"] : []);
    },
  );

  it("ZenML 0.98's own config classes parse every generated configuration; malformed ones are refused", async () => {
    // The server stores a connector without parsing every field (it accepted a
    // non-UUID tenant_id when tried), so the fields are checked with the pydantic
    // config class of each auth method from ZenML's connector registry.
    const names = ["kl-gcp-oidc", "kl-gcp-pro", "kl-gcp-impl", "kl-az-mi", "kl-az-wi"];
    const items = names.map((n) => {
      const a = connectorAuth(stores[n]);
      return { type: a.type, method: a.method, configuration: a.configuration };
    });
    const az = items[3];
    const controls = [
      { ...az, configuration: { ...az.configuration, tenant_id: "not-a-uuid" } },
      {
        ...items[0],
        configuration: {
          ...items[0].configuration,
          external_account_json: JSON.stringify({ type: "external_account" }),
        },
      },
    ];
    const r = await runPython(
      join(SUPPORT_DIR, "zenml_connector_config_check.py"),
      [JSON.stringify([...items, ...controls])],
      {},
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const { results } = parseLastJsonLine(r.stdout) as {
      results: { ok: boolean; fields?: string[]; error?: string }[];
    };
    transcript.push(JSON.stringify(results));
    expect(results.slice(0, 5).map((x) => x.ok)).toEqual([true, true, true, true, true]);
    expect(results[0].fields).toEqual(
      expect.arrayContaining(["external_account_json", "project_id"]),
    );
    expect(results[3].fields).toEqual([
      "resource_group",
      "storage_account",
      "subscription_id",
      "tenant_id",
    ]);
    expect(results[5]).toMatchObject({ ok: false });
    expect(results[5].error).toMatch(/tenant_id/);
    expect(results[6]).toMatchObject({ ok: false });
    expect(results[6].error).toMatch(/token_url|subject_token_type/);
  });

  it.each(["kl-gcp-oidc", "kl-gcp-pro"])(
    "%s: google-auth loads the credential configuration, field by field",
    async (name) => {
      const json = connectorAuth(stores[name]).configuration.external_account_json;
      const generated = JSON.parse(json) as Record<string, unknown>;
      const loaded = await googleAuth(json);
      transcript.push(JSON.stringify(loaded));
      expect(loaded.secret_fields).toEqual([]);
      const info = loaded.info as Record<string, unknown>;
      for (const field of [
        "type",
        "audience",
        "subject_token_type",
        "token_url",
        "service_account_impersonation_url",
        "credential_source",
      ]) {
        expect(info[field], field).toEqual(generated[field]);
      }
      expect(loaded.service_account_email).toMatch(
        /^zenml-kl-gcp-[a-z]+-[0-9a-f]{8}@ml-platform-prod\.iam\.gserviceaccount\.com$/,
      );
      expect(loaded.class).toBe(
        name === "kl-gcp-oidc"
          ? "google.auth.identity_pool.Credentials"
          : "google.auth.aws.Credentials",
      );
      expect(generated.audience).toMatch(
        /^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/,
      );
    },
  );

  it("leak check: nothing secret in output or the server log", () => {
    expectNoLeaks(leaks, { texts: 1, logs: 1 });
  });
});
