import * as pulumi from "@pulumi/pulumi";
import type { S3KeyPair } from "../../config/backends/s3Compatible";
import {
  s3CompatibleArtifactStoreConfiguration,
  s3CompatibleConnectorConfiguration,
  s3CompatibleConnectorSecrets,
} from "./facts";

/** The ZenML facts both S3-compatible stores expose, built from resolved-or-not inputs. */
export interface S3CompatibleRegistrationOutputs {
  readonly path: pulumi.Output<string>;
  readonly resourceId: pulumi.Output<string>;
  readonly artifactStoreConfiguration: pulumi.Output<Record<string, unknown>>;
  readonly connectorConfiguration: pulumi.Output<Record<string, string>>;
  readonly credentials: pulumi.Output<Record<string, string>>;
}

export function s3CompatibleRegistration(args: {
  bucketName: pulumi.Input<string>;
  endpoint: string;
  region: pulumi.Input<string>;
  pathStyle: boolean;
  keyPair: pulumi.Input<S3KeyPair>;
}): S3CompatibleRegistrationOutputs {
  const path = pulumi.interpolate`s3://${args.bucketName}`;
  const region = pulumi.output(args.region);
  return {
    path,
    resourceId: path,
    artifactStoreConfiguration: pulumi.all([path, region]).apply(([p, r]) =>
      s3CompatibleArtifactStoreConfiguration({
        path: p,
        endpoint: args.endpoint,
        region: r,
        pathStyle: args.pathStyle,
      }),
    ),
    connectorConfiguration: region.apply((r) =>
      s3CompatibleConnectorConfiguration({ endpoint: args.endpoint, region: r }),
    ),
    // Secret end to end, also under the mock runtime (which ignores additionalSecretOutputs).
    credentials: pulumi.secret(pulumi.output(args.keyPair).apply(s3CompatibleConnectorSecrets)),
  };
}
