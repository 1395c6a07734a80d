/**
 * Helpers for the rotation and idempotence mocks tests: runs the real program
 * (src/index.ts) under Pulumi's mock runtime with mocks whose computed outputs
 * depend on the resource's name (so each key version has its own secret), and
 * a plan of what Pulumi's engine would do between two runs. No engine, no
 * provider, no cloud: the plan is computed from what the program registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { setProgramConfig } from "../support/programConfig";

// Resource inputs are untyped property bags.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
}

/** How the SDK marks a secret on the wire (rpc.ts specialSigKey / specialSecretSig). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The fake secret a key resource of this logical name gets. */
export function secretOf(resourceName: string): string {
  return `secret-of-${resourceName}`;
}

function computed(type: string, name: string, inputs: Inputs): Inputs {
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "minio:index/s3Bucket:S3Bucket": {
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix}0001`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "aws:iam/user:User":
      return { arn: `arn:aws:iam::123456789012:user/${inputs.name}` };
    case "aws:iam/role:Role":
      return { name: `${name}-r`, arn: `arn:aws:iam::123456789012:role/${name}-r` };
    case "aws:iam/accessKey:AccessKey":
      return { secret: secretOf(name) };
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${inputs.project}.iam.gserviceaccount.com`;
      return {
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${inputs.project}/serviceAccounts/${email}`,
      };
    }
    case "gcp:serviceaccount/key:Key":
      return {
        privateKey: Buffer.from(JSON.stringify({ private_key: secretOf(name) })).toString("base64"),
      };
    case "azure-native:resources:ResourceGroup":
      return { name: inputs.resourceGroupName };
    case "azure-native:storage:StorageAccount":
      return {
        name: inputs.accountName,
        primaryEndpoints: { blob: `https://${inputs.accountName}.blob.core.windows.net/` },
      };
    case "azure-native:storage:BlobContainer":
      return { name: inputs.containerName };
    case "azuread:index/application:Application":
      return { clientId: "00000000-0000-4000-8000-00000000c11d" };
    case "azuread:index/servicePrincipal:ServicePrincipal":
      return { objectId: "00000000-0000-4000-8000-0000000005b0" };
    case "azuread:index/applicationPassword:ApplicationPassword":
      return { value: secretOf(name) };
    case "minio:index/iamServiceAccount:IamServiceAccount":
      return { accessKey: `AK-${name}`, secretKey: secretOf(name) };
    default:
      return {};
  }
}

function call(token: string, inputs: Inputs): Inputs {
  switch (token) {
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", id: "aws" };
    case "azure-native:authorization:getClientConfig":
    case "azuread:index/getClientConfig:getClientConfig":
      return {
        clientId: "00000000-0000-4000-8000-00000000d3d3",
        objectId: "00000000-0000-4000-8000-00000000de91",
        subscriptionId: "00000000-0000-4000-8000-000000005ab5",
        tenantId: "00000000-0000-4000-8000-00000000e7a7",
      };
    case "azure-native:storage:listStorageAccountServiceSAS":
      return { serviceSasToken: `sv=2015-04-05&sr=c&se=${inputs.sharedAccessExpiryTime}&sig=mock` };
    default:
      throw new Error(`unexpected invoke ${token} ${JSON.stringify(inputs)}`);
  }
}

/** One store of each backend whose credential this project mints. */
export const ROTATABLE_STORES = [
  { name: "s3-keyed", backend: "aws", region: "eu-west-1" },
  { name: "s3-roled", backend: "aws", region: "eu-west-1", credentials: "iam-role" },
  { name: "gcs-keyed", backend: "gcp", project: "my-project-1", location: "EU" },
  { name: "az-sp", backend: "azure", location: "westeurope" },
  {
    name: "mn-store",
    backend: "s3-compatible",
    endpoint: "https://minio.example.com",
    pathStyle: true,
  },
] as const;

