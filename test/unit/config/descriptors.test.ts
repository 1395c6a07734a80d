// The backend descriptors against the code that reads them: every mode a
// descriptor lists is one the parser accepts (and no other), its kind says
// whether rotation applies and whether it is keyless, the registration model's
// flavors and path schemes are the descriptors', and every store flag's config
// path round-trips through the flag translation and the parser.
import { describe, expect, it } from "vitest";
import { applyStoreFlags, validateDeployment } from "../../../src/automation/storeFlags";
import { verifierFor } from "../../../src/verify";
import { STORE_OPTIONS } from "../../../src/cli/options";
import {
  BACKEND_DESCRIPTORS,
  credentialModes,
  descriptorOf,
  isKeyless,
  modesOfKind,
  STORE_FLAGS,
} from "../../../src/config/backends";
import { ConfigError } from "../../../src/config/errors";
import { parseDeployment } from "../../../src/config/parse";
import { isRotatable } from "../../../src/config/rotation";
import { BACKENDS, type Backend, type StoreConfig } from "../../../src/config/types";
import { ARTIFACT_STORE_FLAVORS, ARTIFACT_STORE_PATH_SCHEMES } from "../../../src/zenml/model";

const UUID = "8d6f0c4e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";

/** The fewest keys a valid store of each backend needs. */
const MINIMAL: Readonly<Record<Backend, Record<string, unknown>>> = {
  aws: { region: "eu-west-1" },
  gcp: { project: "my-project-1", location: "europe-west1" },
  azure: { location: "westeurope" },
  "s3-compatible": { endpoint: "https://minio.example.com:9000" },
};

/** What each mode needs on top (none for most). */
const MODE_KEYS: Readonly<Record<string, Record<string, unknown>>> = {
  "aws/implicit": { trustedPrincipals: ["arn:aws:iam::123456789012:role/zenml-server"] },
  "gcp/impersonation": {
    impersonator: "serviceAccount:zenml-source@my-project-1.iam.gserviceaccount.com",
  },
  "gcp/external-account": {
    workloadIdentity: {
      issuer: "https://issuer.example.com",
      subject: "system:serviceaccount:z:z",
    },
  },
  "gcp/implicit": { serverServiceAccount: "zenml-server@my-project-1.iam.gserviceaccount.com" },
  "azure/sas": { sasExpiry: "2999-01-01T00:00:00Z" },
  "azure/implicit": { principalObjectId: UUID },
  "s3-compatible/existing-credentials": { bucket: { name: "zenml-bucket" } },
};

function store(backend: Backend, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: "the-store", backend, ...MINIMAL[backend], ...over };
}

function parseOne(raw: Record<string, unknown>): StoreConfig {
  return parseDeployment({ stores: [raw] }).stores[0];
}

function parseError(raw: Record<string, unknown>): ConfigError {
  try {
    parseOne(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("parsed");
}

const MODES = BACKENDS.flatMap((b) => credentialModes(b).map((m) => [b, m] as const));

describe("backend descriptors", () => {
  it.each(BACKENDS)("%s: the registry key is the descriptor's backend", (b) => {
    expect(BACKEND_DESCRIPTORS[b].backend).toBe(b);
  });

  it.each(MODES)("%s: the parser accepts mode %s", (b, mode) => {
    const parsed = parseOne(store(b, { credentials: mode, ...MODE_KEYS[`${b}/${mode}`] }));
    expect(parsed.backend).toBe(b);
    expect(parsed.credentials).toBe(mode);
  });

  it.each(BACKENDS)("%s: no credentials means the descriptor's default", (b) => {
    expect(credentialModes(b)).toContain(BACKEND_DESCRIPTORS[b].defaultCredentials);
    expect(parseOne(store(b)).credentials).toBe(BACKEND_DESCRIPTORS[b].defaultCredentials);
  });

  it.each(BACKENDS)("%s: any other mode is refused, naming the descriptor's modes", (b) => {
    const err = parseError(store(b, { credentials: "no-such-mode" }));
    expect(err.key).toBe("stores[0].credentials");
    expect(err.rule).toContain(credentialModes(b).join(", "));
  });

  it.each(MODES)("%s/%s: rotation applies exactly to a minted key", (b, mode) => {
    const minted = descriptorOf(b).credentials[mode] === "minted-key";
    expect(isRotatable(b, mode)).toBe(minted);
    const raw = store(b, {
      credentials: mode,
      credentialGeneration: 2,
      ...MODE_KEYS[`${b}/${mode}`],
    });
    if (minted) expect(parseOne(raw).rotation?.generation).toBe(2);
    else expect(parseError(raw).key).toBe("stores[0].credentialGeneration");
  });

  it.each(MODES)("%s/%s: keyless exactly when the descriptor says so", (b, mode) => {
    expect(isKeyless(b, mode)).toBe(modesOfKind(b, "keyless").includes(mode));
  });

  it.each(BACKENDS)("%s: its own store keys are accepted, others' refused", (b) => {
    const err = parseError(store(b, { noSuchKey: 1 }));
    expect(err.key).toBe("stores[0].noSuchKey");
    for (const k of BACKEND_DESCRIPTORS[b].storeKeys) expect(err.rule).toContain(k);
  });

  it.each(BACKENDS)("%s: flavor and path schemes are the registration model's", (b) => {
    const { flavor, pathSchemes } = BACKEND_DESCRIPTORS[b].zenml;
    expect(ARTIFACT_STORE_FLAVORS).toContain(flavor);
    expect(ARTIFACT_STORE_PATH_SCHEMES[flavor]).toEqual(pathSchemes);
  });

  it.each(BACKENDS)("%s: a verifier is loaded for its protocol", async (b) => {
    expect(await verifierFor(b)).toBeDefined();
  });

  it("no verifier for an unknown backend", async () => {
    expect(await verifierFor("nope")).toBeUndefined();
  });

  it.each(BACKENDS)("%s: the bucket rule is the parser's", (b) => {
    const bad = "-Not_A_Bucket-";
    const rule = BACKEND_DESCRIPTORS[b].names.bucket(bad);
    expect(rule).toBeDefined();
    const err = parseError(store(b, { bucket: { name: bad } }));
    expect(err).toMatchObject({ key: "stores[0].bucket.name", rule: `"${bad}" ${rule}` });
  });

  it.each(BACKENDS)("%s: the identity name is stable, distinct per stack", (b) => {
    const identity = BACKEND_DESCRIPTORS[b].names.identity;
    expect(identity("p", "dev", "the-store")).toBe(identity("p", "dev", "the-store"));
    expect(identity("p", "dev", "the-store")).not.toBe(identity("p", "prod", "the-store"));
  });
});

/** A valid value for each store flag and what the parsed store holds for it. */
const FLAG_SAMPLES: Readonly<Record<string, { value: unknown; parsed: unknown }>> = {
  "store-name": { value: "the-store", parsed: "the-store" },
  backend: { value: undefined, parsed: undefined },
  credentials: { value: undefined, parsed: undefined },
  "zenml-stack": { value: "ml-stack", parsed: "ml-stack" },
  region: { value: "eu-west-2", parsed: "eu-west-2" },
  "bucket-name": { value: "zenml-artifacts-1", parsed: "zenml-artifacts-1" },
  "adopt-bucket": { value: false, parsed: false },
  "force-destroy": { value: true, parsed: true },
  versioning: { value: true, parsed: true },
  "encryption-key": { value: undefined, parsed: undefined },
  tag: { value: ["team=ml"], parsed: { team: "ml" } },
};

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function at(obj: unknown, dotted: string): unknown {
  return dotted
    .split(".")
    .reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], obj);
}

