import { firstLine } from "../config/text";
import type { ChangeSummary, EngineEvent } from "./workspace";

const ING: Record<string, string> = {
  create: "creating",
  update: "updating",
  delete: "deleting",
  replace: "replacing",
  "create-replacement": "creating replacement",
  "delete-replaced": "deleting replaced",
  read: "reading",
  refresh: "refreshing",
  import: "importing",
};
const ED: Record<string, string> = {
  create: "created",
  update: "updated",
  delete: "deleted",
  replace: "replaced",
  "create-replacement": "created replacement",
  "delete-replaced": "deleted replaced",
  read: "read",
  refresh: "refreshed",
  import: "imported",
};
const PLAN: Record<string, string> = {
  create: "would create",
  update: "would update",
  delete: "would delete",
  replace: "would replace",
  "create-replacement": "would create replacement",
  "delete-replaced": "would delete replaced",
  read: "would read",
  import: "would import",
};

/** The total number of steps in a change summary (every op, `same` included). */
export function summaryTotal(summary: ChangeSummary | undefined): number | undefined {
  if (summary === undefined) return undefined;
  const total = Object.values(summary).reduce((a, b) => a + b, 0);
  return total > 0 ? total : undefined;
}

/** `m:ss` */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function resourceName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/**
 * Turns Pulumi engine events into progress lines: the resource being worked
 * on, steps done out of the total (when a preview told us the total) and the
 * elapsed time, e.g. `[ 3/11 0:07] creating aws:s3/bucket:Bucket s3-store-bucket`.
 */
export class Progress {
  private done = 0;
  private readonly started: number;
  /** The engine's summary, once it has sent one. */
  summary?: { resourceChanges: ChangeSummary; durationSeconds: number };
  /** Error diagnostics, for the final message when the operation fails. */
  readonly errors: string[] = [];
  /** Every resource type the operation touched. */
  readonly types = new Set<string>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number,
    private readonly mode: "preview" | "apply" = "apply",
    private readonly total?: number,
  ) {
    this.started = now();
  }

  readonly onEvent = (event: EngineEvent): void => {
    if (event.resourcePreEvent) {
      const { op, type, urn } = event.resourcePreEvent.metadata;
      this.types.add(type);
      if (op === "same" || type === "pulumi:pulumi:Stack") return;
      const verb = this.mode === "preview" ? PLAN[op] : ING[op];
      if (verb) this.line(`${verb} ${type} ${resourceName(urn)}`);
    } else if (event.resOutputsEvent) {
      const { op, type, urn } = event.resOutputsEvent.metadata;
      if (type === "pulumi:pulumi:Stack") return;
      this.done += 1;
      if (this.mode === "apply" && op !== "same" && ED[op]) {
        this.line(`${ED[op]} ${type} ${resourceName(urn)}`);
      }
    } else if (event.resOpFailedEvent) {
      const { type, urn } = event.resOpFailedEvent.metadata;
      this.line(`failed ${type} ${resourceName(urn)}`);
    } else if (event.diagnosticEvent) {
      const d = event.diagnosticEvent;
      const message = firstLine(d.message);
      if (message === "") return;
      if (d.severity === "error") {
        this.errors.push(message);
        this.line(`error: ${message}`);
      } else if (d.severity === "warning") {
        this.line(`warning: ${message}`);
      }
    } else if (event.summaryEvent) {
      this.summary = {
        resourceChanges: event.summaryEvent.resourceChanges as ChangeSummary,
        durationSeconds: event.summaryEvent.durationSeconds,
      };
    }
  };

  private line(text: string): void {
    const counter =
      this.total !== undefined
        ? `${String(this.done).padStart(String(this.total).length)}/${this.total}`
        : String(this.done);
    this.write(`[${counter} ${formatElapsed(this.now() - this.started)}] ${text}`);
  }
}

/** `3 to create, 8 unchanged` (planned) or `3 created, 8 unchanged` (done). */
export function describeChanges(summary: ChangeSummary, done = false): string {
  const words: Record<string, string> = done
    ? {
        create: "created",
        update: "updated",
        delete: "deleted",
        replace: "replaced",
        same: "unchanged",
      }
    : {
        create: "to create",
        update: "to update",
        delete: "to delete",
        replace: "to replace",
        same: "unchanged",
      };
  const parts = Object.entries(summary)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${n} ${words[op] ?? op}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
}
