// The one context factory, shared by every transport (HTTP and SSE through yoga, WebSocket through
// graphql-ws), so that credentials (Authorization header or connectionParams.authorization) are
// read in one place.
import { randomUUID } from "node:crypto";
import { EVERYONE, type Principal } from "../auth/tokens.ts";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import type { SubscriptionHub } from "./subscription-hub.ts";

export interface Services {
  db: Db;
  /** the process's one change feed (subscriptions fan out from it) */
  feed: ChangeFeed;
}

export interface Context extends Services {
  /** the server's subscribers, fed from the change feed (see server.ts) */
  hub: SubscriptionHub;
  /** the raw credential presented, if any ("Bearer <token>"); checked by the auth layer */
  authorization: string | null;
  /**
   * Who is calling (src/auth/): everyone with auth off; with auth on the verified token, or null
   * for a missing or bad one (authProblem says which).
   */
  principal: Principal | null;
  authProblem?: string;
  /** the request's id (X-Request-Id; for WebSocket operations, the upgrade request's) */
  requestId: string;
}

export interface ContextSource {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
  /** the transport's request id (default: a fresh one) */
  requestId?: string;
}

export function createContext<S extends Services>(services: S, source: ContextSource): S & Pick<Context, "authorization" | "principal" | "requestId"> {
  const fromHeader = source.request?.headers.get("authorization") ?? null;
  const fromParams = source.connectionParams?.authorization;
  return {
    ...services,
    authorization: fromHeader ?? (typeof fromParams === "string" ? fromParams : null),
    // replaced by the auth plugin when auth is on
    principal: EVERYONE,
    requestId: source.requestId ?? randomUUID(),
  };
}
