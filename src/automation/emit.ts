import * as fs from "node:fs";
import * as path from "node:path";
import { renderCliScript, secretEnvName } from "../zenml/cliScript";
import { registrationDocuments, usesSecret } from "../zenml/documents";
import { storeRegistration } from "../zenml/model";
import { renderStackYaml } from "../zenml/stackYaml";
import { writeFileAtomic } from "./atomicWrite";
import { UsageError } from "./errors";
import type { PlanReport } from "../plan/report";

/** What `plan --offline --emit DIR` wrote. */
export interface EmittedArtefacts {
  /** The registration document, `DIR/<stack>.zenml.yaml`. */
  readonly document: string;
  /** The `zenml` CLI script, `DIR/<stack>.register.sh`. */
  readonly script: string;
  /** The environment variables the script reads the secrets from. */
  readonly secretEnv: readonly string[];
}

/** `--emit DIR`: a directory, or a path where one can be made. */
export function checkEmitDir(dir: string): void {
  if (dir.trim() === "") throw new UsageError("--emit", "must name a directory");
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new UsageError("--emit", `${dir} exists and is not a directory`);
  }
}

/**
 * Writes the ZenML artefacts of an offline plan: the registration document
 * and the `zenml` CLI script, with the credential field names only (the
 * script reads the values from environment variables). Both texts are
 * rendered before either file is written, and each is written atomically.
 */
export function emitArtefacts(
  dir: string,
  report: PlanReport,
  credentialFields: Readonly<Record<string, readonly string[]>>,
): EmittedArtefacts {
  checkEmitDir(dir);
  const docs = report.stores.flatMap((store) =>
    store.registration === undefined
      ? []
      : [
          registrationDocuments(
            storeRegistration(
              store.name,
              store.registration,
              Object.fromEntries((credentialFields[store.name] ?? []).map((f) => [f, ""])),
            ),
          ),
        ],
  );
  if (docs.length === 0) {
    throw new UsageError("--emit", `the plan of ${report.source} has no store to register`);
  }
  const header = [
    `Rendered offline (plan --offline --emit) from ${report.source}, before anything exists:`,
    "names a cloud generates (suffixes, account, project, tenant ids) are placeholders;",
    "provision writes the real ones.",
  ];
  const yaml = renderStackYaml(report.stack, docs, [
    ...header,
    "The from_stack_config references resolve once provision has recorded the credentials.",
  ]);
  const script = renderCliScript(docs, { header });
  const document = path.join(dir, `${report.stack}.zenml.yaml`);
  const scriptPath = path.join(dir, `${report.stack}.register.sh`);
  writeFileAtomic(document, yaml);
  writeFileAtomic(scriptPath, script, 0o755);
  const secretEnv = docs.flatMap((d) =>
    Object.keys(usesSecret(d) ? d.secret.values : d.connector.secrets)
      .sort()
      .map((field) => secretEnvName(d.artifactStore.name, field)),
  );
  return { document, script: scriptPath, secretEnv };
}
