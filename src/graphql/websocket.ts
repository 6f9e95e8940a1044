// GraphQL over WebSocket on /graphql, in the two protocols a client picks by subprotocol:
// - `graphql-transport-ws`: graphql-ws, message for message;
// - `graphql-ws`: the legacy subscriptions-transport-ws protocol (GraphQL Playground, Apollo Client
//   before 3.5). Its messages are translated into graphql-transport-ws and back
//   (connection_init/ack, start→subscribe, data←next, error, complete, stop→complete, keep-alive
//   `ka`), so ONE graphql-ws server runs every operation of both protocols: the same onConnect,
//   onSubscribe, context, limits and subscription buffers, whatever the client speaks.
// Both get a WebSocket ping every `keepAliveMs` and are dropped when the pong does not come back
// within the next interval; legacy clients also get `ka` messages, which their client expects.
//
// What one socket may make the server hold (issue 10 §3: one socket with 100 watches of 10 000
// pods, never read, held 1.9 GB): each operation sends its next message only once the previous one
// was written to the socket (graphql-ws awaits send, which waits for ws's write callback), so a
// client that does not read leaves at most one message per operation in ws.bufferedAmount and the
// rest in each subscription's bounded buffer; and a socket runs at most `operationsPerSocket`
// operations (queries and subscriptions) at once: more are answered with a RATE_LIMITED error.
// A client that reads nothing does not answer pings either, and is dropped within two intervals.
import type { IncomingMessage } from "node:http";
import {
  CloseCode,
  DEPRECATED_GRAPHQL_WS_PROTOCOL,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  makeServer,
  MessageType,
  type ServerOptions,
  type WebSocket as Transport,
} from "graphql-ws";
import type { Extra } from "graphql-ws/use/ws";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../log.ts";

/** The legacy protocol's own message types (the rest it shares with graphql-transport-ws). */
const LEGACY = { start: "start", stop: "stop", data: "data", keepAlive: "ka", terminate: "connection_terminate", connectionError: "connection_error" };

/** graphql-transport-ws when offered, else the legacy graphql-ws; nothing else (graphql-ws then closes with 4406). */
export function chooseProtocol(offered: Set<string>): string | false {
  if (offered.has(GRAPHQL_TRANSPORT_WS_PROTOCOL)) return GRAPHQL_TRANSPORT_WS_PROTOCOL;
  if (offered.has(DEPRECATED_GRAPHQL_WS_PROTOCOL)) return DEPRECATED_GRAPHQL_WS_PROTOCOL;
  return false;
}

function sender(socket: WebSocket) {
  return (data: string) =>
    new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (err) => (err ? reject(err) : resolve()));
    });
}

interface Connection extends Transport {
  /** a message received: hands graphql-ws what it stands for in graphql-transport-ws */
  receive(data: string): void;
  closed(): void;
}

/** graphql-ws's handler of one graphql-transport-ws message (its promise lasts as long as the operation) */
type Deliver = (message: string) => void;

function transportWs(socket: WebSocket, deliver: Deliver): Connection {
  return {
    protocol: GRAPHQL_TRANSPORT_WS_PROTOCOL,
    send: sender(socket),
    close: (code, reason) => socket.close(code, reason),
    onMessage: () => {},
    receive: deliver,
    closed: () => {},
  };
}

interface Message {
  type?: unknown;
  id?: unknown;
  payload?: unknown;
}

export interface WebSocketLimits {
  /**
   * a socket that has not sent connection_init this long after it opened is closed with 4408
   * (default 10 s; graphql-ws's own connectionInitWaitTimeout is 3 s)
   */
  initWaitMs?: number;
  /** ping (and legacy `ka`) interval; a socket whose pong has not come back by the next one is dropped (default 12 s) */
  keepAliveMs?: number;
  /** queries and subscriptions one socket may run at once (WS_OPERATIONS_PER_SOCKET) */
  operationsPerSocket: number;
}

