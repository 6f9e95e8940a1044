import { describe, it, expect } from "vitest";
import { WorkQueue, type Clock, type WorkQueueOptions } from "../../src/workqueue.ts";

/** A clock whose timers fire only when the test advances it. */
class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pendingTimers(): number {
    return this.timers.size;
  }
  /** ms until the next timer fires, or null */
  get nextIn(): number | null {
    const ats = [...this.timers.values()].map((t) => t.at);
    return ats.length === 0 ? null : Math.min(...ats) - this.time;
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (no time passes on the fake clock). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A queue whose handler calls stay open until the test settles them. */
function setup(workers: number, extra: Partial<WorkQueueOptions> = {}) {
  const clock = new FakeClock();
  const calls: { key: string; at: number; done: Deferred }[] = [];
  const errors: [string, unknown][] = [];
  const queue = new WorkQueue({
    workers,
    clock,
    handler: (key) => {
      const done = deferred();
      calls.push({ key, at: clock.now(), done });
      return done.promise;
    },
    onError: (key, error) => errors.push([key, error]),
    ...extra,
  });
  const keys = () => calls.map((c) => c.key);
  return { clock, calls, errors, queue, keys };
}

/** Settles call i and lets the queue react. */
async function succeed(calls: { done: Deferred }[], i: number) {
  calls[i].done.resolve();
  await flush();
}
async function fail(calls: { done: Deferred }[], i: number, error: unknown = new Error("boom")) {
  calls[i].done.reject(error);
  await flush();
}

describe("WorkQueue: processing", () => {
  it("hands an added key to a worker and reports depth and in-flight", async () => {
    const { queue, keys, calls } = setup(1);
    queue.add("default/web");
    expect(queue.depth).toBe(1);
    expect(queue.inFlight).toBe(0);
    await flush();
    expect(keys()).toEqual(["default/web"]);
    expect(queue.depth).toBe(0);
    expect(queue.inFlight).toBe(1);
    await succeed(calls, 0);
    expect(queue.inFlight).toBe(0);
    expect(keys()).toEqual(["default/web"]);
  });

  it("collapses duplicate adds of a queued key", async () => {
    const { queue, keys, calls } = setup(1);
    queue.add("a");
    queue.add("a");
    queue.add("a");
    expect(queue.depth).toBe(1);
    await flush();
    await succeed(calls, 0);
    expect(keys()).toEqual(["a"]);
  });

  it("collapses duplicates while the key waits behind busy workers, and keeps FIFO order", async () => {
    const { queue, keys, calls } = setup(1);
    queue.add("x");
    await flush();
    queue.add("b");
    queue.add("a");
    queue.add("b");
    queue.add("a");
    expect(queue.depth).toBe(2);
    await succeed(calls, 0);
    await succeed(calls, 1);
    await succeed(calls, 2);
    expect(keys()).toEqual(["x", "b", "a"]);
  });

  it("runs up to N keys at once", async () => {
    const { queue, keys, calls } = setup(2);
    queue.add("a");
    queue.add("b");
    queue.add("c");
    await flush();
    expect(keys()).toEqual(["a", "b"]);
    expect(queue.inFlight).toBe(2);
    expect(queue.depth).toBe(1);
    await succeed(calls, 1);
    expect(keys()).toEqual(["a", "b", "c"]);
    expect(queue.inFlight).toBe(2);
  });

  it("never gives one key to two workers; a key added while processing runs once more afterwards", async () => {
    const { queue, keys, calls } = setup(3);
    queue.add("a");
    await flush();
    queue.add("a");
    queue.add("a");
    await flush();
    expect(keys()).toEqual(["a"]);
    expect(queue.inFlight).toBe(1);
    expect(queue.depth).toBe(0);
    await succeed(calls, 0);
    expect(keys()).toEqual(["a", "a"]);
    await succeed(calls, 1);
    expect(keys()).toEqual(["a", "a"]);
    expect(queue.inFlight).toBe(0);
  });

  it("a handler that re-adds its own key before its first await still never runs twice at once", async () => {
    const clock = new FakeClock();
    const calls: Deferred[] = [];
    const queue: WorkQueue = new WorkQueue({
      workers: 2,
      clock,
      handler: (key) => {
        if (calls.length === 0) queue.add(key);
        const done = deferred();
        calls.push(done);
        return done.promise;
      },
    });
    queue.add("a");
    await flush();
    expect(calls).toHaveLength(1);
    expect(queue.inFlight).toBe(1);
    calls[0].resolve();
    await flush();
    expect(calls).toHaveLength(2);
  });

  it("other keys proceed while one key is being processed", async () => {
    const { queue, keys } = setup(2);
    queue.add("a");
    await flush();
    queue.add("a");
    queue.add("b");
    await flush();
    expect(keys()).toEqual(["a", "b"]);
  });
});

describe("WorkQueue: retries", () => {
  it("retries a failed key after 5 ms, 10 ms, 20 ms, … and reports the error and the retries", async () => {
    const { queue, clock, calls, errors } = setup(1);
    const error = new Error("db down");
    queue.add("a");
    await flush();
    for (const delay of [5, 10, 20, 40]) {
      await fail(calls, calls.length - 1, error);
      const before = calls.length;
      clock.advance(delay - 1);
      await flush();
      expect(calls.length).toBe(before);
      clock.advance(1);
      await flush();
      expect(calls.length).toBe(before + 1);
    }
    expect(calls.map((c) => c.at)).toEqual([0, 5, 15, 35, 75]);
    expect(queue.retries).toBe(4);
    expect(errors).toEqual([
      ["a", error],
      ["a", error],
      ["a", error],
      ["a", error],
    ]);
  });

  it("caps the back-off at 1000 s", async () => {
    const { queue, clock, calls } = setup(1);
    queue.add("a");
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 22; i++) {
      await fail(calls, calls.length - 1);
      delays.push(clock.nextIn!);
      clock.advance(clock.nextIn!);
      await flush();
    }
    expect(delays).toEqual(Array.from({ length: 22 }, (_, i) => Math.min(5 * 2 ** i, 1_000_000)));
    expect(delays.at(-1)).toBe(1_000_000);
  });

  it("resets the back-off after a success", async () => {
    const { queue, clock, calls } = setup(1);
    queue.add("a");
    await flush();
    await fail(calls, 0);
    clock.advance(5);
    await flush();
    await fail(calls, 1);
    expect(clock.nextIn).toBe(10);
    clock.advance(10);
    await flush();
    await succeed(calls, 2);
    queue.add("a");
    await flush();
    await fail(calls, 3);
    expect(clock.nextIn).toBe(5);
  });

  it("keeps back-off per key", async () => {
    const { queue, clock, calls } = setup(2);
    queue.add("a");
    await flush();
    await fail(calls, 0);
    clock.advance(5);
    await flush();
    await fail(calls, 1); // a now waits 10 ms
    queue.add("b");
    await flush();
    await fail(calls, 2); // b waits 5 ms
    clock.advance(5);
    await flush();
    expect(calls.map((c) => c.key)).toEqual(["a", "a", "b", "b"]);
  });

  it("treats a handler that throws synchronously as a failure and frees the key", async () => {
    const clock = new FakeClock();
    let n = 0;
    const queue = new WorkQueue({
      workers: 1,
      clock,
      handler: ((): Promise<void> => {
        n += 1;
        throw new Error("sync");
      }) as (key: string) => Promise<void>,
    });
    queue.add("a");
    await flush();
    expect(n).toBe(1);
    expect(queue.inFlight).toBe(0);
    expect(queue.retries).toBe(1);
    clock.advance(5);
    await flush();
    expect(n).toBe(2);
  });
});

