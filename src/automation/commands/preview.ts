import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { Progress, describeChanges } from "../progress";
import { openStack, prepareStack } from "../session";
import { givenStoreFlags, type StoreFlags } from "../storeFlags";
import type { ChangeSummary } from "../workspace";

export type PreviewArgs = StackArgs & StoreFlags;

export interface PreviewData {
  readonly stack: string;
  readonly changes: ChangeSummary;
}

/** preview: Pulumi's preview of the existing stack, with progress. Writes nothing. */
export async function preview(args: PreviewArgs, deps: Deps): Promise<Outcome<PreviewData>> {
  const flags = givenStoreFlags(args);
  if (flags.length > 0) {
    throw new UsageError(
      flags[0],
      "store flags apply to provision; preview shows the stack config as it is (plan --offline takes flags without writing)",
    );
  }
  const prepared = prepareStack(args, deps);
  if (!prepared.file.existed) {
    throw new UsageError(
      "--stack",
      `stack ${prepared.name} has no config (stacks/Pulumi.${prepared.name}.yaml); provision it, or use plan --offline`,
    );
  }
  const opened = await openStack(prepared, args, deps, "select");
  deps.io.err(`Previewing stack ${prepared.name} …`);
  const progress = new Progress(deps.io.err, deps.now, "preview");
  const result = await opened.stack.preview({ onEvent: progress.onEvent });
  const data = { stack: prepared.name, changes: result.changeSummary };
  return {
    data,
    text: `Preview of stack ${prepared.name}: ${describeChanges(result.changeSummary)}.`,
    exitCode: EXIT.ok,
  };
}
