// A token bucket per key (a token, or a client address when auth is off): `burst` requests at
// once, refilled at `rate` per second. Buckets that are full again are forgotten, so memory is
// bounded by the keys active in the last burst/rate seconds (and at most MAX_KEYS).

const MAX_KEYS = 100_000;

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` from the key's bucket: 0 when allowed, else the seconds until it would be. */
  take(key: string, cost = 1): number {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    if (tokens < cost) {
      this.#save(key, { tokens, at: now });
      return Math.max(1, Math.ceil((Math.min(cost, this.burst) - tokens) / this.rate));
    }
    this.#save(key, { tokens: tokens - cost, at: now });
    return 0;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #save(key: string, bucket: { tokens: number; at: number }) {
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size <= MAX_KEYS && this.#buckets.size % 1024 !== 0) return;
    // forget buckets that have refilled (oldest first); past MAX_KEYS, the oldest ones
    const now = this.now();
    for (const [k, b] of this.#buckets) {
      if (this.#buckets.size > MAX_KEYS || b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.#buckets.delete(k);
      else break;
    }
  }
}

/** Counts of open things (connections, subscriptions) per key and in all, with caps. */
export class Caps {
  readonly #perKey = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly perKey: number,
    private readonly total: number,
  ) {}

  /** Takes one for the key: a release function, or null when a cap is reached. */
  acquire(key: string): (() => void) | null {
    const n = this.#perKey.get(key) ?? 0;
    if (n >= this.perKey || this.#total >= this.total) return null;
    this.#perKey.set(key, n + 1);
    this.#total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = (this.#perKey.get(key) ?? 1) - 1;
      if (left) this.#perKey.set(key, left);
      else this.#perKey.delete(key);
    };
  }

  get open(): number {
    return this.#total;
  }
}
