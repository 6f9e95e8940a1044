// Every request gets an id: the caller's X-Request-Id when it is a sane token (a proxy's id carries
// through), else a fresh UUID. It is echoed in the response header (the WebSocket upgrade's too),
// bound to the request's log lines and put in the GraphQL context as `requestId`.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const REQUEST_ID_HEADER = "x-request-id";

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;
const ids = new WeakMap<IncomingMessage, string>();

/** The request's id (the same on every call for one request). */
export function requestIdOf(req: IncomingMessage): string {
  let id = ids.get(req);
  if (id === undefined) {
    const given = req.headers[REQUEST_ID_HEADER];
    id = typeof given === "string" && SANE.test(given) ? given : randomUUID();
    ids.set(req, id);
  }
  return id;
}
