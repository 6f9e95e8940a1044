// Waiting for a response to take more: a stream writes its next event only once the client has
// taken the last, so a client that stops reading costs its socket's buffers, not server memory.
import type { ServerResponse } from "node:http";

/** Resolves when `res` has drained its buffer, or has closed. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