/** The backends a flag applies to: those whose descriptor lists it, else every one. */
function backendsOf(flag: string): Backend[] {
  const own = BACKENDS.filter((b) => descriptorOf(b).storeFlags.some((f) => f.flag === flag));
  return own.length > 0 ? own : [...BACKENDS];
}

const FLAG_CASES = STORE_FLAGS.flatMap((f) => backendsOf(f.flag).map((b) => [f.flag, b] as const));

describe("store flags", () => {
  it("every store flag has a sample here", () => {
    expect(Object.keys(FLAG_SAMPLES).sort()).toEqual(STORE_FLAGS.map((f) => f.flag).sort());
  });

  it("the CLI offers each store flag with the descriptors' text", () => {
    for (const f of STORE_FLAGS) {
      expect(STORE_OPTIONS[f.flag as keyof typeof STORE_OPTIONS]).toMatchObject({
        type: f.type,
        describe: f.describe,
      });
    }
    expect(STORE_OPTIONS.region.describe).toBe("Region of the bucket (aws, s3-compatible)");
    expect(STORE_OPTIONS.backend.choices).toEqual(BACKENDS);
  });

  it.each(FLAG_CASES)("--%s round-trips through the parser (%s)", (flag, b) => {
    const f = STORE_FLAGS.find((x) => x.flag === flag)!;
    const sample = {
      ...FLAG_SAMPLES[flag],
      ...(flag === "backend" ? { value: b, parsed: b } : {}),
      ...(flag === "credentials"
        ? { value: credentialModes(b)[0], parsed: credentialModes(b)[0] }
        : {}),
      ...(flag === "encryption-key" ? encryptionKeySample(b) : {}),
    };
    if (sample.value === undefined) return; // encryption-key on a backend without customer keys
    const raw = { stores: [store(b)] };
    const flagged = applyStoreFlags(raw, {
      storeName: "the-store",
      ...(flag === "adopt-bucket" ? { bucketName: "zenml-artifacts-1" } : {}),
      [camel(flag)]: sample.value,
    });
    expect(flagged.flags).toContain(`--${flag}`);
    const parsed = validateDeployment(flagged, { providerConfig: {} }, "test").stores;
    const target = parsed[flagged.storeIndex!];
    expect(at(target, f.configPath)).toEqual(sample.parsed);
  });
});

/** A customer key each backend's descriptor accepts; none where it has no rule. */
function encryptionKeySample(b: Backend): { value: unknown; parsed: unknown } {
  const keys: Readonly<Record<Backend, string | undefined>> = {
    aws: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
    gcp: "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k",
    azure: "https://vault-1.vault.azure.net/keys/key-1",
    "s3-compatible": undefined,
  };
  expect(keys[b] !== undefined).toBe(descriptorOf(b).customerKey !== undefined);
  return { value: keys[b], parsed: keys[b] };
}
