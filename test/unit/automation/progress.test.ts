import { describe, expect, it } from "vitest";
import {
  Progress,
  describeChanges,
  formatElapsed,
  summaryTotal,
} from "../../../src/automation/progress";
import type { EngineEvent } from "../../../src/automation/workspace";

function ev(kind: string, body: Record<string, unknown>): EngineEvent {
  return { sequence: 0, timestamp: 0, [kind]: body } as unknown as EngineEvent;
}
const meta = (op: string, type: string, name: string) => ({
  metadata: {
    op,
    type,
    urn: `urn:pulumi:dev::zenml-remote-storage::${type}::${name}`,
    provider: "",
  },
});

describe("Progress", () => {
  it("prints the resource, done/total and elapsed time", () => {
    const lines: string[] = [];
    let now = 0;
    const p = new Progress(
      (l) => lines.push(l),
      () => now,
      "apply",
      12,
    );
    p.onEvent(
      ev("resourcePreEvent", meta("same", "pulumi:pulumi:Stack", "zenml-remote-storage-dev")),
    );
    p.onEvent(ev("resourcePreEvent", meta("create", "aws:s3/bucket:Bucket", "s3-store-bucket")));
    now = 7_500;
    p.onEvent(ev("resOutputsEvent", meta("create", "aws:s3/bucket:Bucket", "s3-store-bucket")));
    p.onEvent(ev("resOutputsEvent", meta("same", "aws:iam/user:User", "s3-store-user")));
    now = 65_000;
    p.onEvent(
      ev("resOpFailedEvent", { ...meta("create", "aws:iam/role:Role", "r"), status: 1, steps: 1 }),
    );
    p.onEvent(
      ev("diagnosticEvent", {
        message: "\u001b[31merror: AccessDenied\u001b[0m\nmore",
        color: "",
        severity: "error",
      }),
    );
    p.onEvent(ev("diagnosticEvent", { message: "chatty", color: "", severity: "info" }));
    p.onEvent(
      ev("summaryEvent", {
        resourceChanges: { create: 1, same: 11 },
        durationSeconds: 65,
        maybeCorrupt: false,
        policyPacks: {},
      }),
    );
    expect(lines).toEqual([
      "[ 0/12 0:00] creating aws:s3/bucket:Bucket s3-store-bucket",
      "[ 1/12 0:07] created aws:s3/bucket:Bucket s3-store-bucket",
      "[ 2/12 1:05] failed aws:iam/role:Role r",
      "[ 2/12 1:05] error: error: AccessDenied",
    ]);
    expect(p.errors).toEqual(["error: AccessDenied"]);
    expect(p.summary).toEqual({ resourceChanges: { create: 1, same: 11 }, durationSeconds: 65 });
    expect([...p.types]).toEqual(["pulumi:pulumi:Stack", "aws:s3/bucket:Bucket"]);
  });

  it("says 'would' in a preview and shows only the count without a total", () => {
    const lines: string[] = [];
    const p = new Progress(
      (l) => lines.push(l),
      () => 0,
      "preview",
    );
    p.onEvent(ev("resourcePreEvent", meta("update", "aws:s3/bucket:Bucket", "b")));
    expect(lines).toEqual(["[0 0:00] would update aws:s3/bucket:Bucket b"]);
  });

  it.each([
    [{ create: 3, same: 8 }, false, "3 to create, 8 unchanged"],
    [{ create: 3, same: 8 }, true, "3 created, 8 unchanged"],
    [{ same: 0 }, false, "no changes"],
  ])("describeChanges(%j, %s)", (s, done, text) => expect(describeChanges(s, done)).toBe(text));

  it("totals and times", () => {
    expect(summaryTotal({ create: 2, same: 3 })).toBe(5);
    expect(summaryTotal({})).toBeUndefined();
    expect(formatElapsed(61_999)).toBe("1:01");
  });
});
