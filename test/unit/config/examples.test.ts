import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDeployment } from "../../../src/config/parse";

const root = join(__dirname, "../../..");

describe("example stack configs", () => {
  const examples = [
    "Pulumi.aws-dev.yaml",
    "Pulumi.minio-dev.yaml",
    "Pulumi.gcp-dev.yaml",
    "Pulumi.azure-dev.yaml",
  ];
  it.each(examples)("%s is a valid deployment", (file) => {
    const { config } = parse(readFileSync(join(root, "stacks", file), "utf8")) as {
      config: Record<string, unknown>;
    };
    const deployment = parseDeployment(
      {
        stores: config["zenml-remote-storage:stores"],
        zenml: config["zenml-remote-storage:zenml"],
      },
      {
        providerConfig: {
          "aws:region": config["aws:region"] as string | undefined,
          "gcp:project": config["gcp:project"] as string | undefined,
          "gcp:region": config["gcp:region"] as string | undefined,
          "azure-native:location": config["azure-native:location"] as string | undefined,
        },
      },
    );
    expect(deployment.stores.length).toBeGreaterThan(0);
  });

  it("Pulumi.yaml declares the required key and names every optional one", () => {
    const text = readFileSync(join(root, "Pulumi.yaml"), "utf8");
    const project = parse(text) as {
      name: string;
      main?: string;
      runtime: { name: string; options: Record<string, unknown> };
      stackConfigDir: string;
      config: Record<string, { description: string; default?: unknown }>;
    };
    expect(project.name).toBe("zenml-remote-storage");
    // No `main`: the engine then runs the program from the project root (a file `main`
    // would make src/ the working directory, pulumi/pulumi pkg/engine/project.go getPwdMain),
    // and package.json's `main` names the entry point.
    expect(project.main).toBeUndefined();
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      main: string;
      dependencies: Record<string, string>;
    };
    expect(pkg.main).toBe("src/main.js");
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false } });
    expect(project.stackConfigDir).toBe("stacks");
    // A declared key without a default is required by the Pulumi CLI: only `stores` is.
    expect(Object.keys(project.config)).toEqual(["stores"]);
    expect(project.config.stores.description.length).toBeGreaterThan(20);
    for (const optional of ["zenml", "zenmlApiKey", "storeSecrets", "registration"]) {
      expect(text).toMatch(new RegExp(`^  #   ${optional} +\\S`, "m"));
    }
  });

  it("the program runs without ts-node: its entry registers the transpile cache, and TypeScript is a production dependency", () => {
    expect(readFileSync(join(root, "src", "main.js"), "utf8")).toContain(
      'require("./sourceLoader").registerTypeScript();',
    );
    // `npm ci --omit=dev` must still run the program (TypeScript transpiles on a cache miss).
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).toContain("typescript");
    expect(Object.keys(pkg.dependencies)).not.toContain("ts-node");
  });
});
