/**
 * Checks of the bench's own pure logic, run at the start of every bench (a
 * wrong depth or median would make every figure after it wrong).
 */
import * as assert from "node:assert/strict";
import { depth, edges, providerUrn, type Registration } from "./graph";
import { importChain, packageOf } from "./proc";
import { growth, summarize } from "./stats";
import { parseFileDurations } from "./tier";

function reg(
  urn: string,
  opts: Partial<Omit<Registration, "urn">> & { props?: Record<string, string[]> } = {},
): Registration {
  return {
    urn,
    type: opts.type ?? "test:index:Thing",
    name: urn,
    custom: opts.custom ?? true,
    parent: opts.parent ?? "",
    dependencies: opts.dependencies ?? Object.values(opts.props ?? {}).flat(),
    propertyDependencies: opts.props ?? {},
    provider: opts.provider ?? "",
  };
}

export function selfTest(): void {
  // stats
  assert.deepEqual(summarize([3, 1, 2]), { n: 3, median: 2, min: 1, max: 3 });
  assert.deepEqual(summarize([4, 1, 2, 3]), { n: 4, median: 2.5, min: 1, max: 4 });
  assert.equal(summarize([]).n, 0);
  const g = growth(100, 190, 1090);
  assert.equal(g.perStoreLow, 10);
  assert.equal(g.perStoreHigh, 10);

  // graph: a chain through properties
  const chain = [
    reg("a"),
    reg("b", { props: { bucket: ["a"] } }),
    reg("c", { props: { policy: ["b"] } }),
  ];
  assert.equal(depth(chain).depth, 3);
  assert.deepEqual(
    depth(chain).chain.map((c) => [c.urn, c.via]),
    [
      ["a", ""],
      ["b", "bucket"],
      ["c", "policy"],
    ],
  );
  // independent resources: depth 1
  assert.equal(depth([reg("a"), reg("b")]).depth, 1);
  // components count 0; a dependency on a component = on its custom children
  const comp = [
    reg("comp", { custom: false }),
    reg("x", { parent: "comp" }),
    reg("y", { parent: "comp", props: { p: ["x"] } }),
    reg("z", { dependencies: ["comp"] }),
  ];
  assert.equal(depth(comp).depth, 3);
  assert.equal(depth(comp).componentResources, 1);
  assert.equal(depth(comp).explicitOnlyEdges, 2); // z -> x and z -> y
  assert.deepEqual(
    edges(comp)
      .get("z")!
      .map((e) => e.to)
      .sort(),
    ["x", "y"],
  );
  // providers count 0 but pass their dependencies on
  const prov = [
    reg("bucket"),
    reg("p", { type: "pulumi:providers:minio", props: { endpoint: ["bucket"] } }),
    reg("user", { provider: "p::p-id" }),
  ];
  assert.equal(depth(prov).depth, 2);
  assert.equal(depth(prov).providerResources, 1);
  assert.equal(
    depth([reg("p", { type: "pulumi:providers:minio" }), reg("u", { provider: "p::id" })]).depth,
    1,
  );
  assert.equal(
    providerUrn("urn:pulumi:s::p::pulumi:providers:minio::m::abc-id"),
    "urn:pulumi:s::p::pulumi:providers:minio::m",
  );
  // dependsOn-only edges are labelled as such
  assert.equal(depth([reg("a"), reg("b", { dependencies: ["a"] })]).chain[1].via, "dependsOn");

  // module bookkeeping
  assert.equal(packageOf("/r/node_modules/@pulumi/aws/index.js"), "@pulumi/aws");
  assert.equal(packageOf("/r/node_modules/a/node_modules/yargs/x.js"), "yargs");
  assert.equal(packageOf("/r/src/index.ts"), undefined);
  assert.deepEqual(
    importChain(
      {
        "/r/bin/x": null,
        "/r/src/cli/index.ts": "/r/bin/x",
        "/r/node_modules/@pulumi/aws/index.js": "/r/src/cli/index.ts",
        "/r/node_modules/@pulumi/aws/s3/index.js": "/r/node_modules/@pulumi/aws/index.js",
      },
      "@pulumi/aws",
      "/r",
    ),
    ["bin/x", "src/cli/index.ts", "@pulumi/aws"],
  );

  // vitest's default reporter lines
  assert.deepEqual(
    parseFileDurations(
      " ✓ |tier| test/tier/azure.test.ts (8 tests) 51733ms\n ✓ test/tier/aws.test.ts (3 tests | 1 skipped) 2.5s\n",
    ),
    { "test/tier/azure.test.ts": 51733, "test/tier/aws.test.ts": 2500 },
  );
}
