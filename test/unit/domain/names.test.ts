import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  POD_NAME_ALPHABET,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  generatePodName,
  isDns1123Label,
  isDns1123Subdomain,
  keyOf,
  splitKey,
} from "../../../src/domain/names.ts";

describe("DNS-1123 label", () => {
  it.each([
    ["a", true],
    ["my-name", true],
    ["123-abc", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["", false],
    ["-a", false],
    ["a-", false],
    ["A", false],
    ["a.b", false],
    ["a_b", false],
    ["ä", false],
  ])("%j → %s", (value, ok) => {
    expect(isDns1123Label(value)).toBe(ok);
  });

  it("words errors like upstream", () => {
    expect(dns1123LabelErrors("a".repeat(64))).toEqual(["must be no more than 63 characters"]);
    expect(dns1123LabelErrors("Web")).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and " +
        "end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is " +
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe("DNS-1123 subdomain", () => {
  it.each([
    ["example.com", true],
    ["a", true],
    ["a.b-c.d", true],
    [`${"a".repeat(63)}.${"b".repeat(63)}`, true],
    ["a".repeat(253), true],
    ["a".repeat(254), false],
    ["", false],
    ["a..b", false],
    [".a", false],
    ["a.", false],
    ["a.-b", false],
    ["A.b", false],
  ])("%j → %s", (value, ok) => {
    expect(isDns1123Subdomain(value)).toBe(ok);
  });

  it("reports only the length for a huge value, without running the pattern", () => {
    expect(dns1123SubdomainErrors("a".repeat(1_000_000) + "!")).toEqual(["must be no more than 253 characters"]);
  });
});

/** A deterministic RandomSource cycling through the given numbers. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe("generatePodName", () => {
  it("appends five characters of the alphabet to `<rs>-`", () => {
    expect(generatePodName("web-66b6c48dd5", sequence(0))).toBe("web-66b6c48dd5-bbbbb");
    expect(generatePodName("web-66b6c48dd5", sequence(0.999999))).toBe("web-66b6c48dd5-99999");
    expect(generatePodName("web", sequence(0, 0.04, 0.5, 0.75, 0.99))).toBe("web-bc" + POD_NAME_ALPHABET[13] + POD_NAME_ALPHABET[20] + "9");
  });

  it("cuts the base so the name is at most 63 characters (upstream SimpleNameGenerator)", () => {
    const name = generatePodName("x".repeat(100), sequence(0));
    expect(name).toBe("x".repeat(58) + "bbbbb");
    expect(generatePodName("y".repeat(57), sequence(0))).toBe("y".repeat(57) + "-bbbbb");
  });

  it("always yields a DNS-1123 subdomain of at most 63 characters for a valid ReplicaSet name", () => {
    const rsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,80}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?){0,3}$/);
    fc.assert(
      fc.property(rsName, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 5, maxLength: 5 }), (rs, rolls) => {
        const name = generatePodName(rs, sequence(...rolls));
        expect(name.length).toBeLessThanOrEqual(63);
        expect(isDns1123Subdomain(name)).toBe(true);
        expect([...name.slice(-5)].every((c) => POD_NAME_ALPHABET.includes(c))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("object keys", () => {
  it.each([
    ["default", "web", "default/web"],
    ["", "web", "/web"],
    ["kube-system", "a.b-c", "kube-system/a.b-c"],
  ])("%j/%j ↔ %j", (namespace, name, key) => {
    expect(keyOf(namespace, name)).toBe(key);
    expect(splitKey(key)).toEqual({ namespace, name });
  });
});
