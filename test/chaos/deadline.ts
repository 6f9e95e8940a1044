// Nothing in the campaign waits without a bound: every await goes through `within`, which fails
// with a message naming what it waited for once its own bound or the campaign's hard deadline
// (whichever is first) has passed. A hang becomes a clear failure, and the campaign's `finally`
// still runs to stop every process it started.

export class DeadlineError extends Error {}

/** the campaign's own reads (pg options): a query and a connection attempt fail rather than wait forever */
export const QUERY_LIMITS = { query_timeout: 30_000, connectionTimeoutMillis: 10_000 };

export class Deadline {
  readonly totalMs: number;
  readonly #end: number;

  constructor(totalMs: number) {
    this.totalMs = totalMs;
    this.#end = Date.now() + totalMs;
  }

  /** ms until the hard deadline (negative once it has passed) */
  get leftMs(): number {
    return this.#end - Date.now();
  }

  /** `work`'s result, or a DeadlineError naming `what` after `ms` or at the hard deadline. */
  async within<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
    const hard = this.leftMs < ms;
    const message = hard
      ? `the campaign's hard deadline (${Math.round(this.totalMs / 1000)} s) passed while waiting for ${what}`
      : `${what} did not finish within ${ms} ms`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(message)), Math.max(0, Math.min(ms, this.leftMs)));
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
