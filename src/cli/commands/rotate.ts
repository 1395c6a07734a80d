import type { Argv, CommandModule } from "yargs";
import type { RotateArgs } from "../../automation/commands/rotate";
import { COMMAND_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type RotateCliArgs = GlobalArgs & RotateArgs;

export function rotateCommand(ctx: CliContext): CommandModule<GlobalArgs, RotateCliArgs> {
  return {
    command: "rotate",
    describe:
      "Replace the minted credentials: add a new key next to the old one, give ZenML the new key, verify it, and only then delete the old key (rolled back if verification fails)",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.rotate) as unknown as Argv<RotateCliArgs>)
        .example("$0 rotate --stack aws-dev --yes", "Rotate the key of every store of the stack")
        .example(
          "$0 rotate --stack aws-dev --store s3-store --yes",
          "Rotate one store's key; run it again to finish a rotation that was interrupted",
        ),
    handler: (args) =>
      runHandler(ctx, args, async () => (await import("../../automation/commands/rotate")).rotate),
  };
}
