import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, STORE_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function initCommand(ctx: CliContext): CommandModule<GlobalArgs, CommandArgs<"init">> {
  return {
    command: "init",
    describe:
      "A first stack: stacks/Pulumi.<stack>.yaml for one store from flags, and a random passphrase file (0600, never printed)",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.init)
        .group(Object.keys(STORE_OPTIONS), "Store options:")
        .example(
          "$0 init --stack dev --store-name s3-store --backend aws --credentials access-key --region eu-west-1",
          "An AWS store; the passphrase in ~/.pulumi/zenml-remote-storage/dev.passphrase",
        ),
    handler: (args) =>
      runHandler(ctx, args, async () => (await import("../../automation/commands/init")).init),
  };
}
