// One port, one path: yoga serves HTTP (queries, mutations, SSE subscriptions) and GraphiQL on
// /graphql, graphql-ws serves WebSocket upgrades on the same path; /healthz and /readyz answer JSON.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { execute, subscribe, type ExecutionArgs } from "graphql";
import { createYoga } from "graphql-yoga";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { migrationsApplied } from "./db/migrate.ts";
import { createContext, type Services } from "./graphql/context.ts";
import { schema } from "./graphql/schema.ts";
import type { Logger } from "./log.ts";

export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const GRAPHQL_PATH = "/graphql";

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startServer(services: Services, options: { host: string; port: number; log: Logger }): Promise<ApiServer> {
  const yoga = createYoga<{ connectionParams?: Record<string, unknown> }>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { subscriptionsProtocol: "WS" },
    landingPage: false,
    logging: false,
    context: ({ request, connectionParams }) => createContext(services, { request, connectionParams }),
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
    void yoga.requestListener(req, res);
  });

  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });
  const wsServer = useServer(
    {
      execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params, connectionParams: ctx.connectionParams });
        const args = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document: enveloped.parse(params.query),
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
    async close() {
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
