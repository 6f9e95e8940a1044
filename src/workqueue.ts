// A rate-limited, delaying work queue with a worker pool, after client-go's util/workqueue:
// - a key is processed by at most one worker at a time;
// - adding a queued key does nothing; adding a key being processed re-processes it afterwards;
// - a failed key is retried after 5 ms, 10 ms, 20 ms, … (at most 1000 s); success resets that;
// - addAfter(key, ms) adds later; when the key already waits, the earlier time wins;
// - addSoon(key) adds after the queue's coalescing window (coalesceMs), so a burst of adds of one
//   key within the window is one run; a key already queued is left as it is.
// Periodic resync is the caller's business (it adds every key on an interval).
// Delays of any size are fine: src/timers.ts re-arms past Node's 2³¹−1 ms.
import { setTimer, systemTimers, type Timer, type TimerHost } from "./timers.ts";

export type Clock = TimerHost;
export const systemClock: Clock = systemTimers;

export interface WorkQueueOptions {
  handler: (key: string) => Promise<void>;
  workers: number;
  clock?: Clock;
  /** first retry delay after a failure (default 5 ms) */
  baseDelayMs?: number;
  /** longest retry delay (default 1000 s) */
  maxDelayMs?: number;
  /** told about every failure before the key is retried (attempt: 1 for the first failure in a row) */
  onError?: (key: string, error: unknown, attempt: number) => void;
  /** addSoon's window (default 0: addSoon is add) */
  coalesceMs?: number;
}

/** Told what a queue does (metrics); the queue works the same without one. */
export interface WorkQueueObserver {
  /** the key entered the ready queue */
  queued(key: string): void;
  /** a worker took the key */
  started(key: string): void;
  /** the handler is done; failed: it threw and the key is retried */
  finished(key: string, failed: boolean): void;
}

export class WorkQueue {
  private readonly handler: (key: string) => Promise<void>;
  private readonly workers: number;
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly onError: (key: string, error: unknown, attempt: number) => void;
  private readonly coalesceMs: number;

  /** keys ready to process, in order */
  private readonly queue: string[] = [];
  /** keys that need processing: queued, or added again while being processed */
  private readonly dirty = new Set<string>();
  /** keys being processed, with the promise that settles when their worker is done */
  private readonly processing = new Map<string, Promise<void>>();
  /** keys waiting for addAfter (soon: for addSoon) */
  private readonly waiting = new Map<string, { readyAt: number; timer: Timer; soon: boolean }>();
  /** consecutive failures per key */
  private readonly failures = new Map<string, number>();
  private retryCount = 0;
  private pumpScheduled = false;
  private shuttingDown = false;
  private observer: WorkQueueObserver | null = null;

  constructor(options: WorkQueueOptions) {
    this.handler = options.handler;
    this.workers = options.workers;
    this.clock = options.clock ?? systemClock;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.onError = options.onError ?? (() => {});
    this.coalesceMs = options.coalesceMs ?? 0;
  }

  /** keys ready and waiting for a worker */
  get depth(): number {
    return this.queue.length;
  }

  /** keys being processed */
  get inFlight(): number {
    return this.processing.size;
  }

  /** keys waiting out addSoon's window */
  get coalescing(): number {
    let n = 0;
    for (const w of this.waiting.values()) if (w.soon) n++;
    return n;
  }

  /** failures retried since the queue was made */
  get retries(): number {
    return this.retryCount;
  }

  observe(observer: WorkQueueObserver): void {
    this.observer = observer;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
    this.schedulePump();
  }

  addAfter(key: string, delayMs: number): void {
    this.wait(key, delayMs, false);
  }

  /** Adds the key after the coalescing window, unless it is queued already (then nothing is lost: the run sees every change so far). */
  addSoon(key: string): void {
    if (this.dirty.has(key)) return;
    this.wait(key, this.coalesceMs, true);
  }

  private wait(key: string, delayMs: number, soon: boolean): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      pending.timer.clear();
    }
    const timer = setTimer(
      () => {
        this.waiting.delete(key);
        this.add(key);
      },
      delayMs,
      { host: this.clock },
    );
    this.waiting.set(key, { readyAt, timer, soon });
  }

  /** Stops taking work: adds are ignored, queued and waiting keys dropped; resolves when in-flight work is done. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.clear();
    this.waiting.clear();
    this.queue.length = 0;
    this.dirty.clear();
    await Promise.all(this.processing.values());
  }

  /** Starts workers on the next microtask, so that adds made together collapse first. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.shuttingDown && this.processing.size < this.workers && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.dirty.delete(key);
      this.observer?.started(key);
      // the handler starts on a later tick, when the key is already registered as processing
      const run = Promise.resolve()
        .then(() => this.process(key))
        .finally(() => this.finish(key));
      this.processing.set(key, run);
    }
  }

  /** Runs the handler; a failure is retried with back-off, a success resets the back-off. */
  private async process(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
      this.observer?.finished(key, false);
    } catch (error) {
      this.observer?.finished(key, true);
      this.onError(key, error, (this.failures.get(key) ?? 0) + 1);
      this.retry(key);
    }
  }

  /** The key's worker is free: a key added meanwhile goes back in the queue. */
  private finish(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.enqueue(key);
    this.pump();
  }

  private enqueue(key: string): void {
    this.queue.push(key);
    this.observer?.queued(key);
  }

  /** Re-adds a failed key after its exponential back-off. */
  private retry(key: string): void {
    if (this.shuttingDown) return;
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.retryCount += 1;
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs));
  }
}
