import type { Argv, CommandModule } from "yargs";
import type { PreviewArgs } from "../../automation/commands/preview";
import { COMMAND_OPTIONS, STORE_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type PreviewCliArgs = GlobalArgs & PreviewArgs;

export function previewCommand(ctx: CliContext): CommandModule<GlobalArgs, PreviewCliArgs> {
  return {
    command: "preview",
    describe: "Pulumi's preview of an existing stack, with progress; changes nothing",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.preview) as unknown as Argv<PreviewCliArgs>)
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