/** A graphql-transport-ws message's type and id, as far as they are there. */
function typeAndId(message: string): { type: unknown; id: string | null } {
  try {
    const parsed = JSON.parse(message) as Message;
    return { type: parsed.type, id: typeof parsed.id === "string" ? parsed.id : null };
  } catch {
    return { type: null, id: null }; // graphql-ws closes with 4400
  }
}

/** Operations a legacy client may send before connection_ack; more close the socket (4400). */
const MAX_EARLY_MESSAGES = 100;

function legacyWs(socket: WebSocket, deliver: Deliver, keepAliveMs: number): Connection {
  const send = sender(socket);
  const legacy = (message: Record<string, unknown>) => send(JSON.stringify(message));
  /** operations started and not yet ended, to restart an id the way the legacy server does */
  const running = new Set<string>();
  let acknowledged = false;
  /**
   * A legacy client sends `start` right after connection_init, without waiting for the ack that
   * graphql-transport-ws requires first: such messages wait here for the ack.
   */
  let early: string[] = [];
  let keepAlive: NodeJS.Timeout | null = null;
  return {
    protocol: GRAPHQL_TRANSPORT_WS_PROTOCOL,
    async send(data) {
      const message = JSON.parse(data) as Message;
      switch (message.type) {
        case MessageType.ConnectionAck:
          acknowledged = true;
          keepAlive = setInterval(() => void legacy({ type: LEGACY.keepAlive }).catch(() => {}), keepAliveMs);
          await send(data);
          await legacy({ type: LEGACY.keepAlive });
          for (const message of early.splice(0)) deliver(message);
          return;
        case MessageType.Next:
          return legacy({ type: LEGACY.data, id: message.id, payload: message.payload });
        case MessageType.Error:
        case MessageType.Complete:
          running.delete(message.id as string);
          return send(data);
        default:
          return; // pong: the legacy protocol has no ping
      }
    },
    close(code, reason) {
      // a refused connection_init (4401/4403/4429…) is a connection_error in the legacy protocol
      if (!acknowledged && code !== 1000) void legacy({ type: LEGACY.connectionError, payload: { message: reason } }).catch(() => {});
      socket.close(code, reason);
    },
    onMessage: () => {},
    receive(data) {
      for (const message of translate(data)) {
        if (acknowledged || message.type === MessageType.ConnectionInit) deliver(JSON.stringify(message));
        else if (early.push(JSON.stringify(message)) > MAX_EARLY_MESSAGES) socket.close(CloseCode.BadRequest, "Too many messages before connection_ack");
      }
    },
    closed: () => {
      early = [];
      if (keepAlive) clearInterval(keepAlive);
    },
  };

  /** the graphql-transport-ws messages one legacy message stands for */
  function translate(data: string): Message[] {
    let message: Message;
    try {
      message = JSON.parse(data);
    } catch {
      return [{ type: "unparsable" }]; // graphql-ws closes with 4400
    }
    const id = typeof message.id === "string" ? message.id : "";
    const complete = { type: MessageType.Complete, id };
    switch (message.type) {
      case LEGACY.start: {
        const subscribe = { type: MessageType.Subscribe, id, payload: message.payload };
        const restart = running.has(id);
        running.add(id);
        return restart ? [complete, subscribe] : [subscribe];
      }
      case LEGACY.stop:
        running.delete(id);
        return [complete];
      case LEGACY.terminate:
        socket.close(1000, "Normal Closure");
        return [];
      default:
        return [message]; // connection_init, or something graphql-ws refuses
    }
  }
}

/**
 * Calls `expire` when `received()` is still false `ms` after now, judged only once the messages
 * that had arrived by then were read: the timer and a socket's data wait in the same event loop,
 * and when thousands of sockets open at once the timer may run before data that came in time
 * (timers run before I/O in each turn of the loop; setImmediate runs after it). So a busy server
 * does not refuse clients that were on time, and an idle socket is still closed after `ms`.
 */
