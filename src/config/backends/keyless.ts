/**
 * Rules for the inputs of the keyless identity modes (AWS `implicit`, GCP
 * `external-account` / `implicit`, Azure `implicit`): principal ARNs, OIDC
 * issuers and subjects, object ids, e-mails. Each returns the first rule the
 * value breaks as one sentence, or undefined; the parsers prefix the key.
 */

// IAM names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
// (path segments and a name of `\w+=,.@-`, the name at most 64 characters).
const AWS_PRINCIPAL_ARN =
  /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const AWS_ACCOUNT_ID = /^\d{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const GCP_SERVICE_ACCOUNT_EMAIL =
  /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com|\d+-compute@developer\.gserviceaccount\.com)$/;

/** ZenML Pro's AWS account, as ZenML's own Terraform modules default it (`zenml_pro_aws_account`). */
export const ZENML_PRO_AWS_ACCOUNT = "715803424590";

/**
 * The role a ZenML Pro workspace runs as: `arn:aws:iam::<account>:role/zenml-<workspace id>`,
 * as zenml-io/terraform-aws-zenml-stack trusts it (`zenml_pro_tenant_iam_role`).
 */
export function zenmlProRoleArn(workspaceId: string, account = ZENML_PRO_AWS_ACCOUNT): string {
  return `arn:aws:iam::${account}:role/${zenmlProRoleName(workspaceId)}`;
}

/** The name of a ZenML Pro workspace's role: `zenml-<workspace id>`. */
export function zenmlProRoleName(workspaceId: string): string {
  return `zenml-${workspaceId}`;
}

/** An IAM role or user ARN; account roots and wildcards are refused (they trust every identity). */
export function awsPrincipalArnRule(value: string): string | undefined {
  if (value.includes("*")) return `"${value}" must name one IAM role or user, not a wildcard`;
  if (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(value) || AWS_ACCOUNT_ID.test(value)) {
    return `"${value}" is a whole account; name the IAM role or user of the ZenML server`;
  }
  return AWS_PRINCIPAL_ARN.test(value)
    ? undefined
    : `"${value}" must be an IAM role or user ARN (arn:aws:iam::123456789012:role/NAME)`;
}

export function awsAccountIdRule(value: string): string | undefined {
  return AWS_ACCOUNT_ID.test(value) ? undefined : `"${value}" must be a 12-digit AWS account id`;
}

/** An IAM role name (without path). */
export function iamRoleNameRule(value: string): string | undefined {
  return IAM_NAME.test(value)
    ? undefined
    : `"${value}" must be an IAM role name (1-64 letters, digits and +=,.@_-)`;
}

/** A UUID (ZenML Pro workspace id, Entra object id). */
export function uuidRule(value: string): string | undefined {
  return UUID.test(value)
    ? undefined
    : `"${value}" must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`;
}

/**
 * An OIDC issuer URL: `https://`, a host, no query, fragment or credentials; both GCP
 * workload identity providers and Entra federated credentials match it exactly.
 */
export function oidcIssuerRule(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" must be an https:// OIDC issuer URL`;
  }
  if (url.protocol !== "https:") return `"${value}" must be an https:// OIDC issuer URL`;
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return `"${value}" must be an issuer URL without query, fragment or credentials`;
  }
  if (value.endsWith("/")) return `"${value}" must not end with a slash (issuers match exactly)`;
  return undefined;
}

/**
 * An OIDC subject the federated identity is bound to, exactly (e.g.
 * `system:serviceaccount:zenml:zenml-server`): 1-127 characters (GCP's limit for
 * `google.subject`), no whitespace, no wildcard.
 */
export function oidcSubjectRule(value: string): string | undefined {
  if (/[\s*]/.test(value)) return `"${value}" must be one exact subject, without spaces or "*"`;
  if (value.length > 127) return "must be at most 127 characters";
  if (/["'\\]/.test(value)) return `"${value}" must not contain quotes or backslashes`;
  return undefined;
}

export function gcpServiceAccountEmailRule(value: string): string | undefined {
  return GCP_SERVICE_ACCOUNT_EMAIL.test(value)
    ? undefined
    : `"${value}" must be a service account e-mail (NAME@PROJECT.iam.gserviceaccount.com)`;
}

/** Who may federate: one OIDC subject of one issuer, or one AWS role of one account. */
export type GcpFederation =
  | {
      readonly kind: "oidc";
      /** The OIDC issuer (e.g. an EKS/GKE/AKS cluster's), matched exactly. */
      readonly issuer: string;
      /** The one subject allowed (e.g. `system:serviceaccount:zenml:zenml-server`). */
      readonly subject: string;
      /** The audience the token carries; the provider's own resource URL when undefined. */
      readonly audience?: string;
      /** Where the ZenML server finds its OIDC token (a projected service-account token). */
      readonly tokenFile: string;
    }
  | {
      readonly kind: "aws";
      /** The AWS account whose role federates (ZenML Pro's: 715803424590). */
      readonly accountId: string;
      /** The IAM role name whose sessions may federate (ZenML Pro: `zenml-<workspace id>`). */
      readonly roleName: string;
    };

/** Where a projected Kubernetes service-account token is mounted by default. */
export const DEFAULT_TOKEN_FILE = "/var/run/secrets/tokens/gcp-workload-identity/token";

/** Who the Azure `implicit` store's container roles go to. */
export type AzureKeylessIdentity =
  | {
      /** An existing principal: the ZenML server's managed identity (its object id). */
      readonly kind: "principal";
      readonly objectId: string;
    }
  | {
      /**
       * A user-assigned managed identity created here, with a federated identity
       * credential for one OIDC issuer and subject (AKS workload identity).
       */
      readonly kind: "workload";
      readonly issuer: string;
      readonly subject: string;
    };
