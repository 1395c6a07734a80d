import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function verifyCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"verify">> {
  return {
    command: "verify",
    describe:
      "With the minted credentials: write, read, list and delete a probe object in each store; ask ZenML to verify each connector; with --baseline, audit the buckets' settings. Exit 3 on failure",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.verify)
        .example("$0 verify --stack aws-dev", "Storage probe and ZenML connector verification")
        .example(
          "$0 verify --stack aws-dev --no-zenml --verify-timeout 300",
          "Storage only, waiting up to 5 minutes",
        )
        .example(
          "$0 verify --stack aws-dev --baseline --json",
          "Also audit the buckets' settings; the deviations as JSON",
        ),
    handler: (args) =>
      runHandler(ctx, args, async () => (await import("../../automation/commands/verify")).verify),
  };
}
