// One port, one path: yoga serves HTTP (queries, mutations, SSE subscriptions) and GraphiQL on
// /graphql, graphql-ws serves WebSocket upgrades on the same path; /healthz and /readyz answer JSON.
// Subscriptions over SSE: yoga's own on /graphql (`Accept: text/event-stream`, one connection per
// operation, graphql-sse's "distinct connections" mode), and graphql-sse's single-connection mode
// (and its distinct mode) on /graphql/stream; a single connection lives on one instance, so a load
// balancer must keep a client's requests to /graphql/stream on one instance. Every transport builds
// its context with createContext. The server owns the subscription hub that fans the change feed
// out to its subscribers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { execute, GraphQLError, subscribe, type ExecutionArgs } from "graphql";
import { createYoga, isAsyncIterable, type Plugin } from "graphql-yoga";
import { useGraphQLSSE } from "@graphql-yoga/plugin-graphql-sse";
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from "graphql-sse";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { migrationsApplied } from "./db/migrate.ts";
import { DEFAULT_SUBSCRIPTION_BUFFER } from "./config.ts";
import { createContext, type Services } from "./graphql/context.ts";
import { queryShapeLimits } from "./graphql/limits.ts";
import { schema } from "./graphql/schema.ts";
import { SubscriptionHub } from "./graphql/subscription-hub.ts";
import type { Logger } from "./log.ts";

export interface ApiServer {
  url: string;
  server: Server;
  hub: SubscriptionHub;
  close(): Promise<void>;
}

export const GRAPHQL_PATH = "/graphql";
/** graphql-sse (single-connection and distinct-connections modes) */
const GRAPHQL_SSE_PATH = "/graphql/stream";

/** A malformed request (document or variables) is the client's input error: BAD_USER_INPUT. */
function asBadUserInput(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
  });
}

/** Errors of coercing variables come out of execute with neither a path nor a code. */
const isVariableError = (error: GraphQLError) => error.path === undefined && error.extensions?.code === undefined;

/** Refuses documents that could make a response explode (src/graphql/limits.ts), on every transport. */
const useQueryShapeLimits: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(queryShapeLimits),
};

const useBadUserInputCode: Plugin = {
  onValidate: () => ({ result, setResult }) => {
    if (result.length) setResult(result.map((e) => asBadUserInput(e as GraphQLError)));
  },
  onExecute: () => ({
    onExecuteDone: ({ result, setResult }) => {
      if (isAsyncIterable(result) || !result.errors?.some(isVariableError)) return;
      setResult({ ...result, errors: result.errors.map((e) => (isVariableError(e) ? asBadUserInput(e) : e)) });
    },
  }),
};

/** Request bodies are read whole, so their size is bounded: it must be declared and at most this. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

function bodyRefusal(req: IncomingMessage): { status: number; message: string } | null {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS" || req.method === "DELETE") return null;
  const declared = req.headers["content-length"];
  if (declared === undefined) return { status: 411, message: "a request body needs a Content-Length header" };
  if (Number(declared) > MAX_BODY_BYTES) return { status: 413, message: `request body over ${MAX_BODY_BYTES} bytes` };
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * graphql-sse with backpressure. Its handler moves each operation's results into the connection's
 * queue as fast as they come, without waiting for the client, so a slow client would grow that
 * queue without bound. Here each result waits (onNext) while the event stream's socket buffer is
 * full: a slow client then leaves the results in its subscriber's bounded buffer, which ends it
 * with RESUBSCRIBE as on the other transports.
 */
function useGraphQLSSEWithBackpressure(endpoint: string): Plugin[] {
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

export interface ServerOptions {
  host: string;
  port: number;
  log: Logger;
  /** undelivered events a subscriber may fall behind (see SubscriptionHub) */
  subscriptionBuffer?: number;
}

export async function startServer(services: Services, options: ServerOptions): Promise<ApiServer> {
  const hub = new SubscriptionHub({ ...services, limit: options.subscriptionBuffer ?? DEFAULT_SUBSCRIPTION_BUFFER, log: options.log });
  const yoga = createYoga<{ connectionParams?: Record<string, unknown> }>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { subscriptionsProtocol: "WS" },
    landingPage: false,
    logging: false,
    plugins: [useQueryShapeLimits, useBadUserInputCode, ...useGraphQLSSEWithBackpressure(GRAPHQL_SSE_PATH)],
    context: ({ request, connectionParams }) => createContext({ ...services, hub }, { request, connectionParams }),
  });

  async function ready(): Promise<{ ok: boolean; database: boolean; migrations: boolean }> {
    try {
      const applied = await migrationsApplied((sql) => services.db.$queryRawUnsafe(sql));
      return { ok: applied, database: true, migrations: applied };
    } catch {
      return { ok: false, database: false, migrations: false };
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path === "/readyz") {
      void ready().then((r) => sendJson(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not ready", database: r.database, migrations: r.migrations }));
      return;
    }
    if (path === "/") {
      res.writeHead(302, { location: GRAPHQL_PATH });
      res.end();
      return;
    }
    const refusal = bodyRefusal(req);
    if (refusal) return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: "BAD_USER_INPUT" } }] });
    void yoga.requestListener(req, res);
  });

  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
  const wsServer = useServer(
    {
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, connectionParams: ctx.connectionParams });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (err) {
          // a syntax error ends this operation only, not the socket with its other subscriptions
          return [asBadUserInput(err as GraphQLError)];
        }
        const args = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  return {
    url,
    server,
    hub,
    async close() {
      hub.stop();
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
