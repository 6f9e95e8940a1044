// The one context factory, shared by HTTP (yoga) and WebSocket (graphql-ws) requests, so that
// credentials (Authorization header or connectionParams.authorization) are read in one place.
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";

export interface Services {
  db: Db;
  /** the process's one change feed (subscriptions fan out from it) */
  feed: ChangeFeed;
}

export interface Context extends Services {
  /** the raw credential presented, if any ("Bearer <token>"); checked by the auth layer */
  authorization: string | null;
}

export interface ContextSource {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
}

export function createContext(services: Services, source: ContextSource): Context {
  const fromHeader = source.request?.headers.get("authorization") ?? null;
  const fromParams = source.connectionParams?.authorization;
  return {
    ...services,
    authorization: fromHeader ?? (typeof fromParams === "string" ? fromParams : null),
  };
}
