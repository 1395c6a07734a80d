/**
 * Workload identity federation for the GCP `external-account` mode, as data: the
 * provider's attribute mapping and condition, the one federated principal (set)
 * granted `roles/iam.workloadIdentityUser` on the store's service account, and the
 * credential-configuration JSON ZenML's `external-account` connector loads. The JSON
 * holds no secret: it only says where the workload's own token comes from.
 */
import type { GcpFederation } from "../../config/backends/keyless";

export type { GcpFederation };

/** The role that lets a federated principal act as the service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

export const STS_TOKEN_URL = "https://sts.googleapis.com/v1/token";

/** The provider's attribute mapping and the condition every federated token must meet. */
export function providerAttributes(fed: GcpFederation): {
  attributeMapping: Record<string, string>;
  attributeCondition: string;
} {
  if (fed.kind === "oidc") {
    return {
      attributeMapping: { "google.subject": "assertion.sub" },
      attributeCondition: `assertion.sub == "${fed.subject}"`,
    };
  }
  return {
    attributeMapping: {
      "google.subject": "assertion.arn",
      "attribute.aws_role": "assertion.arn.extract('assumed-role/{role}/')",
    },
    attributeCondition: `assertion.arn.startsWith("arn:aws:sts::${fed.accountId}:assumed-role/${fed.roleName}/")`,
  };
}

/**
 * The one principal (set) granted `roles/iam.workloadIdentityUser`, from the pool's
 * resource name (`projects/<number>/locations/global/workloadIdentityPools/<id>`).
 */
export function federatedMember(poolName: string, fed: GcpFederation): string {
  return fed.kind === "oidc"
    ? `principal://iam.googleapis.com/${poolName}/subject/${fed.subject}`
    : `principalSet://iam.googleapis.com/${poolName}/attribute.aws_role/${fed.roleName}`;
}

/**
 * The credential configuration (`type: external_account`) ZenML's connector loads
 * (google-auth's `identity_pool` for OIDC, `aws` for AWS), impersonating the store's
 * service account. `providerName` is the provider's resource name.
 */
export function externalAccountCredentialConfig(args: {
  providerName: string;
  serviceAccountEmail: string;
  federation: GcpFederation;
}): Record<string, unknown> {
  const fed = args.federation;
  const common = {
    type: "external_account",
    audience: `//iam.googleapis.com/${args.providerName}`,
    token_url: STS_TOKEN_URL,
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${args.serviceAccountEmail}:generateAccessToken`,
  };
  if (fed.kind === "oidc") {
    return {
      ...common,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      credential_source: { file: fed.tokenFile, format: { type: "text" } },
    };
  }
  return {
    ...common,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    credential_source: {
      environment_id: "aws1",
      region_url: "http://169.254.169.254/latest/meta-data/placement/availability-zone",
      url: "http://169.254.169.254/latest/meta-data/iam/security-credentials",
      regional_cred_verification_url:
        "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    },
  };
}
