import { describe, it, expect } from "vitest";
import {
  canonicalEncoding,
  computePodTemplateHash,
  fnv1a32,
  POD_TEMPLATE_HASH_LABEL,
  safeEncodeString,
  semanticallyEqual,
  templatesEqualIgnoringHash,
} from "../../../src/domain/hash.ts";
import type { PodTemplateSpec } from "../../../src/domain/types.ts";
import { template } from "./deployment-fixtures.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("fnv1a32", () => {
  it.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("FNV-1a 32 of %j is the published vector", (input, expected) => {
    expect(fnv1a32(bytes(input))).toBe(expected);
  });

  it("hashes chunks as their concatenation", () => {
    expect(fnv1a32(bytes("foo"), bytes("bar"))).toBe(fnv1a32(bytes("foobar")));
  });
});

describe("safeEncodeString (upstream rand.SafeEncodeString)", () => {
  it("maps digits 0→4 1→5 2→6 3→7 4→8 5→9 6→b 7→c 8→d 9→f", () => {
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
  });
  it("maps any character into the pod-name alphabet", () => {
    expect(safeEncodeString("abc")).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{3}$/);
  });
});

describe("computePodTemplateHash", () => {
  // Pinned: the hash names ReplicaSets, so the encoding must never drift. Checked against an
  // independent implementation (Python json.dumps(sort_keys) of the same canonical form + FNV-1a).
  it.each([
    [0, "5d45fb8598"],
    [1, "76f4858d55"],
  ])("pinned vector with collisionCount %i", (collisionCount, expected) => {
    expect(computePodTemplateHash(template("nginx:1"), collisionCount)).toBe(expected);
  });

  it("is the safe-encoded decimal FNV-1a of the canonical encoding, then collisionCount as 4 LE bytes + 4 zero bytes", () => {
    const t = template("nginx:1");
    const encoded = bytes(canonicalEncoding(t));
    expect(computePodTemplateHash(t, 0)).toBe(safeEncodeString(String(fnv1a32(encoded))));
    expect(computePodTemplateHash(t, 258)).toBe(safeEncodeString(String(fnv1a32(encoded, new Uint8Array([2, 1, 0, 0, 0, 0, 0, 0])))));
  });

  it("looks like a Kubernetes hash", () => {
    expect(computePodTemplateHash(template("nginx:1"), 0)).toMatch(/^[456789bcdf]{6,10}$/);
  });

  it("does not depend on key order or on absent-versus-empty fields", () => {
    const a = template("nginx:1", { app: "web", tier: "front" });
    const b: PodTemplateSpec = {
      spec: {
        terminationGracePeriodSeconds: 30,
        containers: [{ resources: { limits: {}, requests: {} }, ports: [], env: [], args: [], command: [], image: "nginx:1", name: "app" }],
      },
      metadata: { annotations: {}, labels: { tier: "front", app: "web" } },
    };
    expect(computePodTemplateHash(b, 0)).toBe(computePodTemplateHash(a, 0));
  });

  it.each<[string, (t: PodTemplateSpec) => void]>([
    ["image", (t) => (t.spec.containers[0].image = "nginx:2")],
    ["label", (t) => (t.metadata.labels.extra = "x")],
    ["annotation (kubectl rollout restart)", (t) => (t.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = "2024-01-01T00:00:00Z")],
    ["env", (t) => t.spec.containers[0].env.push({ name: "A", value: "1" })],
    ["grace period", (t) => (t.spec.terminationGracePeriodSeconds = 10)],
  ])("changes with the %s", (_field, change) => {
    const t = template("nginx:1");
    const changed = structuredClone(t);
    change(changed);
    expect(computePodTemplateHash(changed, 0)).not.toBe(computePodTemplateHash(t, 0));
  });

  it("changes with every collisionCount", () => {
    const t = template("nginx:1");
    const hashes = new Set([0, 1, 2, 3].map((n) => computePodTemplateHash(t, n)));
    expect(hashes.size).toBe(4);
  });
});

describe("templatesEqualIgnoringHash (upstream EqualIgnoreHash)", () => {
  const withHash = (t: PodTemplateSpec, hash: string): PodTemplateSpec => ({
    ...t,
    metadata: { ...t.metadata, labels: { ...t.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash } },
  });
  it.each<[string, PodTemplateSpec, PodTemplateSpec, boolean]>([
    ["same template, different hash labels", withHash(template("a"), "111"), withHash(template("a"), "222"), true],
    ["one has the hash label, the other not", withHash(template("a"), "111"), template("a"), true],
    ["different image", withHash(template("a"), "111"), withHash(template("b"), "111"), false],
    ["different other label", template("a", { app: "web" }), template("a", { app: "api" }), false],
    ["a label absent on one side", template("a", { app: "web" }), template("a", { app: "web", x: "y" }), false],
  ])("%s → %s", (_name, a, b, expected) => {
    expect(templatesEqualIgnoringHash(a, b)).toBe(expected);
    expect(templatesEqualIgnoringHash(b, a)).toBe(expected);
  });
});

describe("semanticallyEqual (upstream apiequality.Semantic.DeepEqual)", () => {
  const t0 = new Date("2026-12-01T10:00:00.000Z");
  const t1 = new Date("2026-12-01T10:00:01.000Z");
  it.each([
    ["equal scalars", { a: 1 }, { a: 1 }, true],
    ["different scalars", { a: 1 }, { a: 2 }, false],
    ["key order", { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ["absent vs empty list", { a: [] }, {}, true],
    ["absent vs null", { a: null }, {}, true],
    ["absent vs empty map", { a: {} }, {}, true],
    ["same instant, different Date objects", { t: t0 }, { t: new Date(t0.getTime()) }, true],
    ["timestamps differ", { t: t0 }, { t: t1 }, false],
    ["a timestamp vs none", { t: t0 }, {}, false],
    ["timestamps differ inside a condition list", { c: [{ type: "Ready", at: t0 }] }, { c: [{ type: "Ready", at: t1 }] }, false],
    ["bare timestamps differ", t0, t1, false],
  ])("%s", (_name, a, b, expected) => {
    expect(semanticallyEqual(a, b)).toBe(expected);
    expect(semanticallyEqual(b, a)).toBe(expected);
  });
});
