import type { Argv, CommandModule } from "yargs";
import type { ProvisionArgs } from "../../automation/commands/provision";
import { COMMAND_OPTIONS, withOptions } from "../options";
import { runHandler, type CliContext } from "../run";
import type { GlobalArgs } from "./types";

export type ProvisionCliArgs = GlobalArgs & ProvisionArgs;

export function provisionCommand(ctx: CliContext): CommandModule<GlobalArgs, ProvisionCliArgs> {
  return {
    command: "provision",
    describe:
      "Create or update the stack's stores, record the registration in the stack config and stacks/<stack>.zenml.yaml, register in ZenML (when a server is configured) and verify",
    builder: (y) =>
      (withOptions(y, COMMAND_OPTIONS.provision) as unknown as Argv<ProvisionCliArgs>)
        .group(
          Object.keys(COMMAND_OPTIONS.preview).filter(
            (k) => k !== "stack" && !k.startsWith("pulumi") && k !== "secrets-provider",
          ),
          "Store options (written to the stack config):",
        )
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
