// `verify --baseline` against a FAKE Pulumi workspace, FAKE storage verifier and FAKE
// baseline auditor (real stack config files, real config parser); the last test goes
// through the REAL yargs parser in process.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { provision } from "../../../src/automation/commands/provision";
import { verify } from "../../../src/automation/commands/verify";
import { StackConfigFile } from "../../../src/automation/stackConfigFile";
import { main } from "../../../src/cli";
import { fakes } from "./support/fakes";

const BLOCK_PUBLIC_ACLS = {
  setting: "public access block: BlockPublicAcls",
  found: "false",
  expected: "true",
  risk: "new public ACLs are accepted",
};

async function provisioned() {
  const f = fakes();
  await provision({ stack: "aws-dev", yes: true, verify: false }, f.deps);
  return f;
}

function editStores(root: string, edit: (stores: Record<string, unknown>[]) => void): void {
  const file = StackConfigFile.read(path.join(root, "stacks", "Pulumi.aws-dev.yaml"));
  const stores = file.get("zenml-remote-storage:stores") as Record<string, unknown>[];
  edit(stores);
  file.set("zenml-remote-storage:stores", stores);
  file.save();
}

describe("verify --baseline (fake workspace, fake storage, fake auditor)", () => {
  it("audits each store against the bucket options of the stack config, defaults included", async () => {
    const f = await provisioned();
    const outcome = await verify(
      { stack: "aws-dev", zenml: false, baseline: true, endpointUrl: "http://127.0.0.1:5000" },
      f.deps,
    );
    expect(outcome.exitCode).toBe(0);
    expect(f.baseline.audited).toEqual([
      {
        store: "s3-store",
        endpointUrl: "http://127.0.0.1:5000",
        expected: {
          name: undefined,
          adopt: false,
          forceDestroy: false,
          versioning: false,
          noncurrentVersionExpirationDays: 30,
          abortIncompleteUploadDays: 7,
          encryptionKey: undefined,
        },
      },
    ]);
    expect(outcome.data.baseline).toMatchObject({ ok: true, deviations: [] });
    expect(outcome.text.split("\n").slice(-2)).toEqual([
      "Baseline audit: 0 deviations",
      "  s3-store (aws): 0 deviations, 1 setting as the baseline",
    ]);
  });

  it("one line per deviation (store, setting, found, expected, risk); exit 3 even when the probe passed", async () => {
    const f = await provisioned();
    f.baseline.deviations = [BLOCK_PUBLIC_ACLS];
    const outcome = await verify({ stack: "aws-dev", zenml: false, baseline: true }, f.deps);
    expect(outcome.data.checks[0].storage.status).toBe("passed");
    expect(outcome.exitCode).toBe(3);
    expect(outcome.text).toContain("Verification of stack aws-dev: FAILED");
    expect(outcome.text).toContain(
      "  s3-store: public access block: BlockPublicAcls: found false, expected true — new public ACLs are accepted",
    );
    expect(outcome.data.baseline?.deviations).toEqual([
      { store: "s3-store", ...BLOCK_PUBLIC_ACLS },
    ]);
  });

  it("without --baseline nothing is audited", async () => {
    const f = await provisioned();
    f.baseline.deviations = [BLOCK_PUBLIC_ACLS];
    const outcome = await verify({ stack: "aws-dev", zenml: false }, f.deps);
    expect(outcome.exitCode).toBe(0);
    expect(f.baseline.audited).toEqual([]);
    expect(outcome.data.baseline).toBeUndefined();
  });

  it("versioning as configured is what the audit expects", async () => {
    const f = await provisioned();
    editStores(f.root, (stores) => {
      stores[0].bucket = { versioning: true, noncurrentVersionExpirationDays: 10 };
    });
    await verify({ stack: "aws-dev", zenml: false, baseline: true }, f.deps);
    expect(f.baseline.audited[0].expected).toMatchObject({
      versioning: true,
      noncurrentVersionExpirationDays: 10,
    });
  });

  it("a bucket option the parser refuses is a usage error naming the key, before any request", async () => {
    const f = await provisioned();
    editStores(f.root, (stores) => {
      stores[0].bucket = { abortIncompleteUploadDays: "soon" };
    });
    await expect(
      verify({ stack: "aws-dev", zenml: false, baseline: true }, f.deps),
    ).rejects.toThrow(
      /^zenml-remote-storage:stores\[0\]\.bucket\.abortIncompleteUploadDays \(stacks\/Pulumi\.aws-dev\.yaml\): must be /,
    );
    expect(f.baseline.audited).toEqual([]);
    expect(f.storage.probes).toEqual([]);
  });

  it("a backend without an auditor, or an auditor that throws, is unreadable: exit 3, never compliant", async () => {
    const f = await provisioned();
    const none = await verify(
      { stack: "aws-dev", zenml: false, baseline: true },
      { ...f.deps, baselineAuditorFor: async () => undefined },
    );
    expect(none.exitCode).toBe(3);
    expect(none.text).toContain(
      "  s3-store: audit: could not read (no baseline audit for backend aws)",
    );
    const throwing = await verify(
      { stack: "aws-dev", zenml: false, baseline: true },
      {
        ...f.deps,
        baselineAuditorFor: async () => ({
          audit: async () => {
            throw new Error("could not load credentials\nstack…");
          },
        }),
      },
    );
    expect(throwing.exitCode).toBe(3);
    expect(throwing.data.baseline?.stores[0].unreadable).toEqual([
      { setting: "audit", reason: "could not load credentials" },
    ]);
  });

  it("the CLI: --baseline --json prints the deviations and exits 3", async () => {
    const f = await provisioned();
    f.baseline.deviations = [BLOCK_PUBLIC_ACLS];
    const code = await main(
      ["verify", "--stack", "aws-dev", "--no-zenml", "--baseline", "--json"],
      {
        io: f.io,
        deps: () => f.deps,
      },
    );
    expect(code).toBe(3);
    const out = JSON.parse(f.io.stdout.at(-1)!);
    expect(out.result.baseline.deviations).toEqual([{ store: "s3-store", ...BLOCK_PUBLIC_ACLS }]);
    expect(out.exitCode).toBe(3);
  });
});
