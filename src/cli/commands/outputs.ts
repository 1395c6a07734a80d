import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function outputsCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"outputs">> {
  return {
    command: "outputs",
    describe: "The stack's outputs (stores, credentials); secrets masked unless --show-secrets",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.outputs)
        .example("$0 outputs --stack aws-dev", "Paths and connector facts; credentials as [secret]")
        .example(
          "$0 outputs --stack aws-dev --show-secrets --json",
          "Everything, credentials included",
        ),
    handler: (args) =>
      runHandler(
        ctx,
        args,
        async () => (await import("../../automation/commands/outputs")).outputs,
      ),
  };
}
