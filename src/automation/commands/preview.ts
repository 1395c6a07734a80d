import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { describeChanges } from "../progress";
import { prepareSession } from "../session";
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
  const session = prepareSession(args, deps);
  if (!session.existed) {
    throw new UsageError(
      "--stack",
      `stack ${session.name} has no config (stacks/Pulumi.${session.name}.yaml); provision it, or use plan --offline`,
    );
  }
  await session.open("select");
  const changes = await session.preview();
  return {
    data: { stack: session.name, changes },
    text: `Preview of stack ${session.name}: ${describeChanges(changes)}.`,
    exitCode: EXIT.ok,
  };
}
