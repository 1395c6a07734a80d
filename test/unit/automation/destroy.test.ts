// destroy against a FAKE Pulumi workspace, FAKE ZenML server and FAKE storage;
// stack config files are real files in a temporary project.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { destroy } from "../../../src/automation/commands/destroy";
import { provision } from "../../../src/automation/commands/provision";
import { CliError } from "../../../src/automation/errors";
import { fakes, snapshot } from "./support/fakes";

async function provisioned(server?: string) {
  const f = fakes();
  await provision({ stack: "aws-dev", yes: true, verify: false, zenmlServer: server }, f.deps);
  f.workspace.calls.length = 0;
  f.zenml.calls.length = 0;
  return f;
}

function config(root: string): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(root, "stacks", "Pulumi.aws-dev.yaml"), "utf8")).config;
}

describe("destroy (fake workspace)", () => {
  it("removes the ZenML registrations first, then the infrastructure, then the recorded registration", async () => {
    const f = await provisioned("http://zenml.test");
    const order: string[] = [];
    const connect = f.deps.connectZenml;
    const deps = {
      ...f.deps,
      connectZenml: async (...a: Parameters<typeof connect>) => {
        const r = await connect(...a);
        return {
          ...r,
          remove: async (d: Parameters<typeof r.remove>[0]) => (
            order.push("zenml remove"),
            r.remove(d)
          ),
        };
      },
      openWorkspace: async (...a: Parameters<typeof f.deps.openWorkspace>) => {
        const ws = await f.deps.openWorkspace(...a);
        return {
          ...ws,
          selectStack: async (n: string) => {
            const s = await ws.selectStack(n);
            return {
              ...s,
              destroy: async (o?: Parameters<typeof s.destroy>[0]) => (
                order.push("pulumi destroy"),
                s.destroy(o)
              ),
            };
          },
        };
      },
    };
    const outcome = await destroy({ stack: "aws-dev", yes: true }, deps);
    expect(outcome.exitCode).toBe(0);
    expect(order).toEqual(["zenml remove", "pulumi destroy"]);
    expect(f.zenml.registered.get("http://zenml.test")?.size).toBe(0);
    expect(config(f.root)["zenml-remote-storage:registration"]).toBeUndefined();
    expect(fs.existsSync(path.join(f.root, "stacks", "aws-dev.zenml.yaml"))).toBe(false);
    // The store config itself stays: `provision` can bring it back.
    expect(config(f.root)["zenml-remote-storage:stores"]).toBeDefined();
  });

  it("refuses a bucket that holds objects, saying how many, and changes nothing", async () => {
    const f = await provisioned("http://zenml.test");
    f.storage.objects = 42;
    const before = snapshot(f.root);
    const err = await destroy({ stack: "aws-dev", yes: true }, f.deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      "bucket s3://zenml-s3-store-abc (store s3-store) holds 42 objects; nothing was destroyed — pass --force-destroy to delete it with its objects",
    );
    expect(f.workspace.calls).not.toContain("destroy");
    expect(f.zenml.calls.filter((c) => c.startsWith("remove"))).toEqual([]);
    expect(snapshot(f.root)).toEqual(before);
  });

  it("says 'at least' beyond the counting limit", async () => {
    const f = await provisioned();
    f.storage.objects = 5000;
    await expect(destroy({ stack: "aws-dev", yes: true }, f.deps)).rejects.toThrow(
      /holds at least 1000 objects/,
    );
  });

  it("with --force-destroy sets forceDestroy, updates, then destroys", async () => {
    const f = await provisioned();
    f.storage.objects = 3;
    const outcome = await destroy({ stack: "aws-dev", yes: true, forceDestroy: true }, f.deps);
    expect(outcome.exitCode).toBe(0);
    const ops = f.workspace.calls.filter((c) => c === "up" || c === "destroy");
    expect(ops).toEqual(["up", "destroy"]);
    const stores = config(f.root)["zenml-remote-storage:stores"] as {
      bucket: { forceDestroy: boolean };
    }[];
    expect(stores[0].bucket.forceDestroy).toBe(true);
    expect(outcome.data.emptied).toEqual([{ store: "s3-store", objects: 3 }]);
  });

  it("does not count or refuse an adopted bucket (it is never deleted)", async () => {
    const f = fakes();
    await provision(
      {
        stack: "dev",
        yes: true,
        verify: false,
        storeName: "s3-store",
        backend: "aws",
        region: "eu-west-1",
        bucketName: "existing-bucket",
        adoptBucket: true,
      },
      f.deps,
    );
    f.storage.objects = 10;
    const outcome = await destroy({ stack: "dev", yes: true }, f.deps);
    expect(outcome.exitCode).toBe(0);
    expect(f.storage.counted).toEqual([]);
    expect(outcome.data.notes[0]).toMatch(/adopted bucket .* is kept/);
  });

  it("--no-zenml leaves registrations alone; --server with --no-zenml conflicts", async () => {
    const f = await provisioned("http://zenml.test");
    await expect(
      destroy({ stack: "aws-dev", yes: true, zenml: false, server: "http://x.test" }, f.deps),
    ).rejects.toThrow("--server: conflicts with --no-zenml");
    await destroy({ stack: "aws-dev", yes: true, zenml: false }, f.deps);
    expect(f.zenml.registered.get("http://zenml.test")?.size).toBe(1);
  });

  it("needs --yes without a terminal, and an existing stack", async () => {
    const f = fakes();
    await expect(destroy({ stack: "aws-dev" }, f.deps)).rejects.toThrow(/^--yes: is required/);
    await expect(destroy({ stack: "aws-dev", yes: true }, f.deps)).rejects.toThrow(/not found/);
  });
});
