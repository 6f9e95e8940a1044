// Plain HTTP answers and request-body bounds, shared by every HTTP route.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Request bodies are read whole, so their size is bounded: it must be declared and at most this. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function bodyRefusal(req: IncomingMessage): { status: number; message: string } | null {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS" || req.method === "DELETE") return null;
  const declared = req.headers["content-length"];
  if (declared === undefined) return { status: 411, message: "a request body needs a Content-Length header" };
  if (Number(declared) > MAX_BODY_BYTES) return { status: 413, message: `request body over ${MAX_BODY_BYTES} bytes` };
  return null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
