import { describe, expect, it } from "vitest";
import { Caps, TokenBuckets } from "../../../src/auth/rate-limit.ts";
import { bearerSecret, generateSecret, hashSecret, parseDuration } from "../../../src/auth/tokens.ts";

describe("TokenBuckets", () => {
  it("allows a burst, then refills at the rate, with a retry-after hint", () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 3, () => now);
    expect([buckets.take("a"), buckets.take("a"), buckets.take("a")]).toEqual([0, 0, 0]);
    expect(buckets.take("a")).toBe(1); // empty: one token comes in 0.5 s, hinted as whole seconds
    expect(buckets.take("b")).toBe(0); // each key its own bucket
    now = 499;
    expect(buckets.take("a")).toBe(1);
    now = 1000;
    expect(buckets.take("a")).toBe(0);
    now = 60_000;
    expect([buckets.take("a"), buckets.take("a"), buckets.take("a"), buckets.take("a")]).toEqual([0, 0, 0, 1]); // never above the burst
  });

  it("forgets buckets that have refilled, so memory stays bounded", () => {
    let now = 0;
    const buckets = new TokenBuckets(1000, 1, () => now);
    for (let i = 0; i < 5000; i++) {
      now += 10;
      buckets.take(`k${i}`);
    }
    expect(buckets.size).toBeLessThan(1100);
  });
});

describe("Caps", () => {
  it("caps per key and in all, and a release frees exactly one slot once", () => {
    const caps = new Caps(2, 3);
    const a1 = caps.acquire("a")!;
    caps.acquire("a");
    expect(caps.acquire("a")).toBeNull();
    caps.acquire("b");
    expect(caps.acquire("c")).toBeNull(); // process cap
    a1();
    a1();
    expect(caps.open).toBe(2);
    expect(caps.acquire("a")).not.toBeNull();
    expect(caps.acquire("c")).toBeNull();
  });
});

describe("token secrets", () => {
  it("are random, 256 bits, with a recognisable prefix, stored as SHA-256", () => {
    const a = generateSecret();
    expect(a).toMatch(/^dpl_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(a);
    expect(hashSecret(a)).toHaveLength(32);
  });

  it.each([
    ["Bearer dpl_abc", "dpl_abc"],
    ["bearer   dpl_abc ", "dpl_abc"],
    ["Basic dXNlcjpwYXNz", null],
    ["Bearer", null],
    ["Bearer a b", null],
    [null, null],
  ])("bearerSecret(%j) = %j", (header, secret) => expect(bearerSecret(header)).toBe(secret));

  it.each([
    ["30d", 30 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["90m", 90 * 60_000],
    ["3600s", 3_600_000],
  ])("parseDuration(%j)", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "0d", "30", "1w", "-1d", "1.5h"])("parseDuration refuses %j", (text) => expect(() => parseDuration(text)).toThrow(/expiry must be like/));
});
