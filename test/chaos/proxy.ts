// A fault-injecting TCP proxy between the servers and Postgres, in the spirit of toxiproxy:
// latency on every chunk, stalls (nothing flows for a while, then everything does), resets (every
// connection ends with RST), and half-open connections (data vanishes, nothing closes, until the
// fault ends with a reset). The upstream port can change (a restarted Postgres listens elsewhere).
import { connect, createServer, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
}

export class FaultProxy {
  #server: Server;
  #pairs = new Set<Pair>();
  #upstreamPort: number;
  /** added before every chunk is passed on */
  latencyMs = 0;
  /** until this time nothing is passed on (chunks queue in order) */
  #stalledUntil = 0;
  /** while set, chunks are dropped and connections stay open */
  #blackhole = false;
  port = 0;

  constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  set upstreamPort(port: number) {
    this.#upstreamPort = port;
  }

  get connections(): number {
    return this.#pairs.size;
  }

  /** Nothing flows for `ms`; then what queued flows in order. */
  stall(ms: number): void {
    this.#stalledUntil = Math.max(this.#stalledUntil, Date.now() + ms);
  }

  /** Every open connection ends with a TCP reset on both sides. */
  resetAll(): void {
    for (const pair of this.#pairs) this.#drop(pair);
  }

  /** Data vanishes and no side learns of it for `ms`; then the connections are reset. */
  async halfOpen(ms: number): Promise<void> {
    this.#blackhole = true;
    await new Promise((r) => setTimeout(r, ms));
    this.#blackhole = false;
    this.resetAll();
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const upstream = connect(this.#upstreamPort, "127.0.0.1");
    const pair = { client, upstream };
    this.#pairs.add(pair);
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
    for (const s of [client, upstream]) {
      s.on("error", () => this.#drop(pair));
      s.on("close", () => this.#drop(pair));
    }
  }

  /** Passes chunks on in order, each after the latency and any stall. */
  #pipe(from: Socket, to: Socket): void {
    let chain = Promise.resolve();
    from.on("data", (chunk) => {
      if (this.#blackhole) return;
      chain = chain.then(async () => {
        const wait = Math.max(this.latencyMs, this.#stalledUntil - Date.now());
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!this.#blackhole && !to.destroyed) to.write(chunk);
      });
    });
    from.on("end", () => void chain.then(() => to.end()));
  }

  #drop(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    for (const s of [pair.client, pair.upstream]) if (!s.destroyed) s.resetAndDestroy();
  }
}
