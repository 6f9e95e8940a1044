// graphql-sse on its own path (single-connection and distinct-connections modes), with
// backpressure towards slow clients.
import type { ServerResponse } from "node:http";
import type { Plugin } from "graphql-yoga";
import { useGraphQLSSE } from "@graphql-yoga/plugin-graphql-sse";
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from "graphql-sse";

/**
 * graphql-sse with backpressure. Its handler moves each operation's results into the connection's
 * queue as fast as they come, without waiting for the client, so a slow client would grow that
 * queue without bound. Here each result waits (onNext) while the event stream's socket buffer is
 * full: a slow client then leaves the results in its subscriber's bounded buffer, which ends it
 * with RESUBSCRIBE as on the other transports.
 */
export function useGraphQLSSEWithBackpressure(endpoint: string): Plugin[] {
  /** single-connection mode: the event stream of each reserved token */
  const streams = new Map<string, ServerResponse>();
  /** distinct-connections mode: each request is its own event stream */
  const responses = new WeakMap<Request, ServerResponse>();
  const tokenOf = (request: Request) => request.headers.get(TOKEN_HEADER_KEY) ?? new URL(request.url).searchParams.get(TOKEN_QUERY_KEY);
  const drained = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  const track: Plugin = {
    onRequest({ request, serverContext }) {
      const res = (serverContext as { res?: ServerResponse }).res;
      if (!res || new URL(request.url).pathname !== endpoint) return;
      responses.set(request, res);
      const token = tokenOf(request);
      if (token && request.method === "GET" && request.headers.get("accept") === "text/event-stream") {
        streams.set(token, res);
        res.once("close", () => streams.get(token) === res && streams.delete(token));
      }
    },
  };
  const sse = useGraphQLSSE({
    endpoint,
    onNext: async (_ctx, req) => {
      const token = tokenOf(req.raw as Request);
      const res = (token && streams.get(token)) || responses.get(req.raw as Request);
      if (res?.writableNeedDrain && !res.destroyed) await drained(res);
    },
  });
  return [track, sse];
}