describe("WorkQueue: addAfter", () => {
  it("adds the key once the delay has passed", async () => {
    const { queue, clock, keys } = setup(1);
    queue.addAfter("a", 1000);
    await flush();
    expect(queue.depth).toBe(0);
    clock.advance(999);
    await flush();
    expect(keys()).toEqual([]);
    clock.advance(1);
    await flush();
    expect(keys()).toEqual(["a"]);
  });

  it("a delay of 0 or less adds at once", async () => {
    const { queue, clock, keys } = setup(1);
    queue.addAfter("a", 0);
    queue.addAfter("b", -5);
    expect(clock.pendingTimers).toBe(0);
    await flush();
    expect(keys()).toEqual(["a"]);
    expect(queue.depth).toBe(1);
  });

  it("an earlier time replaces a later one", async () => {
    const { queue, clock, keys, calls } = setup(1);
    queue.addAfter("a", 1000);
    queue.addAfter("a", 100);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(100);
    await flush();
    expect(keys()).toEqual(["a"]);
    await succeed(calls, 0);
    clock.advance(2000);
    await flush();
    expect(keys()).toEqual(["a"]);
  });

  it("a later time does not postpone an earlier one", async () => {
    const { queue, clock, keys } = setup(1);
    queue.addAfter("a", 100);
    clock.advance(50);
    queue.addAfter("a", 100); // would be due at 150
    expect(clock.pendingTimers).toBe(1);
    clock.advance(50);
    await flush();
    expect(keys()).toEqual(["a"]);
  });

  it("a delayed add while the key is processing re-processes it afterwards", async () => {
    const { queue, clock, keys, calls } = setup(2);
    queue.add("a");
    await flush();
    queue.addAfter("a", 10);
    clock.advance(10);
    await flush();
    expect(keys()).toEqual(["a"]);
    await succeed(calls, 0);
    expect(keys()).toEqual(["a", "a"]);
  });

  it("delays for different keys are independent", async () => {
    const { queue, clock, keys } = setup(2);
    queue.addAfter("a", 30);
    queue.addAfter("b", 10);
    clock.advance(10);
    await flush();
    expect(keys()).toEqual(["b"]);
    clock.advance(20);
    await flush();
    expect(keys()).toEqual(["b", "a"]);
  });
});

