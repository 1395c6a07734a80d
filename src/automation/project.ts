import * as path from "node:path";
import { UsageError } from "./errors";

/**
 * The project directory: `Pulumi.yaml`, the program in `src/`, stack configs in
 * `stacks/`. The script always runs this program (never a copy), so the root is
 * found from this file's own location — `src/automation/` or `dist/automation/`.
 */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** `stackConfigDir` in Pulumi.yaml. */
export const STACK_CONFIG_DIR = "stacks";

/** The embedded default state backend, under the project. */
export const LOCAL_STATE_DIR = ".pulumi-state";

/** Where a stack's config lives: `stacks/Pulumi.<stack>.yaml`. */
export function stackConfigPath(projectRoot: string, stack: string): string {
  return path.join(projectRoot, STACK_CONFIG_DIR, `Pulumi.${stack}.yaml`);
}

/** Where a stack's ZenML registration document lives: `stacks/<stack>.zenml.yaml`. */
export function zenmlYamlPath(projectRoot: string, stack: string): string {
  return path.join(projectRoot, STACK_CONFIG_DIR, `${stack}.zenml.yaml`);
}

// Pulumi stack names: letters, digits, `-`, `_`, `.`; at most 100 characters. The
// script takes the bare name (no `org/project/` prefix) because the name also
// names the stack's config file.
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Validates a `--stack` value; throws a UsageError naming the flag and the rule. */
export function checkStackName(stack: unknown, flag = "--stack"): string {
  if (typeof stack !== "string" || stack.length === 0) {
    throw new UsageError(flag, "is required (the Pulumi stack name, e.g. aws-dev)");
  }
  if (!STACK_NAME.test(stack) || stack === "." || stack === "..") {
    throw new UsageError(
      flag,
      `"${stack}" must be 1-100 letters, digits, "-", "_" or "." (a bare stack name, without org/project)`,
    );
  }
  return stack;
}

/** A path relative to the project, for messages. */
export function rel(deps: { readonly projectRoot: string }, file: string): string {
  return path.relative(deps.projectRoot, file) || file;
}
