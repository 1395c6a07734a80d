import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, STORE_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function planCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"plan">> {
  return {
    command: "plan",
    describe:
      "What would be created per store and who could access what (access report), from the stack config alone: Pulumi's mock runtime, no credentials, no network",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.plan)
        .group(Object.keys(STORE_OPTIONS), "Store options (applied in memory, never written):")
        .example("$0 plan --offline --stack aws-dev", "Plan from stacks/Pulumi.aws-dev.yaml")
        .example(
          "$0 plan --offline --stack aws-dev --credentials iam-role",
          "The same with a role for ZenML",
        )
        .example(
          "$0 plan --offline --stack aws-dev --emit out",
          "Also write the ZenML registration document and zenml CLI script to out/",
        )
        .example(
          "$0 plan --offline --config ./Pulumi.mine.yaml --json",
          "Plan from any stack config file, as JSON",
        ),
    handler: (args) =>
      runHandler(ctx, args, async () => (await import("../../automation/commands/plan")).plan),
  };
}
