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
    expect(pkg.main).toBe("src/index.ts");
    expect(project.runtime).toEqual({
      name: "nodejs",
      options: { typescript: true, tsconfig: "tsconfig.program.json" },
    });
    expect(project.stackConfigDir).toBe("stacks");
    // A declared key without a default is required by the Pulumi CLI: only `stores` is.
    expect(Object.keys(project.config)).toEqual(["stores"]);
    expect(project.config.stores.description.length).toBeGreaterThan(20);
    for (const optional of ["zenml", "zenmlApiKey", "s3CompatibleCredentials", "registration"]) {
      expect(text).toMatch(new RegExp(`^  #   ${optional} +\\S`, "m"));
    }
  });

  it("the program's tsconfig is read by cmd/run itself: CommonJS and transpile-only, stated in the file", () => {
    // @pulumi/pulumi cmd/run reads only this file's own compilerOptions (no `extends`) to
    // choose transpile-only (`noCheck`) and to override its nodenext defaults.
    const tsconfig = JSON.parse(readFileSync(join(root, "tsconfig.program.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(tsconfig.compilerOptions).toMatchObject({
      noCheck: true,
      module: "commonjs",
      moduleResolution: "node",
    });
    // ts-node (which the program runs under) and TypeScript are production dependencies:
    // `npm ci --omit=dev` must still run the program.
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["typescript", "ts-node"]),
    );
  });
});
