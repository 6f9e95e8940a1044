// graphql-sse on its own path (single-connection and distinct-connections modes), with
// backpressure towards slow clients and contract codes on every answer. In place of
// @graphql-yoga/plugin-graphql-sse, whose onSubscribe lets a syntax error or a GET mutation out as
// an HTTP 500 with a stack, and whose validation errors graphql-sse took for execution arguments.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from "graphql-sse";
import { createHandler } from "graphql-sse/lib/use/fetch";
import { contractError } from "./contract-errors.ts";
import { apiError } from "./errors.ts";
import { setTimer, type Timer } from "../timers.ts";
import { Caps } from "../auth/rate-limit.ts";
import { drained } from "../drain.ts";

/** How long a single-connection reservation (PUT) may wait for its event stream (GET) by default. */
export const DEFAULT_SSE_RESERVATION_MS = 30_000;

export interface ReservationLimits {
  /** how long a reservation may wait for its event stream (default DEFAULT_SSE_RESERVATION_MS) */
  reservationMs?: number;
  /** reservations waiting for their event stream, per client address and in all; past either a PUT gets 429 RATE_LIMITED */
  perAddress: number;
  total: number;
  /** queries and subscriptions one single-connection stream may run at once; one more is answered RATE_LIMITED on the stream */
  operationsPerStream: number;
}

const tooManyReservations = () =>
  new Response(JSON.stringify({ errors: [{ message: "too many graphql-sse reservations waiting for their event stream: connect or let one expire first", extensions: { code: "RATE_LIMITED", limit: "sseReservations" } }] }), {
    status: 429,
    headers: { "content-type": "application/json; charset=utf-8" },
  });

/** An answer of errors only, as graphql-sse takes it from onSubscribe (it needs `data`). */
const failed = (...errors: GraphQLError[]): ExecutionResult => ({ data: null, errors });
const refused = (message: string) => failed(new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } }));

/** graphql-sse's own refusals (unparsable body, no query, bad variables…) with a contract code. */
async function withContractCodes(response: Response): Promise<Response> {
  if (response.status < 400 || !response.headers.get("content-type")?.includes("application/json")) return response;
  const body = JSON.parse(await response.text()) as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] };
  const errors = (body.errors ?? []).map((e) => contractError(new GraphQLError(String(e.message), { extensions: e.extensions }), { keepHttp: false }));
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify({ ...body, errors }), { status: response.status, headers });
}

/**
 * graphql-sse with backpressure. Its handler moves each operation's results into the connection's
 * queue as fast as they come, without waiting for the client, so a slow client would grow that
 * queue without bound. Here each result waits (onNext) while the event stream's socket buffer is
 * full: a slow client then leaves the results in its subscriber's bounded buffer, which ends it
 * with RESUBSCRIBE as on the other transports.
 */
/**
 * Reservations that never connect: a PUT reserves a stream and POSTs start operations on it; until
 * the GET connects, their results wait (onNext) in each subscriber's bounded buffer rather than in
 * graphql-sse's unbounded queue, and after `reservationMs` without a GET the reservation is ended
 * (its operations complete, a later GET gets 404). 80 such pairs held 1.1 GB before. Reservations
 * waiting at once are capped per client address and in all, and the operations running on one
 * stream (each holding its result until the stream takes it) are capped like a WebSocket's.
 */
