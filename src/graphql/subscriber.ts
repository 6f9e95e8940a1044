// One subscriber: an async iterator whose return() frees it at once, even while it waits. The
// SubscriptionHub (./subscription-hub.ts) feeds it.
import type { GraphQLError } from "graphql";


export interface SubscriberOptions<T> {
  /** undelivered items kept at most: live ones and the initial page held or being read */
  limit: number;
  /**
   * The error that ends a subscriber that cannot go on (overflow, lost feed), given the last item
   * it delivered. Without it the subscriber keeps only the newest item instead.
   */
  resumeError?: (reason: string, last: T | null) => GraphQLError;
  /**
   * items to deliver before any live one, a page of at most `room` per call; null when there are
   * no more. A page counts against `limit` from the moment it is asked for.
   */
  initial?: (room: number) => Promise<T[] | null>;
  /** whether a live item is still to be delivered, given the last one delivered */
  accept?: (item: T, last: T | null) => boolean;
  /** called once when the subscriber ends, however it ends */
  onEnd: () => void;
}

export class Subscriber<T> implements AsyncIterableIterator<T | Error> {
  #live: T[] = [];
  #page: T[] = [];
  #initial: ((room: number) => Promise<T[] | null>) | null;
  /** the room of the initial page being read */
  #reading = 0;
  #last: T | null = null;
  #ended = false;
  #final: Error | null = null;
  #wake: (() => void) | null = null;
  readonly #o: SubscriberOptions<T>;

  constructor(options: SubscriberOptions<T>) {
    this.#o = options;
    this.#initial = options.initial ?? null;
  }

  get buffered(): number {
    return this.#live.length + this.#page.length;
  }

  /** A live item (called by the hub, synchronously, in commit order). */
  offer(item: T): void {
    if (this.#ended) return;
    if (this.#live.length + Math.max(this.#page.length, this.#reading) >= this.#o.limit) {
      if (this.#o.resumeError) return this.interrupt(`it fell more than ${this.#o.limit} events behind`);
      this.#live.shift();
    }
    this.#live.push(item);
    this.#wakeUp();
  }

  /** Ends the subscriber with its resume error (only for subscribers that have one). */
  interrupt(reason: string): void {
    this.end(this.#o.resumeError!(reason, this.#last));
  }

  /** Drops everything undelivered; `error`, if given, is the last item. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#live = [];
    this.#page = [];
    this.#initial = null;
    this.#final = error ?? null;
    this.#o.onEnd();
    this.#wakeUp();
  }

  async next(): Promise<IteratorResult<T | Error>> {
    for (;;) {
      if (this.#ended) {
        const final = this.#final;
        this.#final = null;
        return final ? { value: final, done: false } : { value: undefined, done: true };
      }
      const item = this.#take();
      if (item !== undefined) {
        this.#last = item;
        return { value: item, done: false };
      }
      if (this.#initial) await this.#fetchInitial(this.#initial);
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<T | Error>> {
    this.end();
    this.#final = null;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #take(): T | undefined {
    if (this.#page.length) return this.#page.shift();
    if (this.#initial) return undefined;
    while (this.#live.length) {
      const item = this.#live.shift()!;
      if (!this.#o.accept || this.#o.accept(item, this.#last)) return item;
    }
    return undefined;
  }

  async #fetchInitial(initial: (room: number) => Promise<T[] | null>): Promise<void> {
    // half the free room, the other half for live items meanwhile (the page is empty and offer()
    // keeps live + page below the limit: room >= 1)
    this.#reading = Math.ceil((this.#o.limit - this.#live.length) / 2);
    try {
      const page = await initial(this.#reading);
      if (this.#initial !== initial) return; // ended meanwhile
      if (page === null) this.#initial = null;
      else this.#page = page;
    } catch (err) {
      this.end(err as Error);
    } finally {
      this.#reading = 0;
    }
  }

  #wakeUp() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
