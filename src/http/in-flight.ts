// The HTTP responses a server has not finished, so that shutdown can let them finish (bounded).
// Event streams are not waited for: shutdown ends their subscriptions first, and a stream that
// stays open (graphql-sse's single connection between operations) would never finish by itself.
import type { ServerResponse } from "node:http";

const isEventStream = (res: ServerResponse) => String(res.getHeader("content-type") ?? "").startsWith("text/event-stream");

export class InFlight {
  readonly #open = new Set<ServerResponse>();
  #wake: (() => void) | null = null;

  track(res: ServerResponse): void {
    this.#open.add(res);
    res.once("close", () => {
      this.#open.delete(res);
      this.#wake?.();
    });
  }

  /** responses not finished, event streams left out */
  get count(): number {
    return [...this.#open].filter((res) => !isEventStream(res)).length;
  }

  /** Resolves when every response but event streams has finished, or after `ms`. */
  async settled(ms: number): Promise<void> {
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = null;
        resolve();
      }
      this.#wake = () => this.count === 0 && done();
    });
  }
}
