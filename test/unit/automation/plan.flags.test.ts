// plan --offline from store flags alone (no stack config file), in process: the REAL
// program under Pulumi's mock runtime. No cloud, no Pulumi CLI, no credentials.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { plan } from "../../../src/automation/commands/plan";
import { UsageError } from "../../../src/automation/errors";
import { fakes, snapshot } from "./support/fakes";

describe("plan --offline with a store described by flags alone", () => {
  it("without flags, a missing stack config is named with the ways out", async () => {
    const f = fakes({ env: {} });
    await expect(plan({ offline: true, stack: "dev" }, f.deps)).rejects.toThrow(
      new UsageError(
        "--stack",
        "stacks/Pulumi.dev.yaml does not exist; create it (see stacks/Pulumi.aws-dev.yaml), pass --config FILE, or describe a new store with flags (--backend, --credentials, …)",
      ),
    );
  });

  it("a misspelt project key in the file is named, before anything is evaluated", async () => {
    const f = fakes({ env: {} });
    const file = path.join(f.root, "Pulumi.typo.yaml");
    fs.writeFileSync(
      file,
      "config:\n  zenml-remote-storage:store:\n    - name: s3-store\n      backend: aws\n",
    );
    await expect(
      plan({ offline: true, config: file }, f.deps, async () => {
        throw new Error("must not evaluate");
      }),
    ).rejects.toThrow(
      new UsageError(
        "zenml-remote-storage:store (Pulumi.typo.yaml)",
        "unknown key; allowed: stores, zenml, zenmlApiKey, storeSecrets, registration; did you mean stores?",
      ),
    );
  });

  it("plans the store from the flags and writes nothing", async () => {
    const f = fakes({ env: {} });
    const before = snapshot(f.root);
    const outcome = await plan(
      {
        offline: true,
        stack: "dev",
        storeName: "my-store",
        backend: "aws",
        credentials: "iam-role",
        region: "eu-west-1",
      },
      f.deps,
    );
    expect(snapshot(f.root)).toEqual(before);
    expect(outcome.data.source).toBe("store flags");
    expect(outcome.data.stores.map((s) => s.name)).toEqual(["my-store"]);
    expect(outcome.data.stores[0].registration?.auth).toMatchObject({
      kind: "connector",
      method: "iam-role",
    });
    expect(outcome.text).toContain("Store my-store — backend aws");
  });
});
