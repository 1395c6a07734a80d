/**
 * Placeholder answers for the data sources (invokes) the program calls during
 * a preview of each backend, so every example stack can be previewed without
 * a cloud: the same stand-ins `plan --offline` uses (src/plan/placeholders.ts),
 * so the two offline paths agree. Nothing is looked up anywhere.
 */
import { INVOKES } from "../../../src/plan/placeholders";
import type { InvokeHandler } from "./handlers";

export const PLACEHOLDER_INVOKES: Readonly<Record<string, InvokeHandler>> = Object.fromEntries(
  Object.entries(INVOKES).map(([token, invoke]) => [
    token,
    (args) => invoke(args, { config: {} }) as ReturnType<InvokeHandler>,
  ]),
);
