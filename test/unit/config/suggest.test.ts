import { describe, expect, it } from "vitest";
import { closest, didYouMean } from "../../../src/config/suggest";
import { checkProjectKeys } from "../../../src/automation/storeFlags";
import { UsageError } from "../../../src/automation/errors";

describe("did you mean", () => {
  it.each([
    ["store", ["stores", "zenml"], "stores"],
    ["zenmlApikey", ["stores", "zenmlApiKey"], "zenmlApiKey"],
    ["versionning", ["name", "versioning"], "versioning"],
    ["bucket-nme", ["bucket-name", "backend"], "bucket-name"],
    ["s3", ["aws", "gcp"], undefined],
    ["colour", ["name", "backend", "region"], undefined],
    ["secretKey", ["accessKeyId", "secretAccessKey"], undefined],
  ])("%s among %j → %s", (name, candidates, expected) => {
    expect(closest(name, candidates)).toBe(expected);
  });

  it("says nothing without a near miss", () => {
    expect(didYouMean("colour", ["name"])).toBe("");
    expect(didYouMean("regin", ["region"], "--")).toBe("; did you mean --region?");
  });
});

describe("unknown keys in the project's namespace (script side)", () => {
  it("names a misspelt key instead of complaining that stores is missing", () => {
    expect(() =>
      checkProjectKeys(
        { "aws:region": "eu-west-1", "zenml-remote-storage:store": [{ name: "s" }] },
        "stacks/Pulumi.dev.yaml",
      ),
    ).toThrow(
      new UsageError(
        "zenml-remote-storage:store (stacks/Pulumi.dev.yaml)",
        "unknown key; allowed: stores, zenml, zenmlApiKey, storeSecrets, registration; did you mean stores?",
      ),
    );
  });

  it("accepts every key the project reads or writes, and other namespaces", () => {
    expect(() =>
      checkProjectKeys(
        {
          "zenml-remote-storage:stores": [],
          "zenml-remote-storage:zenml": {},
          "zenml-remote-storage:zenmlApiKey": { secure: "x" },
          "zenml-remote-storage:storeSecrets": {},
          "zenml-remote-storage:registration": {},
          "gcp:project": "p",
        },
        "f",
      ),
    ).not.toThrow();
  });
});
