/**
 * Placeholder answers for the data sources (invokes) the program calls during
 * a preview of each backend, so every example stack can be previewed without
 * a cloud. They are stand-ins for provider plugins, shaped like the real
 * answers; nothing is looked up anywhere.
 */
import type { InvokeHandler } from "./handlers";

export const PLACEHOLDER_INVOKES: Readonly<Record<string, InvokeHandler>> = {
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
    id: "aws",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: "123456789012",
    arn: "arn:aws:iam::123456789012:user/deployer",
    userId: "AIDAEXAMPLE",
    id: "123456789012",
  }),
  "azure-native:authorization:getClientConfig": () => ({
    clientId: "00000000-0000-0000-0000-000000000001",
    objectId: "00000000-0000-0000-0000-000000000002",
    subscriptionId: "00000000-0000-0000-0000-000000000003",
    tenantId: "00000000-0000-0000-0000-000000000004",
  }),
  "azuread:index/getClientConfig:getClientConfig": () => ({
    clientId: "00000000-0000-0000-0000-000000000001",
    objectId: "00000000-0000-0000-0000-000000000002",
    tenantId: "00000000-0000-0000-0000-000000000004",
    id: "00000000-0000-0000-0000-000000000002",
  }),
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (args) => ({
    project: args.project ?? "my-ml-project",
    emailAddress: "service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    member: "serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    id: "service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
  }),
};
