import * as readline from "node:readline";
import type { Deps, Io } from "./context";
import { PROJECT_ROOT } from "./project";

/** stdout for results, stderr for progress and questions. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    confirm: (question) =>
      new Promise((resolve) => {
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        rl.question(`${question} [y/N] `, (answer) => {
          rl.close();
          resolve(/^y(es)?$/i.test(answer.trim()));
        });
      }),
  };
}

/** The real dependencies; each heavy module (Pulumi, AWS SDK, ZenML client) loads on first use. */
export function defaultDeps(io: Io): Deps {
  return {
    projectRoot: PROJECT_ROOT,
    env: process.env,
    io,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    findPulumiCli: async (cli, log) => {
      const { resolvePulumiCommand, sdkInstaller } = await import("./pulumiCli");
      await resolvePulumiCommand(cli, await sdkInstaller(), log);
    },
    openWorkspace: async (request) =>
      (await import("./localWorkspace")).openLocalWorkspace(request),
    connectZenml: async (server, log) =>
      (await import("./zenmlRegistrar")).connectZenmlServer(server, log),
    verifierFor: async (backend) => (await import("../verify")).verifierFor(backend),
    baselineAuditorFor: async (backend) =>
      (await import("../verify/baseline")).baselineAuditorFor(backend),
  };
}
