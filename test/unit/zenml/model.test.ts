/**
 * The registration model's codec: the program's `stores` output and the stack
 * config's `registration` are read back into the one model, also as older
 * versions wrote them (flat connector fields, empty strings for "no connector").
 */
import { describe, expect, it } from "vitest";
import {
  describeAuth,
  storeFacts,
  storeFactsFromRecord,
  storeRegistration,
  type StoreFacts,
} from "../../../src/zenml/model";

const CONNECTOR: StoreFacts = {
  backend: "aws",
  stackName: "s3-stack",
  flavor: "s3",
  path: "s3://b",
  artifactStoreConfiguration: { path: "s3://b" },
  auth: {
    kind: "connector",
    type: "aws",
    method: "iam-role",
    resourceType: "s3-bucket",
    resourceId: "s3://b",
    configuration: { region: "eu-west-1", role_arn: "arn:aws:iam::1:role/r" },
  },
};
const SECRET: StoreFacts = {
  backend: "azure",
  stackName: "az",
  flavor: "azure",
  path: "az://c",
  artifactStoreConfiguration: { path: "az://c", authentication_secret: "az-secret" },
  auth: { kind: "secret", name: "az-secret" },
};

describe("storeFactsFromRecord", () => {
  it.each([
    ["a connector store", CONNECTOR],
    ["a ZenML-secret store", SECRET],
  ])("reads back %s exactly as written (through JSON)", (_, facts) => {
    expect(storeFactsFromRecord(JSON.parse(JSON.stringify(facts)), "r")).toEqual(facts);
  });

  it("drops keys that are not facts (registeredIn, credentials) from the result", () => {
    const record = { ...CONNECTOR, registeredIn: ["https://z"], credentials: { k: "secure" } };
    expect(storeFactsFromRecord(record, "r")).toEqual(CONNECTOR);
  });

  it.each([
    [
      "a connector",
      {
        connectorType: "aws",
        authMethod: "iam-role",
        resourceType: "s3-bucket",
        resourceId: "s3://b",
        connectorConfiguration: { region: "eu-west-1", role_arn: "arn:aws:iam::1:role/r" },
      },
      CONNECTOR.auth,
    ],
    [
      "an Azure SAS store (empty connector fields, the secret in the artifact store)",
      { connectorType: "", authMethod: "", resourceType: "", connectorConfiguration: {} },
      SECRET.auth,
    ],
    [
      "an S3-compatible store (connector fields and authenticationSecret)",
      {
        connectorType: "aws",
        authMethod: "secret-key",
        resourceType: "s3-bucket",
        authenticationSecret: "az-secret",
      },
      SECRET.auth,
    ],
  ])("reads a record written before `auth` existed: %s", (_, flat, auth) => {
    const base = auth.kind === "secret" ? SECRET : CONNECTOR;
    const legacy = { ...base, auth: undefined, ...flat };
    expect(storeFactsFromRecord(legacy, "r").auth).toEqual(auth);
  });

  it.each([
    [null, "r must be a map"],
    [{ ...SECRET, backend: "ftp" }, "r.backend must be one of aws, gcp, azure, s3-compatible"],
    [{ ...SECRET, flavor: "local" }, "r.flavor must be one of s3, gcp, azure"],
    [{ ...SECRET, stackName: "" }, "r.stackName must be a non-empty string"],
    [{ ...SECRET, artifactStoreConfiguration: "x" }, "r.artifactStoreConfiguration must be a map"],
    [{ ...SECRET, auth: { kind: "secret" } }, "r.auth.name must be a non-empty string"],
    [{ ...SECRET, auth: "secret" }, "r.auth must be a map"],
    [
      { ...CONNECTOR, auth: { ...CONNECTOR.auth, configuration: [] } },
      "r.auth.configuration must be a map",
    ],
    [
      { ...CONNECTOR, auth: undefined, connectorType: "" },
      "r.connectorType must be a non-empty string",
    ],
  ])("refuses %j with one line naming the field", (raw, message) => {
    expect(() => storeFactsFromRecord(raw, "r")).toThrow(message);
  });
});

describe("storeRegistration and storeFacts", () => {
  it("a registration is the facts plus name and credentials; storeFacts takes them back off", () => {
    const reg = storeRegistration("s3", { ...CONNECTOR, registeredIn: [] } as StoreFacts, {
      k: "v",
    });
    expect(reg).toEqual({ storeName: "s3", ...CONNECTOR, credentials: { k: "v" } });
    expect(storeFacts(reg)).toEqual(CONNECTOR);
  });
});

describe("describeAuth", () => {
  it.each([
    [CONNECTOR, "connector aws/iam-role s3://b"],
    [SECRET, "ZenML secret az-secret"],
  ])("%#", (facts, text) => expect(describeAuth(facts.auth)).toBe(text));
});
