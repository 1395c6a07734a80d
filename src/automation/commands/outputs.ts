import { stringify } from "yaml";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT } from "../errors";
import { prepareSession } from "../session";
import { mask } from "./shared";

export interface OutputsArgs extends StackArgs {
  readonly showSecrets?: boolean;
}

export interface OutputsData {
  readonly stack: string;
  /** Output values; secret ones masked leaf by leaf unless --show-secrets. */
  readonly outputs: Record<string, unknown>;
  /** Names of the outputs that are secrets. */
  readonly secret: readonly string[];
}

/** Masks secret outputs (each leaf becomes `[secret]`) unless asked to show them. */
export function presentOutputs(
  outputs: Record<string, { value: unknown; secret: boolean }>,
  showSecrets: boolean,
): { values: Record<string, unknown>; secret: string[] } {
  const values: Record<string, unknown> = {};
  const secret: string[] = [];
  for (const [key, { value, secret: isSecret }] of Object.entries(outputs)) {
    if (isSecret) secret.push(key);
    values[key] = isSecret && !showSecrets ? mask(value) : value;
  }
  return { values, secret };
}

/** outputs: the stack's outputs; secrets masked unless --show-secrets. */
export async function outputs(args: OutputsArgs, deps: Deps): Promise<Outcome<OutputsData>> {
  const session = prepareSession(args, deps);
  await session.open("select");
  const { values, secret } = presentOutputs(
    await session.stack.outputs(),
    args.showSecrets === true,
  );
  const data = { stack: session.name, outputs: values, secret };
  const note =
    secret.length > 0 && !args.showSecrets
      ? `\n# ${secret.join(", ")}: secret (masked); pass --show-secrets to see the values`
      : "";
  return { data, text: stringify(values).trimEnd() + note, exitCode: EXIT.ok };
}
