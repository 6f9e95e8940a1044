// Checks on every HTTP request and WebSocket upgrade before GraphQL sees it:
// - Host: with auth off only loopback names (and ALLOWED_HOSTS) are answered, so a DNS-rebound name
//   pointing at 127.0.0.1 cannot reach the API from a web page;
// - Origin: a browser request from another site is refused unless CORS_ORIGINS lists it (same-origin
//   pages — GraphiQL, Playground, the dashboard — always pass); this covers WebSocket and SSE
//   (cross-site WebSocket hijacking);
// - POST bodies: only application/json and application/graphql-response+json, so a form-style or
//   multipart POST (which browsers send without a CORS preflight) never executes.
import type { IncomingMessage } from "node:http";
import { isLoopback } from "../config.ts";

export interface GuardOptions {
  auth: boolean;
  corsOrigins: readonly string[];
  allowedHosts: readonly string[];
}

export interface Refusal {
  status: number;
  code: "FORBIDDEN" | "BAD_USER_INPUT";
  message: string;
}

const JSON_TYPES = ["application/json", "application/graphql-response+json"];

/** The host name of a Host header ("example.com:4000", "[::1]:4000"), lower-cased. */
function hostName(host: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(host.trim().toLowerCase());
  return m ? m[1] : "";
}

export function originAllowed(origin: string, host: string | undefined, corsOrigins: readonly string[]): boolean {
  if (corsOrigins.includes("*") || corsOrigins.includes(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && host !== undefined && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Why the request must not reach the API, or null. */
export function refuse(req: IncomingMessage, options: GuardOptions): Refusal | null {
  const host = req.headers.host;
  if (!options.auth) {
    const name = host === undefined ? "" : hostName(host);
    if (!isLoopback(name) && !options.allowedHosts.includes(name)) {
      return { status: 403, code: "FORBIDDEN", message: `Host "${(host ?? "").slice(0, 100)}" is not served while auth is off: use a loopback address or list it in ALLOWED_HOSTS` };
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, host, options.corsOrigins)) {
    return { status: 403, code: "FORBIDDEN", message: `Origin "${origin.slice(0, 100)}" is not allowed: list it in CORS_ORIGINS` };
  }
  if (req.method === "POST") {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (!JSON_TYPES.includes(type)) {
      return { status: 415, code: "BAD_USER_INPUT", message: `a POST body must be ${JSON_TYPES.join(" or ")}, got "${type.slice(0, 100)}"` };
    }
  }
  return null;
}

/** yoga's CORS settings: none unless CORS_ORIGINS lists origins; "*" without credentials. */
export function corsOptions(corsOrigins: readonly string[]) {
  if (!corsOrigins.length) return false as const;
  if (corsOrigins.includes("*")) return { origin: "*", credentials: false };
  return { origin: [...corsOrigins], credentials: true, allowedHeaders: ["authorization", "content-type", "x-graphql-yoga-csrf"] };
}