/** Each store's key resource: type and the logical name of version 1. */
export const KEY_RESOURCES: Record<string, { type: string; base: string }> = {
  "s3-keyed": { type: "aws:iam/accessKey:AccessKey", base: "s3-keyed-key" },
  "s3-roled": { type: "aws:iam/accessKey:AccessKey", base: "s3-roled-key" },
  "gcs-keyed": { type: "gcp:serviceaccount/key:Key", base: "gcs-keyed-key" },
  "az-sp": { type: "azuread:index/applicationPassword:ApplicationPassword", base: "az-sp-secret" },
  "mn-store": { type: "minio:index/iamServiceAccount:IamServiceAccount", base: "mn-store-key" },
};

export const MINIO_ADMIN = { accessKeyId: "minioadmin", secretAccessKey: "minio-admin-secret" };

/** Stack config for the rotatable stores, each with `over` merged in. */
export function storesConfig(
  over: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    "zenml-remote-storage:stores": ROTATABLE_STORES.map((s) => ({ ...s, ...over })),
    "zenml-remote-storage:storeSecrets": { "mn-store": MINIO_ADMIN },
    ...extra,
  };
}

export interface ProgramRun {
  readonly registered: Registration[];
  readonly outputs: Record<string, unknown>;
}

/** Runs the real program once under fresh mocks with `config`; resolves every output. */
export async function runProgram(config: Record<string, unknown>): Promise<ProgramRun> {
  const registered: Registration[] = [];
  setProgramConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const id =
          args.type === "aws:iam/accessKey:AccessKey" ? `AKIA-${args.name}` : `${args.name}-id`;
        return { id, state: { ...args.inputs, ...computed(args.type, args.name, args.inputs) } };
      },
      call: (args) => call(args.token, args.inputs),
    },
    "zenml-remote-storage",
    "rotation",
    false,
  );
  const program = (await import("../../src/index")).default;
  const result = await program();
  const outputs = await new Promise<Record<string, unknown>>((done) =>
    pulumi.output(result).apply((v) => done(v as Record<string, unknown>)),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
  return { registered, outputs };
}

export type Op = "create" | "update" | "same" | "delete";

/**
 * Inputs the program tells the engine to ignore (`ignoreChanges`), which the
 * mocks cannot see: an Azure client secret's computed default expiry (one year
 * from now) must not replace the secret on every run.
 */
export const IGNORED_CHANGES: Readonly<Record<string, readonly string[]>> = {
  "azuread:index/applicationPassword:ApplicationPassword": ["endDate"],
};

export interface PlannedStep {
  readonly op: Op;
  readonly type: string;
  readonly name: string;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Inputs).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * What Pulumi's engine would do going from `prev` to `next` (both full
 * registrations of the program): a resource (type + name) only in `next` is
 * created, one in both is unchanged or updated by its inputs, and one only in
 * `prev` is deleted — and the engine deletes those at the end of the update,
 * after every create and update. The steps are returned in that order.
 */
export function planChanges(
  prev: readonly Registration[],
  next: readonly Registration[],
  ignoreChanges: Readonly<Record<string, readonly string[]>> = IGNORED_CHANGES,
): PlannedStep[] {
  const key = (r: Registration) => `${r.type}::${r.name}`;
  const compared = (r: Registration): Inputs =>
    Object.fromEntries(
      Object.entries(r.inputs).filter(([k]) => !(ignoreChanges[r.type] ?? []).includes(k)),
    );
  const before = new Map(prev.map((r) => [key(r), r]));
  const after = new Set(next.map(key));
  const steps: PlannedStep[] = next.map((r) => {
    const old = before.get(key(r));
    const op: Op =
      old === undefined
        ? "create"
        : canonical(compared(old)) === canonical(compared(r))
          ? "same"
          : "update";
    return { op, type: r.type, name: r.name };
  });
  for (const r of [...prev].reverse()) {
    if (!after.has(key(r))) steps.push({ op: "delete", type: r.type, name: r.name });
  }
  return steps;
}

export function stepsOf(steps: readonly PlannedStep[], op: Op): string[] {
  return steps.filter((s) => s.op === op).map((s) => s.name);
}
