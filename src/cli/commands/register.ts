import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function registerCommand(
  ctx: CliContext,
): CommandModule<GlobalArgs, CommandArgs<"register">> {
  return {
    command: "register",
    describe:
      "Apply stacks/<stack>.zenml.yaml to a ZenML server, credentials decrypted from the stack config; adopts by name, updates in place",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.register)
        .example(
          "ZENML_STORE_API_KEY=… $0 register --stack aws-dev --server https://zenml.example.com",
          "Register the stores in a teammate's ZenML server",
        ),
    handler: (args) =>
      runHandler(
        ctx,
        args,
        async () => (await import("../../automation/commands/register")).register,
      ),
  };
}
