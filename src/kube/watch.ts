// `?watch=1`: a stream of `{"type","object"}` lines. Without a resourceVersion (or with "0") the
// current objects come first as ADDED; then every change after the position. A position at or below the compaction horizon ends the stream with an ERROR event
// carrying a 410 Expired Status, as kube-apiserver does. With allowWatchBookmarks, a BOOKMARK
// carries the position every BOOKMARK_MS. The stream ends at timeoutSeconds (at most
// MAX_WATCH_SECONDS) or when the client goes. Each event waits for the response to drain, so a
// client that stops reading costs its socket's buffers and the hub's bounded buffer, no more.
//
// Deployments, ReplicaSets and Pods are watched through the process's subscription hub, the one
// the GraphQL `watch` subscription uses: the change feed's batch is read once per process and
// handed to every watcher in memory (the hub's catch-up read is exact; a watcher that falls
// behind the hub's buffer is closed, and kubectl watches again from its last resourceVersion).
// Events, which the hub does not replay, are read from the change log by each watch whenever the
// feed reports a batch.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { readChanges, readSnapshot, rowOf } from "../db/watch.ts";
import { fieldsMatch, type FieldRequirement } from "../domain/fields.ts";
import { matches, type Requirement } from "../domain/labels.ts";
import type { Logger } from "../log.ts";
import { apiVersionOf, objectJson, type Obj, type Resource } from "./codec.ts";
import { selectableFields } from "./objects.ts";
import { gone } from "./status.ts";
import { drained } from "../drain.ts";

export const BOOKMARK_MS = 5_000;
export const MAX_WATCH_SECONDS = 1800;
const PAGE = 500;
const END = 2n ** 63n - 1n;

/** One change as the hub hands it to a watcher (the GraphQL hub's WatchItem, structurally). */
export interface HubItem {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Record<string, unknown>;
  /** the change-log position a watcher that got this item has every change through (null inside a snapshot) */
  position: bigint | null;
}

/** The subscription hub's watch (injected by the server: src/kube does not import src/graphql). */
export interface WatchHub {
  watch(filter: { kind: "Deployment" | "ReplicaSet" | "Pod"; namespace: string | null; requirements: Requirement[] | null }, resourceVersion: bigint | null): AsyncIterableIterator<HubItem | Error>;
}

export interface WatchRequest {
  resource: Resource;
  namespace: string | null;
  labels: Requirement[];
  fields: FieldRequirement[];
  /** undefined or "0": start with the current objects */
  resourceVersion: string | undefined;
  bookmarks: boolean;
  timeoutSeconds: number;
  /** each event's object as the caller asked for it (a Table row for `kubectl get -w`) */
  encode: (o: Obj) => Obj;
}

export function serveWatch(services: { db: Db; feed: ChangeFeed; hub: WatchHub; log: Logger }, req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  const kind = w.resource.kind;
  const selected = (o: Obj) => matches(w.labels, ((o.metadata as Obj).labels ?? {}) as Record<string, string>) && fieldsMatch(w.fields, selectableFields(o));
  const fromNow = w.resourceVersion === undefined || w.resourceVersion === "0" || w.resourceVersion === "";
  let cursor = fromNow ? 0n : BigInt(w.resourceVersion!);
  let closed = false;
  const stops: (() => void)[] = [];

  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked", "cache-control": "no-cache" });
  res.flushHeaders();
  /**
   * Writes one event line, and resolves when the response can take more: a client that does not
   * read holds its watch here (the hub's bounded buffer, then RESUBSCRIBE), not in this process's
   * memory.
   */
  const send = async (type: string, object: Obj): Promise<void> => {
    if (closed || res.write(`${JSON.stringify({ type, object })}\n`)) return;
    await drained(res);
  };
  const expired = (horizon: bigint) => void send("ERROR", gone(`too old resource version: ${cursor} (${horizon + 1n})`).body);
  // a client that is not reading gets no more bookmarks until it does
  const bookmark = () => {
    if (!res.writableNeedDrain) void send("BOOKMARK", { kind, apiVersion: apiVersionOf(w.resource), metadata: { resourceVersion: String(cursor) } });
  };
  if (w.bookmarks) {
    const timer = setInterval(bookmark, BOOKMARK_MS);
    stops.push(() => clearInterval(timer));
  }
  const timeout = setTimeout(() => close(), Math.min(Math.max(w.timeoutSeconds, 1), MAX_WATCH_SECONDS) * 1000);
  stops.push(() => clearTimeout(timeout));
  req.on("close", () => close());
  res.on("close", () => close());

  function close() {
    if (closed) return;
    closed = true;
    for (const stop of stops) stop();
    // what a client that stopped reading has not taken is dropped with its connection
    if (res.writableNeedDrain) res.destroy();
    else res.end();
  }

  const fail = (what: string) => (err: unknown) => {
    services.log.error(what, { err: String(err) });
    close();
  };

  if (kind === "Event") return eventsFromLog();
  return void fromHub().catch(fail("watch failed"));

  async function fromHub(): Promise<void> {
    const subscriber = services.hub.watch({ kind: kind as "Deployment" | "ReplicaSet" | "Pod", namespace: w.namespace, requirements: w.labels.length ? w.labels : null }, fromNow ? null : cursor);
    stops.push(() => void subscriber.return?.());
    for await (const item of subscriber) {
      if (closed) return;
      if (item instanceof Error) {
        const extensions = (item as Error & { extensions?: { code?: string; compactedThrough?: string } }).extensions;
        if (extensions?.code === "GONE") expired(BigInt(extensions.compactedThrough ?? "0"));
        else if (extensions?.code !== "RESUBSCRIBE") services.log.warn("watch ended", { error: item.message });
        return close();
      }
      const object = objectJson(kind, rowOf(kind, item.object) as never);
      if (item.position !== null) cursor = item.position;
      // labels are the hub's (with the previous labels); fields are checked on the object as it now is
      if (fieldsMatch(w.fields, selectableFields(object))) await send(item.type, w.encode(object));
    }
    close();
  }

  /** Events: the change log after the cursor, read whenever the feed reports a batch (one read in flight). */
  function eventsFromLog(): void {
    const scope = { kind, namespace: w.namespace };
    let reading: Promise<void> | null = null;
    let again = false;
    stops.push(services.feed.subscribe(() => wake()));

    async function catchUp(): Promise<void> {
      for (;;) {
        const page = await readChanges(services.db, scope, cursor, END, PAGE);
        if (cursor < page.horizon) {
          expired(page.horizon);
          return close();
        }
        for (const change of page.changes) {
          if (closed) return;
          const object = objectJson(kind, rowOf(kind, change.object) as never);
          cursor = change.id;
          if (selected(object)) await send(change.type, w.encode(object));
        }
        if (page.changes.length < PAGE) return;
      }
    }

    function wake() {
      if (closed) return;
      if (reading) {
        again = true;
        return;
      }
      reading = catchUp()
        .catch(fail("watch read failed"))
        .finally(() => {
          reading = null;
          if (again) {
            again = false;
            wake();
          }
        });
    }

    async function start() {
      if (fromNow) {
        const snapshot = await readSnapshot(services.db, scope, w.labels);
        cursor = snapshot.through;
        for (const o of snapshot.objects) {
          const object = objectJson(kind, rowOf(kind, o) as never);
          if (selected(object)) await send("ADDED", w.encode(object));
        }
      }
      wake();
    }
    start().catch(fail("watch start failed"));
  }
}
