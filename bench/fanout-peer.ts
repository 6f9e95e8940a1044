// The other processes of the fan-out benchmark (bench/fanout.ts forks this, talks over IPC):
//   clients <url> <n> <rate> <mode>: opens n WebSockets at `rate`/s. mode graphql: graphql-ws
//     protocol, subscribes to rolloutStatus(name: "fan"); mode bare: just receives. Records when
//     each message with a given `updatedReplicas` (the change's sequence number) arrives.
//   floor: a bare `ws` server that sends the bytes it is given to every socket (the floor).
// Clocks: performance.timeOrigin + performance.now() (epoch ms, sub-ms), comparable across processes.
import { WebSocket, WebSocketServer } from "ws";

const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);
const [role, ...args] = process.argv.slice(2);

const SUBSCRIBE = JSON.stringify({ id: "1", type: "subscribe", payload: { query: `subscription { rolloutStatus(name: "fan") { updatedReplicas message done } }` } });

if (role === "clients") {
  const [url, nRaw, rateRaw, mode] = args;
  const n = Number(nRaw);
  const rate = Number(rateRaw);
  /** arrivals[seq] = arrival times */
  const arrivals = new Map<number, number[]>();
  let open = 0;
  let first = 0;
  let errors = 0;
  let closed = 0;
  /** close code → sockets closed with it (e.g. 4408: no connection_init acknowledged in time) */
  const closeCodes: Record<number, number> = {};
  let sample = "";
  /** results with errors instead of data (the first one kept to show) */
  let failures = 0;
  let firstFailure = "";
  /** connection error message → sockets that failed with it (e.g. a handshake the server reset) */
  const errorMessages: Record<string, number> = {};
  const sockets: WebSocket[] = [];
  const connect = () => {
    const ws = mode === "graphql" ? new WebSocket(url, "graphql-transport-ws") : new WebSocket(url);
    sockets.push(ws);
    let gotFirst = false;
    ws.on("open", () => {
      open++;
      if (mode === "graphql") ws.send(JSON.stringify({ type: "connection_init" }));
    });
    ws.on("message", (data) => {
      const at = now();
      const text = data.toString();
      const msg = JSON.parse(text);
      if (msg.type === "connection_ack") return ws.send(SUBSCRIBE);
      if (msg.type === "ping") return ws.send(JSON.stringify({ type: "pong" }));
      if (msg.type === "error" || (msg.type === "next" && !msg.payload?.data)) {
        failures++;
        firstFailure ||= JSON.stringify(msg.payload).slice(0, 300);
        return;
      }
      if (msg.type !== "next") return;
      if (!gotFirst) {
        gotFirst = true;
        first++;
        if (!sample) sample = text;
        return;
      }
      const seq = msg.payload.data.rolloutStatus.updatedReplicas as number;
      let list = arrivals.get(seq);
      if (!list) arrivals.set(seq, (list = []));
      list.push(at);
    });
    ws.on("error", (err) => {
      errors++;
      errorMessages[err.message] = (errorMessages[err.message] ?? 0) + 1;
    });
    ws.on("close", (code) => {
      closed++;
      closeCodes[code] = (closeCodes[code] ?? 0) + 1;
    });
  };
  const started = now();
  let made = 0;
  const timer = setInterval(() => {
    // `rate` per second, in 10 ms slices
    const due = Math.min(n, Math.floor(((now() - started) / 1000) * rate) + 1);
    while (made < due) {
      connect();
      made++;
    }
    if (made >= n) clearInterval(timer);
  }, 10);
  const status = setInterval(() => send({ type: "status", open, first, errors, errorMessages, closed, closeCodes, failures, firstFailure, at: now() }), 250);
  process.on("message", (m: { type: string }) => {
    if (m.type === "collect") send({ type: "arrivals", arrivals: [...arrivals], sample, open, first, errors, errorMessages, closed, closeCodes, failures, firstFailure });
    if (m.type === "exit") {
      clearInterval(status);
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
} else if (role === "floor") {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  wss.on("listening", () => send({ type: "listening", port: (wss.address() as { port: number }).port }));
  process.on("message", (m: { type: string; seq: number; bytes: string }) => {
    if (m.type === "broadcast") {
      const at = now();
      for (const ws of wss.clients) ws.send(m.bytes);
      send({ type: "sent", seq: m.seq, at });
    }
    if (m.type === "exit") process.exit(0);
  });
}
