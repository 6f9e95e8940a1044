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
import { createYoga } from "graphql-yoga";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { migrationsApplied } from "./db/migrate.ts";
import { DEFAULT_SUBSCRIPTION_BUFFER } from "./config.ts";
import { createContext, type Services } from "./graphql/context.ts";
import { asBadUserInput, useBadUserInputCode, useQueryShapeLimits } from "./graphql/plugins.ts";
import { schema } from "./graphql/schema.ts";
import { useGraphQLSSEWithBackpressure } from "./graphql/sse.ts";
import { SubscriptionHub } from "./graphql/subscription-hub.ts";
import { bodyRefusal, MAX_BODY_BYTES, sendJson } from "./http/respond.ts";
import { kubeRoute } from "./kube/router.ts";
import type { Logger } from "./log.ts";

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

  const routes: HttpRoute[] = [
    (_req, res, path) => path === "/healthz" && (sendJson(res, 200, { status: "ok" }), true),
    (_req, res, path) => {
      if (path !== "/readyz") return false;
      void ready().then((r) => sendJson(res, r.ok ? 200 : 503, { status: r.ok ? "ready" : "not ready", database: r.database, migrations: r.migrations }));
      return true;
    },
    kubeRoute({ ...services, log: options.log }),
    (_req, res, path) => {
      if (path !== "/") return false;
      res.writeHead(302, { location: GRAPHQL_PATH });
      res.end();
      return true;
    },
  ];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (routes.some((route) => route(req, res, path))) return;
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
