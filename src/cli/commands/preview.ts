import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, STORE_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function previewCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"preview">> {
  return {
    command: "preview",
    describe: "Pulumi's preview of an existing stack, with progress; changes nothing",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.preview)
        .group(
          Object.keys(STORE_OPTIONS),
          "Store options (refused here: preview shows the stack config as it is):",
        )
        .example("$0 preview --stack aws-dev", "What `provision --stack aws-dev` would change"),
    handler: (args) =>
      runHandler(
        ctx,
        args,
        async () => (await import("../../automation/commands/preview")).preview,
      ),
  };
}
