import { describe, expect, it } from "vitest";
import { jsonMergePatch, jsonPatch, PatchError, strategicMergePatch, type Json, type PatchMetadata } from "../../../src/domain/patch.ts";
import { fieldsMatch, parseFieldSelector } from "../../../src/domain/fields.ts";

const deployment = (containers: Json[]) => ({ metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 2, template: { spec: { containers } } } });
const nginx = { name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }] };
const sidecar = { name: "log", image: "busybox" };

describe("jsonMergePatch (RFC 7386)", () => {
  it.each<[string, Json, Json, Json]>([
    ["maps merge", { a: 1, b: { c: 2 } }, { b: { d: 3 } }, { a: 1, b: { c: 2, d: 3 } }],
    ["null deletes", { a: 1, b: 2 }, { b: null }, { a: 1 }],
    ["lists replace", { a: [1, 2] }, { a: [3] }, { a: [3] }],
    ["a scalar patch replaces", { a: 1 }, 5, 5],
    ["a map patch on a scalar", 1, { a: 1 }, { a: 1 }],
  ])("%s", (_name, target, patch, expected) => {
    expect(jsonMergePatch(target, patch)).toEqual(expected);
  });
});

describe("jsonPatch (RFC 6902)", () => {
  it.each<[string, Json, Json[], Json]>([
    ["add to a map", { a: 1 }, [{ op: "add", path: "/b", value: 2 }], { a: 1, b: 2 }],
    ["add to a list end", { a: [1] }, [{ op: "add", path: "/a/-", value: 2 }], { a: [1, 2] }],
    ["insert into a list", { a: [1, 3] }, [{ op: "add", path: "/a/1", value: 2 }], { a: [1, 2, 3] }],
    ["replace", { spec: { replicas: 1 } }, [{ op: "replace", path: "/spec/replicas", value: 3 }], { spec: { replicas: 3 } }],
    ["remove", { a: 1, b: 2 }, [{ op: "remove", path: "/b" }], { a: 1 }],
    ["move", { a: 1 }, [{ op: "move", from: "/a", path: "/b" }], { b: 1 }],
    ["copy", { a: { x: 1 } }, [{ op: "copy", from: "/a", path: "/b" }], { a: { x: 1 }, b: { x: 1 } }],
    ["escaped keys", { "a/b": 1 }, [{ op: "replace", path: "/a~1b", value: 2 }], { "a/b": 2 }],
    ["test that holds", { a: 1 }, [{ op: "test", path: "/a", value: 1 }], { a: 1 }],
  ])("%s", (_name, target, ops, expected) => {
    expect(jsonPatch(target, ops)).toEqual(expected);
  });

  it.each<[string, Json, unknown]>([
    ["a failing test", { a: 1 }, [{ op: "test", path: "/a", value: 2 }]],
    ["replace of a missing key", { a: 1 }, [{ op: "replace", path: "/b", value: 2 }]],
    ["remove past the end", { a: [1] }, [{ op: "remove", path: "/a/1" }]],
    ["an unknown op", {}, [{ op: "merge", path: "/a" }]],
    ["not a list", {}, { op: "add" }],
  ])("refuses %s", (_name, target, ops) => {
    expect(() => jsonPatch(target, ops)).toThrow(PatchError);
  });

  it("leaves the target unchanged", () => {
    const target = { a: [1] };
    jsonPatch(target, [{ op: "add", path: "/a/-", value: 2 }]);
    expect(target).toEqual({ a: [1] });
  });
});

describe("strategicMergePatch", () => {
  // upstream's patch tags on the Deployment fields these cases touch
  const DEPLOYMENT: PatchMetadata = {
    mergeKeys: { "spec.template.spec.containers": "name", "spec.template.spec.containers.env": "name", "spec.template.spec.containers.ports": "containerPort" },
    setLists: ["metadata.finalizers"],
  };
  it.each<[string, Json, Json, Json]>([
    ["set image merges the container by name", deployment([nginx, sidecar]), { spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } } }, deployment([{ ...nginx, image: "nginx:1.27" }, sidecar])],
    ["a new container is appended", deployment([nginx]), { spec: { template: { spec: { containers: [sidecar] } } } }, deployment([nginx, sidecar])],
    ["env merges by name inside a container", deployment([nginx]), { spec: { template: { spec: { containers: [{ name: "nginx", env: [{ name: "B", value: "2" }] }] } } } }, deployment([{ ...nginx, env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }])],
    ["$patch: delete removes a container", deployment([nginx, sidecar]), { spec: { template: { spec: { containers: [{ name: "log", $patch: "delete" }] } } } }, deployment([nginx])],
    ["$patch: replace replaces the list", deployment([nginx, sidecar]), { spec: { template: { spec: { containers: [sidecar, { $patch: "replace" }] } } } }, deployment([sidecar])],
    ["$setElementOrder orders the merged list", deployment([nginx, sidecar]), { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "log" }, { name: "nginx" }], containers: [{ name: "nginx", image: "x" }] } } } }, deployment([sidecar, { ...nginx, image: "x" }])],
    ["null deletes a key", deployment([nginx]), { metadata: { labels: { app: null } } }, { ...deployment([nginx]), metadata: { name: "web", labels: {} } }],
    ["$retainKeys drops the keys not listed", { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } }, { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } }, { spec: { strategy: { type: "Recreate" } } }],
    ["$patch: replace on a map", { spec: { selector: { matchLabels: { a: "1" } } } }, { spec: { selector: { $patch: "replace", matchLabels: { b: "2" } } } }, { spec: { selector: { matchLabels: { b: "2" } } } }],
    ["lists without a merge key replace", { spec: { template: { spec: { containers: [{ name: "c", args: ["a", "b"] }] } } } }, { spec: { template: { spec: { containers: [{ name: "c", args: ["z"] }] } } } }, { spec: { template: { spec: { containers: [{ name: "c", args: ["z"] }] } } } }],
    ["finalizers merge as a set", { metadata: { finalizers: ["a"] } }, { metadata: { finalizers: ["a", "b"] } }, { metadata: { finalizers: ["a", "b"] } }],
    ["$deleteFromPrimitiveList", { metadata: { finalizers: ["a", "b"] } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }, { metadata: { finalizers: ["b"] } }],
  ])("%s", (_name, target, patch, expected) => {
    expect(strategicMergePatch(target, patch, DEPLOYMENT)).toEqual(expected);
  });

  it.each<[string, Json]>([
    ["an element without its merge key", { spec: { template: { spec: { containers: [{ image: "x" }] } } } }],
    ["an unknown directive", { spec: { $patch: "merge-harder" } }],
    ["a patch that is not an object", [1]],
  ])("refuses %s", (_name, patch) => {
    expect(() => strategicMergePatch(deployment([nginx]), patch, DEPLOYMENT)).toThrow(PatchError);
  });
});

describe("field selectors", () => {
  it.each<[string, Record<string, string>, boolean]>([
    ["metadata.name=web", { "metadata.name": "web" }, true],
    ["metadata.name==web", { "metadata.name": "api" }, false],
    ["metadata.name!=web,metadata.namespace=a", { "metadata.name": "api", "metadata.namespace": "a" }, true],
    ["", { "metadata.name": "x" }, true],
  ])("%s on %j is %s", (text, fields, expected) => {
    expect(fieldsMatch(parseFieldSelector(text), fields)).toBe(expected);
  });

  it("refuses a term without an operator", () => {
    expect(() => parseFieldSelector("metadata.name")).toThrow(/invalid selector/);
  });
});
