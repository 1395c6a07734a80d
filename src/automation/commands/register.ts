import * as fs from "node:fs";
import type { Deps, Outcome, StackArgs } from "../context";
import { EXIT, UsageError } from "../errors";
import { PROJECT_NAME } from "../../config/keys";
import { zenmlYamlPath } from "../project";
import { recordRegisteredIn } from "../recordedRegistration";
import { openStack, prepareStack } from "../session";
import { serverSettings, type RegisteredStore } from "../zenmlRegistrar";
import { OperationError } from "../errors";
import { documentsFromStackYaml, StackYamlError } from "../../zenml/stackYaml";
import { checkServerUrl, configuredServer, rel, stackApiKey } from "./shared";

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
  const prepared = prepareStack(args, deps);
  const yamlPath = zenmlYamlPath(deps.projectRoot, prepared.name);
  const source = rel(deps, yamlPath);
  const server =
    args.server !== undefined
      ? checkServerUrl(args.server, "--server")
      : configuredServer(prepared.file);
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
  const opened = await openStack(prepared, args, deps, "select");
  const docs = await documentsFromStackYaml(text, source, async (configPath) => {
    const v = await opened.stack.getConfig(`${PROJECT_NAME}:${configPath}`, { path: true });
    if (v === undefined || v.value === "") {
      throw new OperationError(`the stack config has no ${configPath}; run provision again`);
    }
    return v.value;
  }).catch((err: unknown) => {
    if (err instanceof StackYamlError) throw new UsageError(err.source, err.rule);
    throw err;
  });
  const registrar = await deps.connectZenml(
    serverSettings(server, deps.env, await stackApiKey(opened.stack, deps.env)),
    deps.io.err,
  );
  const registered = await registrar.apply(docs);
  recordRegisteredIn(
    opened.reread(),
    docs.map((d) => d.artifactStore.name),
    server,
    true,
  );
  const data = { stack: prepared.name, server, document: source, registered };
  const lines = [`Registered ${registered.length} store(s) from ${source} in ZenML at ${server}:`];
  for (const r of registered) {
    lines.push(
      `  ${r.store}: connector/secret ${r.credentialsId ?? "-"}, artifact store ${r.artifactStoreId}, stack ${r.stackId}`,
    );
  }
  return { data, text: lines.join("\n"), exitCode: EXIT.ok };
}
