import * as fs from "node:fs";
import { documentsFromStackYaml, StackYamlError } from "../../zenml/stackYaml";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { rel, zenmlYamlPath } from "../project";
import { readRecordedSecret } from "../recordedRegistration";
import { prepareSession } from "../session";
import type { RegisteredStore } from "../zenmlRegistrar";
import { checkServerUrl } from "./shared";

export interface RegisterArgs extends StackArgs {
  readonly server?: string;
}

export interface RegisterData {
  readonly stack: string;
  readonly server: string;
  readonly document: string;
  readonly registered: readonly RegisteredStore[];
}

/**
 * register: applies stacks/<stack>.zenml.yaml to a ZenML server, with the
 * credentials decrypted from the stack config. Adopts objects by name and
 * updates them in place, so running it again changes nothing.
 */
export async function register(args: RegisterArgs, deps: Deps): Promise<Outcome<RegisterData>> {
  const session = prepareSession(args, deps);
  const yamlPath = zenmlYamlPath(deps.projectRoot, session.name);
  const source = rel(deps, yamlPath);
  const server =
    args.server !== undefined ? checkServerUrl(args.server, "--server") : session.configuredServer;
  if (server === undefined) {
    throw new UsageError(
      "--server",
      "is required: the stack config names no ZenML server (zenml.serverUrl)",
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(yamlPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      "--stack",
      code === "ENOENT"
        ? `${source} does not exist; run provision first`
        : `cannot read ${source}: ${code ?? (err as Error).message}`,
    );
  }
  await session.open("select");
  const docs = await documentsFromStackYaml(text, source, (configPath) =>
    readRecordedSecret(session.stack, configPath),
  ).catch((err: unknown) => {
    if (err instanceof StackYamlError) throw new UsageError(err.source, err.rule);
    throw err;
  });
  const registered = await (await session.zenml(server)).apply(docs);
  session.markRegistered(
    docs.map((d) => d.artifactStore.name),
    server,
    true,
  );
  const data = { stack: session.name, server, document: source, registered };
  const lines = [`Registered ${registered.length} store(s) from ${source} in ZenML at ${server}:`];
  for (const r of registered) {
    lines.push(
      `  ${r.store}: connector/secret ${r.credentialsId ?? "-"}, artifact store ${r.artifactStoreId}, stack ${r.stackId}`,
    );
  }
  return { data, text: lines.join("\n"), exitCode: EXIT.ok };
}
