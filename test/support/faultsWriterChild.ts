/**
 * A writer to be killed: rewrites one file of a project over and over with the
 * project's real writers, alternating two large payloads, until SIGKILL.
 * Run by test/tier/faults.atomicWrite.test.ts as
 *
 *   node -r ts-node/register/transpile-only faultsWriterChild.ts <mode> <projectRoot> <bytes>
 *
 * modes:
 *   stack-config — StackConfigFile.save() of stacks/Pulumi.faults.yaml (the stack config writer)
 *   zenml-yaml   — writeZenmlYaml() of stacks/faults.zenml.yaml (the ZenML document writer)
 *   naive        — fs.writeFileSync() of stacks/Pulumi.faults.yaml: NOT atomic, the control
 *
 * Before the loop it writes each payload once into a scratch project with the
 * same writer and prints one JSON line `{"ready": true, "sha256": [A, B]}`, so
 * the parent knows the exact bytes a complete write produces.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { StoreRegistration } from "../../src/zenml/model";
import { writeZenmlYaml } from "../../src/automation/recordedRegistration";
import { StackConfigFile } from "../../src/automation/stackConfigFile";

const [mode, root, bytesArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
if (!["stack-config", "zenml-yaml", "naive"].includes(mode) || !root || !(bytes > 0)) {
  process.stderr.write(
    "usage: faultsWriterChild.ts stack-config|zenml-yaml|naive <root> <bytes>\n",
  );
  process.exit(2);
}

const STACK = "faults";

/** The file each mode rewrites, under a project root. */
function targetOf(m: string, projectRoot: string): string {
  return m === "zenml-yaml"
    ? path.join(projectRoot, "stacks", `${STACK}.zenml.yaml`)
    : path.join(projectRoot, "stacks", `Pulumi.${STACK}.yaml`);
}

function blob(variant: string): string {
  return variant.repeat(bytes);
}

/** A writer of one payload variant into a project root. */
function writerFor(variant: string): (projectRoot: string) => void {
  switch (mode) {
    case "stack-config": {
      // Prepared once per root: each call is the save (render + atomic write) alone.
      const files = new Map<string, StackConfigFile>();
      return (projectRoot) => {
        let file = files.get(projectRoot);
        if (file === undefined) {
          file = StackConfigFile.read(targetOf(mode, projectRoot));
          file.set("zenml-remote-storage:faults", { variant, blob: blob(variant) });
          files.set(projectRoot, file);
        }
        file.save();
      };
    }
    case "zenml-yaml": {
      const store: StoreRegistration = {
        storeName: "s3-store",
        stackName: "s3-store",
        backend: "aws",
        path: "s3://faults-bucket",
        flavor: "s3",
        artifactStoreConfiguration: { path: "s3://faults-bucket", faults: blob(variant) },
        auth: {
          kind: "connector",
          type: "aws",
          method: "secret-key",
          resourceType: "s3-bucket",
          resourceId: "s3://faults-bucket",
          configuration: { region: "eu-west-1" },
        },
        credentials: { aws_access_key_id: "", aws_secret_access_key: "" },
      };
      return (projectRoot) => {
        writeZenmlYaml(projectRoot, STACK, [store]);
      };
    }
    default: {
      const text = `config:\n  zenml-remote-storage:faults:\n    variant: ${variant}\n    blob: ${blob(variant)}\n`;
      return (projectRoot) => fs.writeFileSync(targetOf(mode, projectRoot), text);
    }
  }
}

const writers = ["A", "B"].map(writerFor);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zrs-faults-scratch-"));
fs.mkdirSync(path.join(scratch, "stacks"));
const existing = targetOf(mode, root);
if (fs.existsSync(existing)) fs.copyFileSync(existing, targetOf(mode, scratch));
const sha256 = writers.map((write) => {
  write(scratch);
  return createHash("sha256")
    .update(fs.readFileSync(targetOf(mode, scratch)))
    .digest("hex");
});
fs.rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ ready: true, sha256 })}\n`);
for (;;) {
  for (const write of writers) write(root);
}