export function initDeadline(ms: number, received: () => boolean, expire: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(() => received() || expire()), ms);
}

/**
 * Serves both protocols on `wss` with one graphql-ws server (in place of graphql-ws's useServer).
 * Returns dispose(), which closes every client ("going away") and the WebSocket server.
 */
export function serveWebSockets<P extends Record<string, unknown> | undefined>(
  options: ServerOptions<P, Extra>,
  wss: WebSocketServer,
  log: Logger,
  { keepAliveMs = 12_000, operationsPerSocket, initWaitMs = 10_000 }: WebSocketLimits,
): { dispose(): Promise<void> } {
  // the init wait is kept here (initDeadline), not by graphql-ws
  const server = makeServer({ ...options, connectionInitWaitTimeout: 0 });
  wss.options.handleProtocols = chooseProtocol;
  const internalError = (socket: WebSocket, what: string, err: unknown) => {
    log.error(`websocket: ${what}`, { error: String(err) });
    socket.close(CloseCode.InternalServerError, "Internal server error");
  };
  wss.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    socket.once("error", (err) => {
      // a message over maxPayload: ws has closed the socket with 1009 already
      if ((err as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") return log.warn("websocket: message over the size cap, closed with 1009", { client: request.socket.remoteAddress });
      internalError(socket, "socket error", err);
    });
    let handle: (message: string) => Promise<void> = async () => {};
    /** the operations running on this socket, by id; `completing` once the client has completed it */
    const running = new Map<string, { done: Promise<void>; completing: boolean }>();
    // each message's promise lasts as long as its operation: messages are handled side by side
    const run = (message: string) => handle(message).catch((err) => internalError(socket, "message handling failed", err));
    let initReceived = false;
    const deliver: Deliver = (message) => {
      const { type, id } = typeAndId(message);
      if (type === MessageType.ConnectionInit) initReceived = true;
      const previous = id === null ? undefined : running.get(id);
      if (type === MessageType.Complete && previous) previous.completing = true;
      // not an operation start (or the id of a running one: graphql-ws closes with 4409)
      if (type !== MessageType.Subscribe || id === null || (previous && !previous.completing)) return void run(message);
      if (!previous && running.size >= operationsPerSocket) {
        const error = { message: `too many operations on this socket: at most ${operationsPerSocket} at once; complete one first`, extensions: { code: "RATE_LIMITED", limit: "operationsPerSocket" } };
        return void Promise.resolve(connection.send(JSON.stringify({ id, type: MessageType.Error, payload: [error] }))).catch(() => {});
      }
      // Counted until graphql-ws is done with it (a query the client completes early still runs).
      // An id the client completed and starts again (the legacy protocol's restart) starts once the
      // earlier operation has ended: graphql-ws would otherwise send that one's end as this one's.
      const operation = { completing: false, done: (previous?.done ?? Promise.resolve()).then(() => run(message)) };
      running.set(id, operation);
      void operation.done.then(() => running.get(id) === operation && running.delete(id));
    };
    const connection = socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL ? legacyWs(socket, deliver, keepAliveMs) : transportWs(socket, deliver);
    connection.onMessage = (cb) => (handle = cb);
    const closed = server.opened(connection, { socket, request });
    socket.on("message", (data) => connection.receive(String(data)));

    let awaitingPong = false;
    socket.on("pong", () => (awaitingPong = false));
    const initWait = initDeadline(initWaitMs, () => initReceived, () => socket.close(CloseCode.ConnectionInitialisationTimeout, "Connection initialisation timeout"));
    const heartbeat = setInterval(() => {
      if (awaitingPong) return socket.terminate();
      awaitingPong = true;
      socket.ping();
    }, keepAliveMs);
    socket.once("close", (code, reason) => {
      clearInterval(heartbeat);
      clearTimeout(initWait);
      connection.closed();
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
