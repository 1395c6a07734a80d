// plan --offline --emit, in process: the REAL program under Pulumi's mock runtime,
// the registration document and zenml CLI script written to a temporary directory.
// No cloud, no Pulumi CLI, no ZenML (the script itself runs in test/tier/render.test.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan, type PlanData } from "../../../src/automation/commands/plan";
import { UsageError } from "../../../src/automation/errors";
import { documentsFromStackYaml } from "../../../src/zenml/stackYaml";
import { fakes, snapshot } from "./support/fakes";

let data: PlanData;
let text: string;
let out: string;
let root: string;
let before: Record<string, string>;

beforeAll(async () => {
  const f = fakes({ env: {} });
  root = f.root;
  before = snapshot(root);
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "zrs-emit-")), "out");
  const outcome = await plan(
    { offline: true, stack: "aws-dev", credentials: "iam-role", emit: out },
    f.deps,
  );
  data = outcome.data;
  text = outcome.text;
});

describe("plan --offline --emit DIR (aws-dev example, iam-role from a flag)", () => {
  it("writes the document and an executable script into DIR, nothing into the project", () => {
    expect(snapshot(root)).toEqual(before);
    expect(fs.readdirSync(out).sort()).toEqual(["aws-dev.register.sh", "aws-dev.zenml.yaml"]);
    expect(data.emitted).toEqual({
      document: path.join(out, "aws-dev.zenml.yaml"),
      script: path.join(out, "aws-dev.register.sh"),
      secretEnv: ["ZRS_S3_STORE_AWS_ACCESS_KEY_ID", "ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY"],
    });
    expect(fs.statSync(data.emitted!.script).mode & 0o777).toBe(0o755);
    expect(text).toContain(
      `Run: bash ${data.emitted!.script} --set with ZRS_S3_STORE_AWS_ACCESS_KEY_ID, ZRS_S3_STORE_AWS_SECRET_ACCESS_KEY set`,
    );
  });

  it("holds no credential value, not even the plan's placeholder", () => {
    for (const file of fs.readdirSync(out)) {
      expect(fs.readFileSync(path.join(out, file), "utf8")).not.toContain("placeholder-secret");
    }
  });

  it("the script registers what the plan describes, with the role from the flag", () => {
    const script = fs.readFileSync(data.emitted!.script, "utf8");
    const reg = data.stores[0].registration!;
    expect(reg.auth.kind).toBe("connector");
    expect(script).toContain("--auth-method 'iam-role'");
    expect(script).toContain(`'--path=${reg.path}'`);
    expect(script).toContain(
      "# Rendered offline (plan --offline --emit) from stacks/Pulumi.aws-dev.yaml",
    );
    expect(script).toContain("zenml stack set 's3-store'");
  });

  it("the document reads back with the project's own parser, each credential a reference", async () => {
    const yaml = fs.readFileSync(data.emitted!.document, "utf8");
    const refs: string[] = [];
    const docs = await documentsFromStackYaml(yaml, "emitted", async (ref) => {
      refs.push(ref);
      return "x";
    });
    expect(docs.map((d) => d.artifactStore.name)).toEqual(["s3-store"]);
    expect(refs).toEqual([
      "registration.s3-store.credentials.aws_access_key_id",
      "registration.s3-store.credentials.aws_secret_access_key",
    ]);
  });

  it("refuses a DIR that is a file before evaluating anything", async () => {
    const f = fakes({ env: {} });
    const file = path.join(f.root, "not-a-dir");
    fs.writeFileSync(file, "");
    await expect(
      plan({ offline: true, stack: "aws-dev", emit: file }, f.deps, async () => {
        throw new Error("must not evaluate");
      }),
    ).rejects.toThrow(new UsageError("--emit", `${file} exists and is not a directory`));
  });
});
