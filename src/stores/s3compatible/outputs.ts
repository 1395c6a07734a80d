import * as pulumi from "@pulumi/pulumi";
import { normaliseEndpoint, type S3KeyPair } from "../../config/backends/s3Compatible";
import type { SecretAuth, StoreOutputs } from "../../zenml/model";
import {
  isPlainHttp,
  plainHttpWarning,
  s3CompatibleArtifactStoreConfiguration,
  s3CompatibleConnectorSecrets,
  s3CompatibleSecretName,
  type S3CompatibleServerArgs,
} from "./facts";

/** The store's endpoint, validated; a plain-http one (allowed by `allowHttp`) is warned about. */
export function checkedEndpoint(
  storeName: string,
  args: S3CompatibleServerArgs,
  component: pulumi.Resource,
): string {
  const checked = normaliseEndpoint(args.endpoint, args.allowHttp ?? false);
  if ("rule" in checked) {
    throw new pulumi.InputPropertyError({
      propertyPath: "endpoint",
      reason: `The endpoint ${checked.rule}.`,
    });
  }
  if (isPlainHttp(checked.endpoint)) {
    void pulumi.log.warn(plainHttpWarning(storeName, checked.endpoint), component);
  }
  return checked.endpoint;
}

/** The ZenML outputs both S3-compatible stores expose, built from resolved-or-not inputs. */
export type S3CompatibleOutputs = Pick<
  StoreOutputs,
  "path" | "artifactStoreConfiguration" | "credentials"
> & {
  /**
   * A ZenML secret, not the AWS connector: the connector re-verifies with AWS STS
   * whenever a pipeline asks it for a client, which an S3-compatible server never
   * answers (zenml-io/zenml#4152).
   */
  readonly auth: SecretAuth;
};

export function s3CompatibleOutputs(args: {
  storeName: string;
  bucketName: pulumi.Input<string>;
  endpoint: string;
  region: pulumi.Input<string>;
  pathStyle: boolean;
  keyPair: pulumi.Input<S3KeyPair>;
}): S3CompatibleOutputs {
  const path = pulumi.interpolate`s3://${args.bucketName}`;
  const region = pulumi.output(args.region);
  return {
    path,
    artifactStoreConfiguration: pulumi.all([path, region]).apply(([p, r]) =>
      s3CompatibleArtifactStoreConfiguration({
        path: p,
        endpoint: args.endpoint,
        region: r,
        pathStyle: args.pathStyle,
      }),
    ),
    auth: { kind: "secret", name: s3CompatibleSecretName(args.storeName) },
    // Secret end to end, also under the mock runtime (which ignores additionalSecretOutputs).
    credentials: pulumi.secret(pulumi.output(args.keyPair).apply(s3CompatibleConnectorSecrets)),
  };
}
