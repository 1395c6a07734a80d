import type { Argv, CommandModule } from "yargs";
import type { DestroyArgs } from "../../automation/commands/destroy";
import { COMMAND_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type DestroyCliArgs = GlobalArgs & DestroyArgs;

export function destroyCommand(ctx: CliContext): CommandModule<GlobalArgs, DestroyCliArgs> {
  return {
    command: "destroy",
    describe:
      "Remove the ZenML registrations, then the infrastructure; refuses a bucket that holds objects unless --force-destroy",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.destroy) as unknown as Argv<DestroyCliArgs>)
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
