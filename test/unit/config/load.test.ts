import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadDeployment } from "../../../src/config/load";

function withConfig(config: Record<string, string>): void {
  pulumi.runtime.setAllConfig(config);
}

describe("loadDeployment", () => {
  it("reads stores, zenml settings and aws:region from Pulumi config", () => {
    withConfig({
      "aws:region": "ap-south-1",
      "zenml-remote-storage:stores": JSON.stringify([{ name: "s3-store", backend: "aws" }]),
      "zenml-remote-storage:zenml": JSON.stringify({ serverUrl: "http://127.0.0.1:8237" }),
    });
    const deployment = loadDeployment();
    expect(deployment.stores[0]).toMatchObject({ name: "s3-store", region: "ap-south-1" });
    expect(deployment.zenml).toEqual({ serverUrl: "http://127.0.0.1:8237", adoptExisting: false });
  });

  it.each([
    [{}, "invalid config zenml-remote-storage:stores: must be a list with at least one store"],
    [
      { "zenml-remote-storage:stores": "[{not json" },
      "invalid config zenml-remote-storage:stores: is not valid JSON/YAML structured config",
    ],
    [
      {
        "zenml-remote-storage:stores": JSON.stringify([
          { name: "s3-store", backend: "aws", region: "x" },
        ]),
      },
      'invalid config zenml-remote-storage:stores[0].region: "x" is not an AWS region name',
    ],
    [
      {
        "zenml-remote-storage:stores": JSON.stringify([
          { name: "s3-store", backend: "aws", region: "eu-west-1" },
        ]),
        "zenml-remote-storage:zenmlApikey": "typo",
      },
      "invalid config zenml-remote-storage:zenmlApikey: unknown key; allowed: stores, zenml, zenmlApiKey, storeSecrets, registration; did you mean zenmlApiKey?",
    ],
  ])("ends the program with one clean line on bad config (%#)", (config, message) => {
    withConfig(config as Record<string, string>);
    let error: unknown;
    try {
      loadDeployment();
    } catch (err) {
      error = err;
    }
    // RunError makes the Pulumi CLI print the message without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
