import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function destroyCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"destroy">> {
  return {
    command: "destroy",
    describe:
      "Remove the ZenML registrations, then the infrastructure; refuses a bucket that holds objects unless --force-destroy",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.destroy)
        .example("$0 destroy --stack aws-dev --yes", "Deregister and delete (empty buckets only)")
        .example(
          "$0 destroy --stack aws-dev --yes --force-destroy",
          "Also delete buckets with their objects",
        ),
    handler: (args) =>
      runHandler(
        ctx,
        args,
        async () => (await import("../../automation/commands/destroy")).destroy,
      ),
  };
}
