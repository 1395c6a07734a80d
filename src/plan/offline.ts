import { INVOKES, placeholderResource, type PlaceholderContext } from "./placeholders";

type Json = Record<string, unknown>;

/** One resource the program registered during offline evaluation. */
export interface PlannedResource {
  readonly type: string;
  /** The logical (Pulumi) name. */
  readonly name: string;
  /** False for component resources (groupings, nothing is created in the cloud). */
  readonly custom: boolean;
  readonly inputs: Json;
  /** Inputs plus placeholder provider-computed outputs. */
  readonly state: Json;
  readonly id: string;
}

export interface OfflineEvaluation {
  readonly resources: readonly PlannedResource[];
  /** The program's plain `stores` output. */
  readonly stores: Readonly<Record<string, Json>>;
  /** The names of each store's credential fields (the secret `credentials` output); never values. */
  readonly credentialFields?: Readonly<Record<string, readonly string[]>>;
  /** Invokes the program made, and those with no placeholder (their results are empty). */
  readonly invokes: readonly string[];
  readonly unmockedInvokes: readonly string[];
  /** Every invoke with its inputs, in order (e.g. SAS tokens minted by an invoke). */
  readonly invokeCalls?: readonly InvokeCall[];
}

export interface InvokeCall {
  readonly token: string;
  readonly inputs: Json;
}

/** A program failure during offline evaluation, e.g. a config rule the program enforces. */
export class ProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProgramError";
  }
}

export interface OfflineOptions {
  readonly project: string;
  readonly stack: string;
  /** Runtime config by full key; structured values as JSON strings. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys?: readonly string[];
  /** The program's default export; the project's own program when omitted. */
  readonly program?: () => Promise<unknown>;
}

/**
 * Runs the Pulumi program under Pulumi's mock runtime: no engine, no CLI, no
 * provider plugins, no credentials, no network. Every resource registration
 * is recorded and answered with placeholder outputs. Once per process: the
 * mock runtime is global.
 */
export async function evaluateOffline(opts: OfflineOptions): Promise<OfflineEvaluation> {
  const pulumi = await import("@pulumi/pulumi");
  const resources: PlannedResource[] = [];
  const invokes = new Set<string>();
  const unmocked = new Set<string>();
  const invokeCalls: InvokeCall[] = [];
  const ctx: PlaceholderContext = { config: opts.config };

  pulumi.runtime.setAllConfig({ ...opts.config }, [...(opts.secretKeys ?? [])]);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Json;
        const custom = args.custom !== false;
        const { id, state } = custom
          ? placeholderResource(args.type, args.name, inputs, ctx)
          : { id: "", state: inputs };
        resources.push({ type: args.type, name: args.name, custom, inputs, state, id });
        return { id: custom ? id : undefined, state };
      },
      call(args) {
        invokes.add(args.token);
        invokeCalls.push({ token: args.token, inputs: { ...((args.inputs ?? {}) as Json) } });
        const fn = INVOKES[args.token];
        if (fn === undefined) {
          unmocked.add(args.token);
          return {};
        }
        return fn((args.inputs ?? {}) as Json, ctx);
      },
    },
    opts.project,
    opts.stack,
    false,
  );

  // Errors inside outputs' callbacks surface as rejections nobody awaits; collect them.
  const stray: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    stray.push(reason);
  };
  process.on("unhandledRejection", onRejection);
  try {
    const program =
      opts.program ??
      ((await import("../index")) as unknown as { default: () => Promise<unknown> }).default;
    let outputs: unknown;
    try {
      outputs = await program();
    } catch (err) {
      throw new ProgramError(programMessage(err));
    }
    const stores = await resolve((outputs as Json | undefined)?.stores);
    // Only the field names leave this function; the placeholder values are dropped here.
    const credentials = await resolve((outputs as Json | undefined)?.credentials);
    const credentialFields = Object.fromEntries(
      Object.entries(
        typeof credentials === "object" && credentials !== null ? (credentials as Json) : {},
      ).map(([store, fields]) => [
        store,
        Object.keys(typeof fields === "object" && fields !== null ? fields : {}).sort(),
      ]),
    );
    await settle();
    if (stray.length > 0) throw new ProgramError(programMessage(stray[0]));
    return {
      resources,
      stores: (stores ?? {}) as Record<string, Json>,
      credentialFields,
      invokes: [...invokes].sort(),
      unmockedInvokes: [...unmocked].sort(),
      invokeCalls,
    };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

function programMessage(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.split("\n")[0];
}

interface OutputInternals {
  promise(): Promise<unknown>;
  isKnown: Promise<boolean>;
}

async function resolve(value: unknown): Promise<unknown> {
  const pulumi = await import("@pulumi/pulumi");
  const out = pulumi.output(value) as unknown as OutputInternals;
  try {
    return (await out.isKnown) ? await out.promise() : undefined;
  } catch (err) {
    throw new ProgramError(programMessage(err));
  }
}

async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}
