// Subscribers under fault: a resuming `watch` per kind (graphql-ws) that, after any failure, resumes
// from the last resourceVersion it saw on whichever instance is up (or re-lists when told GONE, or
// RESUBSCRIBE without a version); and raw WebSocket subscribers that stop reading (slow) or vanish
// without a close frame.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { Rng } from "./rng.ts";

export interface Segment {
  /** the resourceVersion it resumed after; null: a fresh list */
  from: string | null;
  rvs: string[];
}

const WATCH = `subscription($k: ResourceKind!, $rv: String) { watch(kind: $k, resourceVersion: $rv) {
  type resourceVersion object { __typename ... on Deployment { metadata { uid } } ... on ReplicaSet { metadata { uid } } ... on Pod { metadata { uid } } } } }`;

export class ResumingWatch {
  readonly kind: string;
  readonly segments: Segment[] = [];
  /** uid → resourceVersion of every object the watcher believes exists */
  readonly state = new Map<string, string>();
  resumes = 0;
  relists = 0;
  lastRv: string;
  #client: Client | null = null;
  #stopped = false;
  /** the next subscription lists afresh */
  #relistNext = false;
  readonly #urls: () => string[];
  readonly #rng: Rng;

  constructor(kind: string, fromRv: string, urls: () => string[], rng: Rng) {
    this.kind = kind;
    this.lastRv = fromRv;
    this.#urls = urls;
    this.#rng = rng;
  }

  start(): void {
    this.#subscribe(this.lastRv);
  }

  /** ends the current connection as a client would that lost it */
  drop(): void {
    void this.#client?.dispose();
  }

  /** ends the current connection, and subscribes again without a resourceVersion (as after GONE) */
  relist(): void {
    this.#relistNext = true;
    this.drop();
  }

  stop(): void {
    this.#stopped = true;
    void this.#client?.dispose();
  }

  #subscribe(from: string | null): void {
    if (this.#stopped) return;
    const urls = this.#urls();
    if (urls.length === 0) {
      setTimeout(() => this.#subscribe(from), 200);
      return;
    }
    const url = this.#rng.pick(urls).replace(/^http/, "ws");
    const segment: Segment = { from, rvs: [] };
    this.segments.push(segment);
    if (from === null) this.state.clear();
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    this.#client = client;
    let ended = false;
    const again = (resumeFrom: string | null) => {
      if (ended) return;
      ended = true;
      const next = this.#relistNext ? null : resumeFrom;
      this.#relistNext = false;
      void client.dispose();
      if (this.#stopped) return;
      if (next === null) this.relists++;
      else this.resumes++;
      setTimeout(() => this.#subscribe(next), 50);
    };
    client.subscribe<any>(
      { query: WATCH, variables: { k: this.kind, rv: from } },
      {
        next: (result) => {
          const error = result.errors?.[0];
          if (error) {
            const code = error.extensions?.code;
            const rv = (error.extensions?.resourceVersion as string | null | undefined) ?? null;
            if (code === "RESUBSCRIBE") return again(rv ?? null);
            if (code === "GONE") return again(null);
            return again(this.lastRv);
          }
          const ev = result.data!.watch;
          segment.rvs.push(ev.resourceVersion);
          this.lastRv = ev.resourceVersion;
          if (ev.type === "DELETED") this.state.delete(ev.object.metadata.uid);
          else this.state.set(ev.object.metadata.uid, ev.resourceVersion);
        },
        error: () => again(this.lastRv),
        complete: () => again(this.lastRv),
      },
    );
  }
}

/** A graphql-ws subscriber on a raw socket that subscribes and then stops reading, or vanishes. */
export function rawSubscriber(httpUrl: string, mode: "slow" | "vanish", holdMs: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(httpUrl.replace(/^http/, "ws"), "graphql-transport-ws");
    const finish = () => {
      clearTimeout(timer);
      const socket = (ws as unknown as { _socket?: import("node:net").Socket })._socket;
      if (mode === "vanish" && socket) socket.resetAndDestroy();
      else ws.terminate();
      resolve();
    };
    const timer = setTimeout(finish, holdMs + 10_000);
    ws.on("error", () => {});
    ws.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init" })));
    ws.on("message", (data) => {
      if (JSON.parse(String(data)).type !== "connection_ack") return;
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: WATCH, variables: { k: "Pod", rv: null } } }));
      const socket = (ws as unknown as { _socket: import("node:net").Socket })._socket;
      if (mode === "slow") socket.pause();
      clearTimeout(timer);
      setTimeout(finish, holdMs);
    });
  });
}
