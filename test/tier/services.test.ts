// Tier: the harness itself. Starts a real moto server (IAM enforcement on) and real ZenML
// 0.98.0 servers, and checks what the other tier tests rely on. Needs the Python venv
// (scripts/setup-test-env.sh). If a service cannot start, every test here FAILS with the
// start-up error (nothing is skipped).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { awsQuery } from "../support/sigv4";
import {
  motoAdmin,
  runPipeline,
  runZenml,
  startMoto,
  startZenmlServer,
  type MotoServer,
  type ZenmlServer,
} from "../support/services";

const ZENML_VERSION = "0.98.0";

/** Start-up result shared by the tests: either the value or the error it failed with. */
function lazy<T>(): {
  set: (p: Promise<T>) => Promise<void>;
  get: () => T;
} {
  let value: T | undefined;
  let error: unknown = new Error("service was not started (beforeAll did not run)");
  return {
    async set(p) {
      try {
        value = await p;
        error = undefined;
      } catch (err) {
        error = err;
      }
    },
    get() {
      if (error !== undefined) throw error;
      return value as T;
    },
  };
}

describe("moto + ZenML server (auth on)", () => {
  const moto = lazy<MotoServer>();
  const zenml = lazy<ZenmlServer>();

  beforeAll(async () => {
    await moto.set(startMoto());
    let endpoint: string | undefined;
    try {
      endpoint = moto.get().endpoint;
    } catch {
      endpoint = undefined;
    }
    await zenml.set(startZenmlServer({ auth: true, awsEndpointUrl: endpoint }));
  });

  afterAll(async () => {
    const stops: Promise<void>[] = [];
    for (const s of [zenml, moto]) {
      try {
        stops.push(s.get().stop());
      } catch {
        // never started
      }
    }
    await Promise.all(stops);
  });

  test("ZenML server is healthy and reports version 0.98.0 over REST", async () => {
    const z = zenml.get();
    const health = await fetch(`${z.url}/health`);
    expect(health.status).toBe(200);
    const info = (await (await fetch(`${z.url}/api/v1/info`)).json()) as Record<string, unknown>;
    expect(info.version).toBe(ZENML_VERSION);
    expect(info.auth_scheme).toBe("OAUTH2_PASSWORD_BEARER");
    expect(info.active).toBe(true);
    expect(z.version).toBe(ZENML_VERSION);
  });

  test("ZenML server rejects anonymous calls and accepts the service-account API key", async () => {
    const z = zenml.get();
    expect(z.apiKey).toMatch(/^ZENKEY_/);
    const anon = await fetch(`${z.url}/api/v1/stacks`);
    expect(anon.status).toBe(401);
    const res = await fetch(`${z.url}/api/v1/stacks?name=default`, {
      headers: await z.authHeaders(),
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { total: number; items: { name: string }[] };
    expect(page.items.map((s) => s.name)).toEqual(["default"]);
  });

  test("the zenml CLI connects non-interactively with the returned env", async () => {
    const z = zenml.get();
    expect(z.env.ZENML_STORE_URL).toBe(z.url);
    expect(z.env.ZENML_STORE_API_KEY).toBe(z.apiKey);
    const r = await runZenml(["stack", "list"], z.env, { timeoutMs: 120_000 });
    expect(r.code, `zenml stack list failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("default");
  });

  test("moto refuses an unsigned request", async () => {
    const m = moto.get();
    const r = await awsQuery(m.endpoint, m.region, "sts", "GetCallerIdentity", "2011-06-15", {});
    // moto 5.2.5 answers a request without an Authorization header with HTTP 500.
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body).not.toContain("GetCallerIdentityResult");
  });

  test("moto refuses a signed request with an unknown access key", async () => {
    const m = moto.get();
    const creds = { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "not-a-real-secret" };
    const sts = await awsQuery(
      m.endpoint,
      m.region,
      "sts",
      "GetCallerIdentity",
      "2011-06-15",
      {},
      creds,
    );
    expect(sts.status).toBe(403);
    expect(sts.body).toContain("InvalidClientTokenId");
    const iam = await awsQuery(m.endpoint, m.region, "iam", "ListUsers", "2010-05-08", {}, creds);
    expect(iam.status).toBe(403);
  });

  test("moto refuses the admin key id with a wrong secret", async () => {
    const m = moto.get();
    const creds = { accessKeyId: m.admin.accessKeyId, secretAccessKey: "wrong-secret" };
    const r = await awsQuery(m.endpoint, m.region, "iam", "ListUsers", "2010-05-08", {}, creds);
    expect(r.status).toBe(403);
    expect(r.body).toContain("SignatureDoesNotMatch");
  });

  test("pipeline.py stores its artifacts in a moto bucket through an aws connector", async () => {
    const m = moto.get();
    const z = zenml.get();
    await motoAdmin(m, ["create-bucket", "harness-artifacts"]);
    // moto checks HeadBucket (used by ZenML's connector verification) as "s3:HeadBucket".
    const user = (await motoAdmin(m, [
      "create-bucket-user",
      "--bucket",
      "harness-artifacts",
      "--bucket-action",
      "s3:HeadBucket",
      "harness-user",
    ])) as { accessKeyId: string; secretAccessKey: string };
    const headers = { ...(await z.authHeaders()), "Content-Type": "application/json" };
    const post = async (path: string, body: unknown): Promise<{ id: string }> => {
      const res = await fetch(`${z.url}/api/v1/${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `POST ${path}: ${text}`).toBe(200);
      return JSON.parse(text) as { id: string };
    };
    const connector = await post("service_connectors", {
      name: "harness-s3",
      connector_type: "aws",
      auth_method: "secret-key",
      resource_types: ["s3-bucket"],
      resource_id: "s3://harness-artifacts",
      configuration: {
        region: m.region,
        endpoint_url: m.endpoint,
        aws_access_key_id: user.accessKeyId,
        aws_secret_access_key: user.secretAccessKey,
      },
      labels: {},
    });
    const verify = await fetch(
      `${z.url}/api/v1/service_connectors/${connector.id}/verify?resource_type=s3-bucket&resource_id=s3://harness-artifacts`,
      { method: "PUT", headers },
    );
    const verified = (await verify.json()) as { error: string | null };
    expect(verified.error).toBeNull();
    const orchestrators = (await (
      await fetch(`${z.url}/api/v1/components?type=orchestrator&name=default`, { headers })
    ).json()) as { items: { id: string }[] };
    const store = await post("components", {
      name: "harness-store",
      type: "artifact_store",
      flavor: "s3",
      configuration: { path: "s3://harness-artifacts" },
      connector: connector.id,
      connector_resource_id: "s3://harness-artifacts",
    });
    await post("stacks", {
      name: "harness-stack",
      components: { artifact_store: [store.id], orchestrator: [orchestrators.items[0]?.id] },
    });

    // z.env already carries AWS_ENDPOINT_URL=<moto> (startZenmlServer's awsEndpointUrl).
    expect(z.env.AWS_ENDPOINT_URL).toBe(m.endpoint);
    const run = await runPipeline(z.env, { stack: "harness-stack" });
    expect(run.status).toBe("completed");
    expect(run.loaded).toBe("hello from step 1 -> sum=6");
    expect(run.artifact_uris.length).toBe(2);
    for (const uri of run.artifact_uris)
      expect(uri.startsWith("s3://harness-artifacts/")).toBe(true);
    const listed = (await motoAdmin(m, ["list-objects", "harness-artifacts"])) as {
      keys: string[];
    };
    for (const uri of run.artifact_uris) {
      const prefix = uri.slice("s3://harness-artifacts/".length);
      expect(listed.keys.some((k) => k.startsWith(prefix))).toBe(true);
    }
  });

  test("moto accepts the bootstrapped admin key (STS and IAM)", async () => {
    const m = moto.get();
    expect(m.admin.accessKeyId).toMatch(/^AKIA/);
    const sts = await awsQuery(
      m.endpoint,
      m.region,
      "sts",
      "GetCallerIdentity",
      "2011-06-15",
      {},
      m.admin,
    );
    expect(sts.status, sts.body).toBe(200);
    expect(sts.body).toContain(m.admin.arn);
    const iam = await awsQuery(m.endpoint, m.region, "iam", "ListUsers", "2010-05-08", {}, m.admin);
    expect(iam.status, iam.body).toBe(200);
    expect(iam.body).toContain("<UserName>admin</UserName>");
  });
});

describe("ZenML server (no auth)", () => {
  const zenml = lazy<ZenmlServer>();

  beforeAll(async () => {
    await zenml.set(startZenmlServer());
  });

  afterAll(async () => {
    try {
      await zenml.get().stop();
    } catch {
      // never started
    }
  });

  test("serves the API without credentials and reports version 0.98.0", async () => {
    const z = zenml.get();
    const info = (await (await fetch(`${z.url}/api/v1/info`)).json()) as Record<string, unknown>;
    expect(info.version).toBe(ZENML_VERSION);
    expect(info.auth_scheme).toBe("NO_AUTH");
    const me = await fetch(`${z.url}/api/v1/current-user`);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { name: string }).name).toBe("default");
    expect(z.apiKey).toBeUndefined();
    expect(z.env.ZENML_STORE_API_KEY).toBeUndefined();
  });
});
