// Live state for the dashboard: each watch keeps a map of objects by uid, resumes from the last
// resourceVersion it saw after a lost connection (no reload, no gap), and lists again when that
// version is gone. Changes are handed on at most once per animation frame, so a 1,000-pod rollout
// re-renders the page a few times a second, not once per event.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Client } from "graphql-ws";
import { ApiError, backoffMs, subscribe } from "../../lib/connection.ts";

export type ConnectionState = { state: "connecting" | "live" | "reconnecting"; reason?: string } | { state: "error"; reason: string; code: string };

interface WatchResult<T> {
  watch: { type: "ADDED" | "MODIFIED" | "DELETED"; resourceVersion: string; object: T | Record<string, never> };
}

/** what to watch: a namespace, and optionally only the objects matching a label selector */
export type Scope = { namespace: string; labelSelector?: string };

type Variables = Scope & { resourceVersion?: string | null };

export interface LiveWatch {
  stop(): void;
}

/**
 * Follows `document` (a watch of one kind in `scope`), calling `onChange` with the current
 * objects (a new Map each time) and `onState` on every change of the connection. `count` tells
 * how many objects there are now: a snapshot of none sends no event, so that is how an empty
 * namespace is told from one still loading.
 */
export function liveWatch<T extends { metadata: { uid: string } }>(
  client: Client,
  document: TypedDocumentNode<WatchResult<T>, Variables>,
  scope: Scope,
  onChange: (objects: Map<string, T>) => void,
  onState: (state: ConnectionState) => void,
  count: () => Promise<number>,
): LiveWatch {
  let stopped = false;
  let objects = new Map<string, T>();
  let frame = 0;
  const flush = () => {
    frame = 0;
    if (!stopped) onChange(new Map(objects));
  };
  const changed = () => {
    if (!frame) frame = requestAnimationFrame(flush);
  };
  void (async () => {
    /** the resourceVersion of the last event seen: where to resume */
    let resourceVersion: string | null = null;
    /** a change after the snapshot arrived: the snapshot is complete, so resuming is exact */
    let live = false;
    let attempt = 0;
    while (!stopped) {
      const resuming: boolean = live && resourceVersion !== null;
      let first = true;
      if (!resuming) {
        void count().then(
          (n) => {
            if (n === 0 && first && !stopped) {
              objects = new Map();
              changed();
            }
          },
          () => {},
        );
      }
      try {
        for await (const { watch } of subscribe<WatchResult<T>, Variables>(client, document, { ...scope, resourceVersion: resuming ? resourceVersion : null })) {
          if (stopped) return;
          if (first) {
            onState({ state: "live" });
            // listing again: the snapshot replaces what was shown
            if (!resuming) objects = new Map();
          }
          first = false;
          attempt = 0;
          const object = watch.object as T;
          if (watch.type !== "ADDED") live = true;
          if (watch.type === "DELETED") objects.delete(object.metadata.uid);
          else objects.set(object.metadata.uid, object);
          // the last one seen, as the contract says (not the highest: a paged listing's objects may
          // carry versions above changes still to come)
          resourceVersion = watch.resourceVersion;
          changed();
        }
      } catch (err) {
        if (stopped) return;
        if (!(err instanceof ApiError)) throw err;
        if (err.code === "GONE") live = false;
        else if (err.code === "RESUBSCRIBE" && err.extensions.resourceVersion) resourceVersion = String(err.extensions.resourceVersion);
        else if (err.code !== "UNAVAILABLE") return onState({ state: "error", reason: err.message, code: err.code });
        onState({ state: "reconnecting", reason: err.message });
      }
      await new Promise((r) => setTimeout(r, backoffMs(attempt++)));
    }
  })();
  return {
    stop() {
      stopped = true;
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
