// Concurrent connections per client address (issue 10 §3): one address opening thousands of
// connections (slow bodies, idle keep-alives, event streams, WebSockets) held memory for each.
// Past the cap a new connection is answered 429 RATE_LIMITED and closed before any request is read.
import type { Server } from "node:http";
import type { Socket } from "node:net";

const REFUSAL = JSON.stringify({ errors: [{ message: "too many connections from this address", extensions: { code: "RATE_LIMITED" } }] });

/** Caps `server`'s open connections per remote address at `max`. */
export function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(REFUSAL)}\r\nconnection: close\r\n\r\n${REFUSAL}`);
      return;
    }
    open.set(address, count);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
