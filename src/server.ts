// One port, one path: yoga serves HTTP (queries, mutations, SSE subscriptions) and GraphiQL on
// /graphql, graphql-ws serves WebSocket upgrades on the same path (and the legacy
// subscriptions-transport-ws protocol, by subprotocol: graphql/websocket.ts); /healthz and /readyz answer JSON.
// Subscriptions over SSE: yoga's own on /graphql (`Accept: text/event-stream`, one connection per
// operation, graphql-sse's "distinct connections" mode), and graphql-sse's single-connection mode
// (and its distinct mode) on /graphql/stream; a single connection lives on one instance, so a load
// balancer must keep a client's requests to /graphql/stream on one instance. Every transport builds
// its context with createContext. The server owns the subscription hub that fans the change feed
// out to its subscribers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { execute, GraphQLError, subscribe, type ExecutionArgs } from "graphql";
import { createYoga } from "graphql-yoga";
import { WebSocketServer } from "ws";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { corsOptions, refuse, type GuardOptions } from "./auth/guard.ts";
import { Auth, type AuthOptions } from "./auth/plugin.ts";
import { migrationsApplied } from "./db/migrate.ts";
import { DEFAULT_SUBSCRIPTION_BUFFER, loadConfig } from "./config.ts";
import { createContext, type Services } from "./graphql/context.ts";
import { useContractCodes, useQueryShapeLimits } from "./graphql/plugins.ts";
import { contractError } from "./graphql/contract-errors.ts";
import { boundedParserCache, useDocumentSizeLimit } from "./graphql/document-limits.ts";
import { schema } from "./graphql/schema.ts";
import { useObservability } from "./graphql/observe.ts";
import { useGraphQLSSEWithBackpressure } from "./graphql/sse.ts";
import { useUnavailableCode } from "./graphql/unavailable.ts";
import { SubscriptionHub } from "./graphql/subscription-hub.ts";
import { useUnexpectedErrors, yogaLogger } from "./graphql/unexpected-errors.ts";
import { InFlight } from "./http/in-flight.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "./http/request-id.ts";
import { serveWebSockets } from "./graphql/websocket.ts";
import { GRAPHIQL_OPTIONS, playgroundRoutes, renderOfflineGraphiQL } from "./http/ide.ts";
import { dashboardRoute } from "./http/dashboard.ts";
import { bodyRefusal, MAX_BODY_BYTES, sendJson } from "./http/respond.ts";
import { requestTimeoutOptions, type RequestTimeouts } from "./http/timeouts.ts";
import { kubeRoute } from "./kube/router.ts";
import { capConnectionsPerAddress } from "./http/connection-cap.ts";
import type { Logger } from "./log.ts";
import { Metrics, metricsRoute } from "./metrics.ts";

export interface ApiServer {
  url: string;
  server: Server;
  hub: SubscriptionHub;
  close(): Promise<void>;
}

export const GRAPHQL_PATH = "/graphql";

/**
 * A route beside GraphQL: answers the requests it claims (by returning true) and leaves the rest.
 * Routes are tried in order before the body bound and yoga.
 */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
/** graphql-sse (single-connection and distinct-connections modes) */
const GRAPHQL_SSE_PATH = "/graphql/stream";
/**
 * connections the kernel completes and queues before the server accepts them (the kernel caps it
 * at net.core.somaxconn). Node's default, 511, overflowed when 10,000 WebSockets arrived at
 * 1,000/s while the event loop was busy: the clients were reset (issue 15, bench 3).
 */
const LISTEN_BACKLOG = 4096;

export interface ServerOptions {
  host: string;
  port: number;
  log: Logger;
  /** undelivered events a subscriber may fall behind (see SubscriptionHub) */
  subscriptionBuffer?: number;
  /** auth, browser checks and abuse limits (src/auth/); unset ones take the configuration's defaults for `host` */
  security?: Partial<SecurityOptions>;
  /** the process's metrics (default: a registry of this server's own) */
  metrics?: Metrics;
  /** METRICS_PUBLIC: /metrics without a token even when auth is on */
  metricsPublic?: boolean;
  /** on close, how long in-flight HTTP requests may take to finish (default 5 s) */
  drainMs?: number;
  /** PEM certificate and key: serve HTTPS and WSS (tokens never cross the network in the clear) */
  tls?: { cert: string; key: string } | null;
  /** concurrent connections one client address may hold (default 1 000) */
  connectionsPerAddress?: number;
  /** how long a graphql-sse reservation may wait for its event stream (default 30 s) */
  sseReservationMs?: number;
  /** how long a client may take to send a request (default DEFAULT_REQUEST_TIMEOUTS) */
  requestTimeouts?: RequestTimeouts;
}

export type SecurityOptions = GuardOptions & AuthOptions & { maxBatch: number; wsOperationsPerSocket: number; sseReservationsPerAddress: number; sseReservations: number; sseOperationsPerStream: number };

/** the header a GET request needs (yoga's CSRF prevention); a JSON POST is preflighted anyway */
export const CSRF_HEADER = "x-graphql-yoga-csrf";

