import type { Argv, CommandModule } from "yargs";
import type { OutputsArgs } from "../../automation/commands/outputs";
import { COMMAND_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type OutputsCliArgs = GlobalArgs & OutputsArgs;

export function outputsCommand(ctx: CliContext): CommandModule<GlobalArgs, OutputsCliArgs> {
  return {
    command: "outputs",
    describe: "The stack's outputs (stores, credentials); secrets masked unless --show-secrets",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.outputs) as unknown as Argv<OutputsCliArgs>)
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
