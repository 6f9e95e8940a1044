// `?watch=1`: a stream of `{"type","object"}` lines over the change log, the same log and feed the
// GraphQL `watch` subscription reads. Without a resourceVersion (or with "0") the current objects
// come first as ADDED (one consistent snapshot); then every change after the position, read from
// the change log whenever the feed says something committed. A position at or below the
// compaction horizon ends the stream with an ERROR event carrying a 410 Expired Status, as
// kube-apiserver does. With allowWatchBookmarks, a BOOKMARK carries the position every
// BOOKMARK_MS. The stream ends at timeoutSeconds (at most MAX_WATCH_SECONDS) or when the client goes.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChangeFeed } from "../db/change-feed.ts";
import { labelsOf } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { readChanges, readSnapshot, rowOf } from "../db/watch.ts";
import { fieldsMatch, type FieldRequirement } from "../domain/fields.ts";
import { matches, type Requirement } from "../domain/labels.ts";
import type { Logger } from "../log.ts";
import { apiVersionOf, objectJson, type Obj, type Resource } from "./codec.ts";
import { selectableFields } from "./objects.ts";
import { gone } from "./status.ts";

export const BOOKMARK_MS = 5_000;
export const MAX_WATCH_SECONDS = 1800;
const PAGE = 500;
const END = 2n ** 63n - 1n;

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

export function serveWatch(services: { db: Db; feed: ChangeFeed; log: Logger }, req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  const { db, feed } = services;
  const kind = w.resource.kind;
  const scope = { kind, namespace: w.namespace };
  const selected = (o: Obj) => matches(w.labels, ((o.metadata as Obj).labels ?? {}) as Record<string, string>) && fieldsMatch(w.fields, selectableFields(o));
  let cursor = 0n;
  let closed = false;
  let reading: Promise<void> | null = null;
  let again = false;

  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked", "cache-control": "no-cache" });
  res.flushHeaders();
  const send = (type: string, object: Obj) => {
    if (!closed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = () => send("BOOKMARK", { kind, apiVersion: apiVersionOf(w.resource), metadata: { resourceVersion: String(cursor) } });

  const unsubscribe = feed.subscribe(() => wake());
  const bookmarks = w.bookmarks ? setInterval(bookmark, BOOKMARK_MS) : null;
  const timeout = setTimeout(() => close(), Math.min(Math.max(w.timeoutSeconds, 1), MAX_WATCH_SECONDS) * 1000);
  req.on("close", () => close());
  res.on("close", () => close());

  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (bookmarks) clearInterval(bookmarks);
    clearTimeout(timeout);
    res.end();
  }

  async function catchUp(): Promise<void> {
    for (;;) {
      const page = await readChanges(db, scope, cursor, END, PAGE);
      if (cursor < page.horizon) {
        const status = gone(`too old resource version: ${cursor} (${page.horizon + 1n})`);
        send("ERROR", status.body);
        return close();
      }
      for (const change of page.changes) {
        if (closed) return;
        const object = objectJson(kind, rowOf(kind, change.object) as never);
        const now = selected(object);
        const before = change.type === "MODIFIED" ? matches(w.labels, change.prevLabels ?? labelsOf(change)) && fieldsMatch(w.fields, selectableFields(object)) : now;
        cursor = change.id;
        if (change.type === "MODIFIED" && now !== before) send(now ? "ADDED" : "DELETED", w.encode(object));
        else if (now) send(change.type, w.encode(object));
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
      .catch((err) => {
        services.log.error("watch read failed", { err: String(err) });
        close();
      })
      .finally(() => {
        reading = null;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  async function start() {
    if (w.resourceVersion === undefined || w.resourceVersion === "0" || w.resourceVersion === "") {
      const snapshot = await readSnapshot(db, scope, w.labels);
      cursor = snapshot.through;
      for (const o of snapshot.objects) {
        const object = objectJson(kind, rowOf(kind, o) as never);
        if (selected(object)) send("ADDED", w.encode(object));
      }
    } else cursor = BigInt(w.resourceVersion);
    wake();
  }
  start().catch((err) => {
    services.log.error("watch start failed", { err: String(err) });
    close();
  });
}
