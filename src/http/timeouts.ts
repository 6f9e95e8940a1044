// How long a client may take to send a request (issue 10 §3): 200 connections that sent 3.9 of a
// declared 4 MB body and stalled held 750 MB, and 50 that sent a header every 5 s were never
// closed. Node closes a connection whose headers (headersTimeout) or whole request
// (requestTimeout) take longer, checking every connectionsCheckingInterval. Responses (event
// streams, WebSockets after the upgrade) are not limited by these.
import type { ServerOptions } from "node:http";
import { DEFAULT_REQUEST_TIMEOUTS } from "../config.ts";

export interface RequestTimeouts {
  /** all headers received within (default 10 s) */
  headersMs: number;
  /** the whole request, body included, received within (default 30 s: 4 MiB at ~140 KB/s) */
  requestMs: number;
}

/** node:http createServer options for these timeouts. */
export function requestTimeoutOptions(timeouts: RequestTimeouts = DEFAULT_REQUEST_TIMEOUTS): ServerOptions {
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, timeouts.headersMs / 4)),
  };
}
