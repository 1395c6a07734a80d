import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function rotateCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"rotate">> {
  return {
    command: "rotate",
    describe:
      "Replace the minted credentials: add a new key next to the old one, give ZenML the new key, verify it, and only then delete the old key (rolled back if verification fails)",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.rotate)
        .example("$0 rotate --stack aws-dev --yes", "Rotate the key of every store of the stack")
        .example(
          "$0 rotate --stack aws-dev --store s3-store --yes",
          "Rotate one store's key; run it again to finish a rotation that was interrupted",
        ),
    handler: (args) =>
      runHandler(ctx, args, async () => (await import("../../automation/commands/rotate")).rotate),
  };
}
