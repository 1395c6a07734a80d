import * as pulumi from "@pulumi/pulumi";

// Resource inputs are untyped property bags; tests index into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

/** One resource the program registered under the mock runtime. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
}

export const ACCOUNT_ID = "123456789012";
export const FAKE_SECRET_ACCESS_KEY = "mock-secret-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** Outputs a provider would compute, for the resource types the program creates. */
function computed(type: string, name: string, inputs: Inputs): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = inputs.bucket ?? `${inputs.bucketPrefix}20261126000000000000000001`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket };
    }
    case "aws:iam/user:User":
      return { arn: `arn:aws:iam::${ACCOUNT_ID}:user/${inputs.name}` };
    case "aws:iam/role:Role":
      return { name: `${name}-1a2b3c4`, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}-1a2b3c4` };
    case "aws:iam/accessKey:AccessKey":
      return { secret: FAKE_SECRET_ACCESS_KEY };
    default:
      return {};
  }
}

/**
 * Installs Pulumi's mock runtime, recording every registration. Import the
 * code under test only after awaiting this.
 */
export async function installMocks(
  options: {
    preview?: boolean;
    config?: Record<string, unknown>;
  } = {},
): Promise<Registered[]> {
  const registered: Registered[] = [];
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(options.config ?? {}).map(([k, v]) => [
        k,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ),
  );
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        // In preview, provider-computed outputs are unknown: return inputs only.
        const state = options.preview
          ? args.inputs
          : { ...args.inputs, ...computed(args.type, args.name, args.inputs) };
        const id =
          args.type === "aws:iam/accessKey:AccessKey" ? "AKIAMOCKMOCKMOCK0001" : `${args.name}-id`;
        return { id: options.preview ? "" : id, state };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    "zenml-remote-storage",
    "test",
    options.preview ?? false,
  );
  return registered;
}

// The SDK's Output keeps its value and knownness behind these promises.
interface OutputInternals<T> {
  promise(): Promise<T>;
  isKnown: Promise<boolean>;
}

/** Resolves an output (or plain value); undefined when unknown (preview). */
export async function unwrap<T>(value: pulumi.Input<T> | undefined): Promise<T | undefined> {
  const output = pulumi.output(value) as unknown as OutputInternals<T>;
  return (await output.isKnown) ? output.promise() : undefined;
}

/** Whether the output is known (not a preview unknown). */
export function isKnown<T>(value: pulumi.Output<T>): Promise<boolean> {
  return (value as unknown as OutputInternals<T>).isKnown;
}

/** The one resource of a type (and name, when given); fails on none or several. */
export function only(registered: Registered[], type: string, name?: string): Registered {
  const found = registered.filter(
    (r) => r.type === type && (name === undefined || r.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  }
  return found[0];
}

export function ofType(registered: Registered[], type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

/** Waits until every pending resource registration has reached the mocks. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