describe("WorkQueue: shutdown", () => {
  it("waits for in-flight work, drops queued and delayed keys and ignores new adds", async () => {
    const { queue, clock, keys, calls } = setup(1);
    queue.add("a");
    await flush();
    queue.add("b");
    queue.add("a");
    queue.addAfter("c", 10);
    let stopped = false;
    const stopping = queue.shutdown().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    expect(queue.depth).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    queue.add("d");
    queue.addAfter("e", 1);
    calls[0].done.resolve();
    await stopping;
    expect(stopped).toBe(true);
    clock.advance(1000);
    await flush();
    expect(keys()).toEqual(["a"]);
    expect(queue.inFlight).toBe(0);
  });

  it("does not retry a key that fails during shutdown", async () => {
    const { queue, clock, keys, calls, errors } = setup(1);
    queue.add("a");
    await flush();
    const stopping = queue.shutdown();
    calls[0].done.reject(new Error("late"));
    await stopping;
    clock.advance(1000);
    await flush();
    expect(keys()).toEqual(["a"]);
    expect(errors).toHaveLength(1);
    expect(queue.retries).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("resolves at once when idle", async () => {
    const { queue } = setup(1);
    await expect(queue.shutdown()).resolves.toBeUndefined();
  });
});

describe("WorkQueue: addSoon (coalesced wake-ups)", () => {
  it("turns a burst of 500 adds of one key within the window into one run, after the window", async () => {
    const { queue, keys, clock, calls } = setup(1, { coalesceMs: 50 });
    for (let i = 0; i < 500; i++) {
      queue.addSoon("rs");
      if (i % 20 === 0) clock.advance(1);
    }
    expect(queue.coalescing).toBe(1);
    expect(clock.now()).toBe(25);
    clock.advance(24);
    await flush();
    expect(keys()).toEqual([]);
    clock.advance(1);
    await flush();
    expect(keys()).toEqual(["rs"]);
    expect(queue.coalescing).toBe(0);
    await succeed(calls, 0);
    expect(keys()).toEqual(["rs"]);
  });

  it("loses no wake-up: an addSoon while the key runs runs it again after the window", async () => {
    const { queue, keys, clock, calls } = setup(1, { coalesceMs: 50 });
    queue.addSoon("rs");
    clock.advance(50);
    await flush();
    expect(keys()).toEqual(["rs"]);
    queue.addSoon("rs"); // a change the running sync may not have seen
    clock.advance(50);
    await flush();
    await succeed(calls, 0);
    expect(keys()).toEqual(["rs", "rs"]);
  });

  it("adds nothing for a key already queued, and brings a later addAfter forward", async () => {
    const { queue, keys, clock, calls } = setup(1, { coalesceMs: 50 });
    queue.add("a");
    queue.addSoon("a");
    expect(queue.coalescing).toBe(0);
    await flush();
    await succeed(calls, 0);
    queue.addAfter("b", 10_000);
    queue.addSoon("b");
    clock.advance(50);
    await flush();
    expect(keys()).toEqual(["a", "b"]);
  });

  it("is add when the window is 0", async () => {
    const { queue, keys } = setup(1);
    queue.addSoon("a");
    expect(queue.depth).toBe(1);
    await flush();
    expect(keys()).toEqual(["a"]);
  });
});