export async function startServer(services: Services, options: ServerOptions): Promise<ApiServer> {
  const hub = new SubscriptionHub({ ...services, limit: options.subscriptionBuffer ?? DEFAULT_SUBSCRIPTION_BUFFER, log: options.log });
  const security: SecurityOptions = { ...loadConfig({ HOST: options.host }), ...options.security };
  const auth = new Auth(services.db, security, options.log);
  const metrics = options.metrics ?? new Metrics(services);
  const yoga = createYoga<{ connectionParams?: Record<string, unknown>; req: IncomingMessage }>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: GRAPHIQL_OPTIONS,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    logging: yogaLogger(options.log),
    maskedErrors: { isDev: false },
    parserAndValidationCache: boundedParserCache(),
    cors: corsOptions(security.corsOrigins),
    batching: { limit: security.maxBatch },
    plugins: [
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      auth.plugin as never,
      // before useUnexpectedErrors: envelop calls onExecuteDone in this order, and the masking
      // would otherwise turn a lost database connection into INTERNAL_SERVER_ERROR first
      useUnavailableCode,
      useUnexpectedErrors(options.log),
      useObservability(metrics, options.log),
      useDocumentSizeLimit,
      useQueryShapeLimits,
      useContractCodes,
      ...useGraphQLSSEWithBackpressure(GRAPHQL_SSE_PATH, { reservationMs: options.sseReservationMs, perAddress: security.sseReservationsPerAddress, total: security.sseReservations, operationsPerStream: security.sseOperationsPerStream }),
    ],
    context: ({ request, connectionParams, req }) => createContext({ ...services, hub }, { request, connectionParams, requestId: requestIdOf(req) }),
  });
  /** shutting down: /readyz answers 503 */
  let draining = false;
  const inFlight = new InFlight();

  async function ready(): Promise<{ ok: boolean; database: boolean; migrations: boolean }> {
    try {
      const applied = await migrationsApplied((sql) => services.db.$queryRawUnsafe(sql));
      return { ok: applied, database: true, migrations: applied };
    } catch {
      return { ok: false, database: false, migrations: false };
    }
  }

  const routes: HttpRoute[] = [
    dashboardRoute,
    (_req, res, path) => path === "/healthz" && (sendJson(res, 200, { status: "ok" }), true),
    (_req, res, path) => {
      if (path !== "/readyz") return false;
      if (draining) return sendJson(res, 503, { status: "shutting down" }), true;
      void ready().then((r) => sendJson(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not ready", database: r.database, migrations: r.migrations }));
      return true;
    },
    kubeRoute({ ...services, log: options.log, auth, hub: metrics.observeWatches(hub) }),
    (_req, res, path) => {
      if (path !== "/") return false;
      res.writeHead(302, { location: GRAPHQL_PATH });
      res.end();
      return true;
    },
    metricsRoute(metrics, {
      public: options.metricsPublic ?? false,
      authorize: async (req) => (await auth.authenticate(req.headers.authorization ?? null)).principal !== null,
    }),
    ...playgroundRoutes(GRAPHQL_PATH),
  ];

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    inFlight.track(res);
    const started = performance.now();
    res.once("close", () => options.log.debug("request", { requestId, method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }));
    const path = (req.url ?? "/").split("?")[0];
    if (routes.some((route) => route(req, res, path))) return;
    const refused = refuse(req, security);
    if (refused) return sendJson(res, refused.status, { errors: [{ message: refused.message, extensions: { code: refused.code } }] });
    const refusal = bodyRefusal(req);
    if (refusal) return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: "BAD_USER_INPUT" } }] });
    void yoga.requestListener(req, res);
  };
  const timeouts = requestTimeoutOptions(options.requestTimeouts);
  const server: Server = options.tls ? createHttpsServer({ ...timeouts, cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, serve) : createServer(timeouts, serve);

  capConnectionsPerAddress(server, options.connectionsPerAddress ?? 1000);

  const wss = new WebSocketServer({
    server,
    path: GRAPHQL_PATH,
    maxPayload: MAX_BODY_BYTES,
    verifyClient: ({ req }, accept) => {
      const refused = refuse(req, security);
      if (refused) return accept(false, refused.status, refused.message);
      if (!auth.connectionRoom(wss.clients.size)) return accept(false, 503, "too many WebSocket connections");
      accept(true);
    },
  });
  wss.on("headers", (headers, req) => headers.push(`X-Request-Id: ${requestIdOf(req)}`));
  const wsServer = serveWebSockets(
    {
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const release = await auth.connect(typeof authorization === "string" ? authorization : null, ctx.extra.request.socket.remoteAddress, (code, reason) => ctx.extra.socket.close(code, reason));
        if (!release) return false;
        ctx.extra.socket.once("close", release);
        return true;
      },
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, connectionParams: ctx.connectionParams });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (err) {
          // a syntax error ends this operation only, not the socket with its other subscriptions
          if (!(err instanceof GraphQLError)) throw err;
          return [contractError(err, { keepHttp: false })];
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
    options.log,
    { operationsPerSocket: security.wsOperationsPerSocket },
  );

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `${options.tls ? "https" : "http"}://${host}:${port}${GRAPHQL_PATH}`;
  return {
    url,
    server,
    hub,
    async close() {
      // stop accepting, end every subscription (SSE streams end, graphql-ws closes with 1001), let
      // the requests in flight finish (bounded), then drop what is left
      draining = true;
      auth.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      hub.stop();
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeIdleConnections();
      await inFlight.settled(options.drainMs ?? 5000);
      server.closeAllConnections();
      await closed;
    },
  };
}
