import type { CommandModule } from "yargs";
import { COMMAND_OPTIONS, STORE_OPTIONS, type CommandArgs } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export function provisionCommand(
  ctx: CliContext,
): CommandModule<GlobalArgs, CommandArgs<"provision">> {
  return {
    command: "provision",
    describe:
      "Create or update the stack's stores, record the registration in the stack config and stacks/<stack>.zenml.yaml, register in ZenML (when a server is configured) and verify",
    builder: (y) =>
      y
        .options(COMMAND_OPTIONS.provision)
        .group(Object.keys(STORE_OPTIONS), "Store options (written to the stack config):")
        .example(
          "$0 provision --stack aws-dev --yes",
          "Provision what stacks/Pulumi.aws-dev.yaml describes",
        )
        .example(
          "$0 provision --stack dev --backend aws --store-name s3-store --region eu-west-1 --credentials iam-role --yes",
          "Add (or update) one store from flags, then provision",
        )
        .example(
          "ZRS_STACK=dev ZRS_YES=true $0 provision",
          "The same options from the environment (prefix ZRS_)",
        ),
    handler: (args) =>
      runHandler(
        ctx,
        args,
        async () => (await import("../../automation/commands/provision")).provision,
      ),
  };
}
