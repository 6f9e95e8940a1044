// rolloutStatus(untilDone: true): the stream of `kubectl rollout status`, which ends. It completes
// after the first status that is done (done implies the Deployment's current generation was
// observed: see src/domain/rollout-status.ts), and ends with an error when the rollout exceeds its
// progress deadline (after that Failed status) or when the Deployment goes away first.
import type { RolloutStatus } from "../domain/rollout-status.ts";
import { apiError } from "./errors.ts";

/**
 * Wraps the hub's subscriber. A hand-written iterator, not an async generator: return() must free
 * the hub's subscriber at once, even while next() waits for a change.
 */
export function untilDone(source: AsyncIterableIterator<RolloutStatus | Error>, namespace: string, name: string): AsyncIterableIterator<RolloutStatus | Error> {
  let ended = false;
  let last: Error | null = null;
  const end = (final: Error | null = null) => {
    ended = true;
    last = final;
    void source.return?.();
  };
  return {
    async next(): Promise<IteratorResult<RolloutStatus | Error>> {
      if (ended) {
        const final = last;
        last = null;
        return final ? { value: final, done: false } : { value: undefined, done: true };
      }
      const result = await source.next();
      if (ended) return this.next();
      if (result.done) {
        end();
        return { value: apiError("DELETED", `Deployment "${name}" in namespace "${namespace}" was deleted before its rollout finished`), done: false };
      }
      const status = result.value;
      if (status instanceof Error || status.done) end();
      else if (status.phase === "Failed") end(apiError("PROGRESS_DEADLINE_EXCEEDED", status.message, { revision: status.revision }));
      return { value: status, done: false };
    },
    async return(): Promise<IteratorResult<RolloutStatus | Error>> {
      end();
      last = null;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
