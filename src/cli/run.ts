import type { Deps, Io, Outcome } from "../automation/context";
import { CliError, EXIT } from "../automation/errors";

/** State shared by the yargs wiring and `main`: dependencies, output, the exit code. */
export interface CliContext {
  readonly io: Io;
  readonly deps: () => Deps;
  exitCode: number;
  json: boolean;
  debug: boolean;
}

export type Handler<A> = (args: A, deps: Deps) => Promise<Outcome>;

/** Runs one command's handler (loaded lazily) and prints its outcome. */
export async function runHandler<A extends { json?: boolean; debug?: boolean }>(
  ctx: CliContext,
  args: A,
  load: () => Promise<Handler<A>>,
): Promise<void> {
  ctx.json = args.json === true;
  ctx.debug = args.debug === true;
  const handler = await load();
  const outcome = await handler(args, ctx.deps());
  ctx.exitCode = outcome.exitCode;
  if (ctx.json) {
    ctx.io.out(
      JSON.stringify(
        { ok: outcome.exitCode === EXIT.ok, exitCode: outcome.exitCode, result: outcome.data },
        null,
        2,
      ),
    );
  } else {
    ctx.io.out(outcome.text);
  }
}

/** One line for any error; the exit code it maps to. */
export function reportError(ctx: CliContext, err: unknown): number {
  const known = err instanceof CliError;
  const code = known ? err.exitCode : EXIT.failure;
  const message = ((err as Error)?.message ?? String(err)).split("\n")[0].trim() || "unknown error";
  ctx.io.err(`error: ${message}`);
  if (!known && ctx.debug && (err as Error)?.stack) ctx.io.err((err as Error).stack!);
  if (!known && !ctx.debug) ctx.io.err("(unexpected error; run with --debug for the stack trace)");
  if (ctx.json) ctx.io.out(JSON.stringify({ ok: false, exitCode: code, error: message }));
  return code;
}