export function useGraphQLSSEWithBackpressure(endpoint: string, { reservationMs = DEFAULT_SSE_RESERVATION_MS, perAddress, total, operationsPerStream }: ReservationLimits): Plugin[] {
  /** single-connection mode: the event stream of each reserved token */
  const streams = new Map<string, ServerResponse>();
  /** distinct-connections mode: each request is its own event stream */
  const responses = new WeakMap<Request, ServerResponse>();
  const tokenOf = (request: Request) => request.headers.get(TOKEN_HEADER_KEY) ?? new URL(request.url).searchParams.get(TOKEN_QUERY_KEY);
  /** single-connection reservations whose event stream has not connected yet */
  const reservations = new Map<string, { expiry: Timer; waiters: (() => void)[]; slot: () => void }>();
  const slots = new Caps(perAddress, total);
  const release = (token: string) => {
    const reservation = reservations.get(token);
    if (!reservation) return;
    reservations.delete(token);
    reservation.expiry.clear();
    reservation.slot();
    for (const wake of reservation.waiters) wake();
  };
  const reserve = (token: string, slot: () => void) => {
    const expiry = setTimer(() => void expire(token), reservationMs, { unref: true });
    reservations.set(token, { expiry, waiters: [], slot });
  };
  /** connects to the reservation and hangs up at once: graphql-sse then completes its operations and forgets it */
  const expire = async (token: string) => {
    if (!reservations.has(token)) return;
    const url = `http://localhost${endpoint}?${TOKEN_QUERY_KEY}=${encodeURIComponent(token)}`;
    const response = await handler(new Request(url, { headers: { accept: "text/event-stream" } }));
    await response.body?.cancel();
    release(token);
  };
  const track: Plugin = {
    onRequest({ request, serverContext }) {
      const res = (serverContext as { res?: ServerResponse }).res;
      if (!res || new URL(request.url).pathname !== endpoint) return;
      responses.set(request, res);
      const token = tokenOf(request);
      if (token && request.method === "GET" && request.headers.get("accept") === "text/event-stream") {
        release(token);
        streams.set(token, res);
        res.once("close", () => streams.get(token) === res && streams.delete(token));
      }
    },
  };
  /** single-connection mode: the operations running on each stream, and the stream of each operation's request */
  const running = new Map<string, number>();
  const runsOn = new WeakMap<Request, string>();
  const serverContexts = new WeakMap<Request, unknown>();
  let handler: (request: Request) => Promise<Response>;
  const sse: Plugin = {
    onYogaInit({ yoga }) {
      handler = createHandler<never>(
        {
          onNext: async (_ctx, req) => {
            const token = tokenOf(req.raw as Request);
            const reservation = token ? reservations.get(token) : undefined;
            if (reservation) await new Promise<void>((wake) => reservation.waiters.push(wake));
            const res = (token && streams.get(token)) || responses.get(req.raw as Request);
            if (res?.writableNeedDrain && !res.destroyed) await drained(res);
          },
          onSubscribe: async (req, params) => {
            const request = req.raw as Request;
            const enveloped = yoga.getEnveloped({ ...(serverContexts.get(request) as object), request, params });
            let document: DocumentNode;
            try {
              document = enveloped.parse(params.query);
            } catch (err) {
              if (!(err instanceof GraphQLError)) throw err;
              return failed(contractError(err, { keepHttp: false }));
            }
            const errors: readonly GraphQLError[] = enveloped.validate(enveloped.schema, document);
            if (errors.length) return failed(...errors.map((e: GraphQLError) => contractError(e, { keepHttp: false })));
            const operation = getOperationAST(document, params.operationName);
            if (!operation) return refused("the document does not name one operation to run (operationName)");
            if (operation.operation === "mutation" && request.method !== "POST") return refused("a mutation needs a POST request");
            const token = tokenOf(request);
            if (token) {
              const count = running.get(token) ?? 0;
              if (count >= operationsPerStream) return failed(apiError("RATE_LIMITED", `too many operations on this stream: at most ${operationsPerStream} at once; complete one first`, { limit: "operationsPerStream" }));
              running.set(token, count + 1);
              runsOn.set(request, token);
            }
            const args: ExecutionArgs = { schema: enveloped.schema, document, contextValue: await enveloped.contextFactory(), variableValues: params.variables, operationName: params.operationName };
            return (operation.operation === "subscription" ? enveloped.subscribe : enveloped.execute)(args) as never;
          },
          // every operation onSubscribe started ends here (completed, stopped by DELETE, or its stream closed)
          onComplete: (_ctx, req) => {
            const token = runsOn.get(req.raw as Request);
            if (!token) return;
            runsOn.delete(req.raw as Request);
            const left = (running.get(token) ?? 1) - 1;
            if (left > 0) running.set(token, left);
            else running.delete(token);
          },
        },
        yoga.fetchAPI,
      );
    },
    onRequest({ request, endResponse, serverContext }) {
      if (new URL(request.url).pathname !== endpoint) return;
      serverContexts.set(request, serverContext);
      let slot: (() => void) | null = null;
      if (request.method === "PUT") {
        slot = slots.acquire((serverContext as { req?: IncomingMessage }).req?.socket.remoteAddress ?? "");
        if (!slot) return endResponse(tooManyReservations());
      }
      return handler(request)
        .then(async (response) => {
          if (slot && response.status === 201) reserve(await response.clone().text(), slot);
          else slot?.();
          return withContractCodes(response);
        }, (err) => {
          slot?.();
          throw err;
        })
        .then(endResponse);
    },
  };
  return [track, sse];
}
