// How every client example talks to deploye: GraphQL over HTTP for queries and mutations,
// graphql-ws for subscriptions, the token as `Authorization: Bearer` on HTTP and in the WebSocket's
// connectionParams. Runs in Node and in the browser (the caller passes the WebSocket class).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";

export interface Target {
  /** the GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql */
  server: string;
  token?: string;
}

/** A GraphQL error from the server, with its extensions.code (UNAVAILABLE for a lost connection). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

interface Result<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

function dataOf<T>(body: Result<T>): T {
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, String(error.extensions?.code ?? "UNKNOWN"), error.extensions);
  return body.data as T;
}

export function authHeaders(target: Target): Record<string, string> {
  return target.token ? { authorization: `Bearer ${target.token}` } : {};
}

/** A query or mutation over HTTP. */
export async function request<T, V>(target: Target, document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
  let res: Response;
  try {
    res = await fetch(target.server, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...authHeaders(target) },
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch (err) {
    throw new ApiError(`cannot reach ${target.server}: ${(err as Error).message}`, "UNAVAILABLE");
  }
  if (res.status === 401) throw new ApiError("the server wants a valid token", "UNAUTHENTICATED");
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("json")) throw new ApiError(`${target.server} answered ${res.status} ${res.statusText}`, "UNAVAILABLE");
  return dataOf((await res.json()) as Result<T>);
}

/**
 * A graphql-ws client that does not retry by itself: a lost socket ends every subscription with
 * UNAVAILABLE, and the caller resubscribes from where it was (see `resumable`).
 */
export function subscriptionClient(target: Target, webSocketImpl?: unknown, on?: { connected?: () => void; closed?: () => void }): Client {
  return createClient({
    url: target.server.replace(/^http/, "ws"),
    webSocketImpl,
    connectionParams: () => (target.token ? { authorization: `Bearer ${target.token}` } : {}),
    retryAttempts: 0,
    lazy: true,
    on,
  });
}

/** Every result of one subscription; a server error or a lost socket is thrown as an ApiError. */
export async function* subscribe<T, V>(client: Client, document: TypedDocumentNode<T, V>, variables: V): AsyncGenerator<T> {
  const results = client.iterate<T>({ query: print(document), variables: variables as Record<string, unknown> });
  try {
    for (;;) {
      let next: IteratorResult<Result<T>>;
      try {
        next = await results.next();
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (Array.isArray(err)) throw new ApiError(err.map((e) => e.message).join("; "), String(err[0]?.extensions?.code ?? "UNKNOWN"), err[0]?.extensions);
        const close = (err as { code?: number; reason?: string })?.code;
        // graphql-ws closes 4401/4403 when connection_init is refused: a token problem, not an outage
        if (close === 4401 || close === 4403) throw new ApiError(`the server refused the connection: ${(err as { reason?: string }).reason || close}`, "UNAUTHENTICATED");
        throw new ApiError(err instanceof Error ? err.message : `connection closed (${close ?? "?"})`, "UNAVAILABLE");
      }
      if (next.done) return;
      yield dataOf(next.value);
    }
  } finally {
    await results.return?.(undefined);
  }
}

/** Back-off between reconnection attempts: 250 ms doubling to 5 s. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000, 250 * 2 ** Math.min(attempt, 5));
}
