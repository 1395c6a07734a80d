import type { Argv, CommandModule } from "yargs";
import type { RegisterArgs } from "../../automation/commands/register";
import { COMMAND_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type RegisterCliArgs = GlobalArgs & RegisterArgs;

export function registerCommand(ctx: CliContext): CommandModule<GlobalArgs, RegisterCliArgs> {
  return {
    command: "register",
    describe:
      "Apply stacks/<stack>.zenml.yaml to a ZenML server, credentials decrypted from the stack config; adopts by name, updates in place",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.register) as unknown as Argv<RegisterCliArgs>).example(
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
