// The fan-out behind the Subscription fields. The process's one change feed reads each change-log
// batch once; the hub hands each change to the subscribers of its kind, in memory (no SQL per
// subscriber per change), and refreshes each watched Deployment's RolloutStatus once per batch for
// all of its subscribers.
//
// Every subscriber is a bounded buffer that the transport pulls from:
// - watch and events: at most `limit` undelivered events. A subscriber that falls further behind is
//   ended with RESUBSCRIBE, naming the resourceVersion to resume from; the catch-up read is exact.
// - rolloutStatus: a value, not an event stream: only the newest undelivered value is kept.
// Errors travel in the stream (the field's resolver throws them), so every transport delivers
// them alike: a result with `errors`, then completion.
import type { GraphQLError } from "graphql";
import { matches, type Requirement } from "../domain/labels.ts";
import { keyOf } from "../domain/names.ts";
import { rolloutStatus, type RolloutStatus } from "../domain/rollout-status.ts";
import { controllerOf, involvedNameOf, labelsOf, type Change, type ChangeFeed, type ChangeType } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { deploymentOf, replicaSetOf } from "../db/rows.ts";
import { readChanges, readDeploymentWithReplicaSets, readSnapshotPage, type ChangeKind, type WatchScope } from "../db/watch.ts";
import type { Logger } from "../log.ts";
import { notFound } from "../domain/refusals.ts";
import { apiError, refusalError } from "./errors.ts";
import { Subscriber, type SubscriberOptions } from "./subscriber.ts";
import { isDatabaseUnavailable, unavailable } from "./unavailable.ts";

/** What a watch or events subscriber receives: one change as its subscriber sees it. */
export interface WatchItem {
  type: ChangeType;
  resourceVersion: bigint;
  kind: ChangeKind;
  /** the object as to_jsonb wrote it (see rowOf) */
  object: Record<string, unknown>;
  /** the change-log position a client that got this item has every change through (null inside a listing) */
  position: bigint | null;
}

/** change-log rows read per catch-up query */
const CATCH_UP_PAGE = 500;

/** objects read per page of a watch's initial listing (fewer when the subscriber's buffer has less room) */
export const LISTING_PAGE = 100;

/** a failed rollout status read is tried again this many times, after 200 ms, 400 ms, …, before its subscribers end */
const READ_RETRIES = 3;
const READ_RETRY_MS = 200;

/**
 * rolloutStatus subscribers woken per turn of the event loop: each one's result is executed and
 * sent before the loop reads any socket again, so 10,000 at once would keep handshakes, pings and
 * other requests waiting for seconds
 */
const FAN_OUT_CHUNK = 200;

// ---------------------------------------------------------------------------------------------
// Filters: the one place that says which changes a subscriber sees, and as what.

export interface WatchFilter extends WatchScope {
  kind: "Deployment" | "ReplicaSet" | "Pod";
  /** null: no label selector */
  requirements: Requirement[] | null;
  /** the caller's namespaces (a namespaced token); null: every namespace */
  namespaces?: readonly string[] | null;
}

const within = (namespaces: readonly string[] | null | undefined, namespace: unknown) => !namespaces || namespaces.includes(namespace as string);

/**
 * The event a watch sends for a change of its kind and namespace, or null. With a selector, an
 * object that starts matching is ADDED and one that stops matching is DELETED (sent with its
 * state after the change).
 */
function watchEventType(requirements: readonly Requirement[] | null, change: Pick<Change, "type" | "object" | "prevLabels">): ChangeType | null {
  if (!requirements) return change.type;
  const now = matches(requirements, labelsOf(change));
  if (change.type !== "MODIFIED") return now ? change.type : null;
  const before = change.prevLabels ? matches(requirements, change.prevLabels) : now;
  if (before && now) return "MODIFIED";
  if (now) return "ADDED";
  return before ? "DELETED" : null;
}

function inScope(scope: WatchScope, change: Change): boolean {
  return change.kind === scope.kind && (scope.namespace === null || change.namespace === scope.namespace);
}

const itemOf = (type: ChangeType, change: Change): WatchItem => ({ type, resourceVersion: change.id, kind: change.kind, object: change.object, position: change.id });

function watchItem(filter: WatchFilter, change: Change): WatchItem | null {
  if (!inScope(filter, change) || !within(filter.namespaces, change.namespace)) return null;
  const type = watchEventType(filter.requirements, change);
  return type && itemOf(type, change);
}

/** The Deployment whose RolloutStatus a change may move: the Deployment itself or its ReplicaSets' controller. */
function deploymentKeyOf(change: Change): string | null {
  if (change.kind === "Deployment") return keyOf(change.namespace, change.name);
  if (change.kind !== "ReplicaSet") return null;
  const owner = controllerOf(change);
  return owner?.kind === "Deployment" ? keyOf(change.namespace, owner.name) : null;
}

/**
 * A RolloutStatus as JSON, computed once per status: one read's status object goes to every
 * subscriber of its Deployment, and each compares it with the last one it delivered.
 */
const statusJson = new WeakMap<RolloutStatus, string>();
function jsonOf(status: RolloutStatus): string {
  let json = statusJson.get(status);
  if (json === undefined) statusJson.set(status, (json = JSON.stringify(status)));
  return json;
}

// ---------------------------------------------------------------------------------------------
// Errors

function resubscribe(what: string, reason: string, resourceVersion: bigint | null): GraphQLError {
  const how = resourceVersion === null ? "subscribe again" : `subscribe again with resourceVersion: "${resourceVersion}"`;
  return apiError("RESUBSCRIBE", `${what} was ended because ${reason}: ${how}`, {
    reason,
    resourceVersion: resourceVersion === null ? null : String(resourceVersion),
  });
}

function gone(resourceVersion: bigint, horizon: bigint): GraphQLError {
  return apiError(
    "GONE",
    `resourceVersion ${resourceVersion} is too old: the change log is compacted through ${horizon}; watch without resourceVersion to list again`,
    { resourceVersion: String(resourceVersion), compactedThrough: String(horizon) },
  );
}

// ---------------------------------------------------------------------------------------------
// The hub

export interface SubscriptionHubOptions {
  db: Db;
  feed: ChangeFeed;
  /** undelivered events kept per watch/events subscriber */
  limit: number;
  log: Logger;
}

export interface SubscriptionHubStats {
  /** live subscribers of watch, events and rolloutStatus */
  subscribers: number;
  /** Deployments with rolloutStatus subscribers */
  rolloutTopics: number;
  /** undelivered items over all subscribers */
  buffered: number;
}

/** One Deployment's rolloutStatus subscribers; `reads` counts the state reads begun. */
interface RolloutTopic {
  namespace: string;
  name: string;
  /** each subscriber: the uid it follows (set by its first value) and the reads begun before it joined */
  subscribers: Map<Subscriber<RolloutStatus>, { uid: string | null; joinedAfter: number }>;
  reads: number;
  reading: boolean;
  again: boolean;
}

export class SubscriptionHub {
  /** watch and events subscribers by kind, each with its filter */
  readonly #taps = new Map<ChangeKind, Map<Subscriber<WatchItem>, (change: Change) => WatchItem | null>>();
  readonly #topics = new Map<string, RolloutTopic>();
  readonly #stop: (() => void)[];
  readonly #o: SubscriptionHubOptions;

  constructor(options: SubscriptionHubOptions) {
    this.#o = options;
    this.#stop = [options.feed.subscribe((batch) => this.#dispatch(batch)), options.feed.onRelist(() => this.#relist())];
  }

  stats(): SubscriptionHubStats {
    const all = this.#subscribers();
    return { subscribers: all.length, rolloutTopics: this.#topics.size, buffered: all.reduce((n, s) => n + s.buffered, 0) };
  }

  /**
   * Kubernetes watch. Without a resourceVersion: an ADDED event per selected object, read in pages
   * (by uid) as the subscriber takes them, then every later change. With one: every change after
   * it, read from the change log up to where the live feed took over, then live; GONE when
   * compacted away. Pages count against the subscriber's buffer like live events.
   *
   * Each listing page is consistent with its own change-log position, and covers the uids from
   * the previous page's last (exclusive) to its own last (inclusive; the final page: to the end).
   * A live change of an object is delivered when it is newer than the position of the page that
   * covers the object's uid: an object's changes up to that position are in its listed state, the
   * later ones follow, none twice, none lost (an object created after its range was read arrives
   * as a live ADDED).
   */
  watch(filter: WatchFilter, resourceVersion: bigint | null): Subscriber<WatchItem> {
    const { db } = this.#o;
    // Registered before the initial read: every change after `from` arrives live.
    const from = this.#o.feed.lastId;
    /** the position up to which a live item's object is in what the subscriber got (null: not read yet) */
    let covered: (item: WatchItem) => bigint | null;
    let initial: (room: number) => Promise<WatchItem[] | null>;
    if (resourceVersion === null) {
      /** the listing's uid ranges read so far, in order: each one's last uid (null: to the end) and position */
      const ranges: { upTo: string | null; through: bigint }[] = [];
      covered = (item) => ranges.find((r) => r.upTo === null || String(item.object.uid) <= r.upTo)?.through ?? null;
      /**
       * The position a client that got the whole listing has every change through: the last page's,
       * when no object of the scope changed between the first page's position and it (the pages
       * then show one state); else none (the live events that follow carry positions).
       */
      const listedThrough = async (last: bigint): Promise<bigint | null> => {
        const first = ranges[0].through;
        if (first === last) return last;
        const between = await readChanges(db, filter, first, last, 1);
        return between.horizon <= first && between.changes.length === 0 ? last : null;
      };
      initial = async (room) => {
        const last = ranges.at(-1);
        if (last && last.upTo === null) return null;
        const size = Math.min(LISTING_PAGE, room);
        // one more than the page: whether this page is the last one is known without another read
        const page = await readSnapshotPage(db, filter, filter.requirements ?? [], filter.namespaces ?? null, last?.upTo ?? null, size + 1);
        const more = page.objects.length > size;
        if (more) page.objects.pop();
        const upTo = more ? String(page.objects.at(-1)!.uid) : null;
        // adjacent ranges read at the same position are one range
        if (last && last.through === page.through) last.upTo = upTo;
        else ranges.push({ upTo, through: page.through });
        const position = upTo === null ? await listedThrough(page.through) : null;
        return page.objects.map((object, i, all): WatchItem => ({
          type: "ADDED",
          resourceVersion: BigInt(object.resource_version as string | number),
          kind: filter.kind,
          object,
          position: i === all.length - 1 ? position : null,
        }));
      };
    } else {
      let cursor = resourceVersion;
      let read = false;
      let through: bigint | null = null;
      covered = () => through;
      initial = async (room) => {
        if (read && cursor >= from) {
          through = cursor;
          return null;
        }
        const size = Math.min(CATCH_UP_PAGE, room);
        const page = await readChanges(db, filter, cursor, from, size);
        if (page.horizon > cursor) throw gone(resourceVersion, page.horizon);
        read = true;
        cursor = page.changes.length === size ? page.changes.at(-1)!.id : cursor > from ? cursor : from;
        return page.changes.flatMap((change) => watchItem(filter, change) ?? []);
      };
    }
    const fresh = (item: WatchItem) => item.resourceVersion > (covered(item) ?? -1n);
    return this.#tap(filter.kind, (change) => {
      // a change already in a page read is not kept; the others are checked again when delivered
      const item = watchItem(filter, change);
      return item && fresh(item) ? item : null;
    }, {
      initial,
      accept: fresh,
      resumeError: (reason, last) => resubscribe("the watch", reason, last ? last.position : resourceVersion),
    });
  }

  /** New and updated Event objects from now on. */
  events(namespace: string | null, involvedObjectName: string | null, namespaces: readonly string[] | null = null): Subscriber<WatchItem> {
    const scope: WatchScope = { kind: "Event", namespace };
    return this.#tap("Event", (change) =>
      inScope(scope, change) && within(namespaces, change.namespace) && change.type !== "DELETED" && (involvedObjectName === null || involvedNameOf(change) === involvedObjectName)
        ? itemOf(change.type, change)
        : null,
      { resumeError: (reason) => resubscribe("the events subscription", reason, null) },
    );
  }

  /**
   * The Deployment's RolloutStatus now, then whenever it differs from the last one delivered. Ends
   * with NOT_FOUND when the Deployment does not exist, and completes when it is deleted.
   */
  rolloutStatus(namespace: string, name: string): Subscriber<RolloutStatus> {
    const key = keyOf(namespace, name);
    let topic = this.#topics.get(key);
    if (!topic) {
      topic = { namespace, name, subscribers: new Map(), reads: 0, reading: false, again: false };
      this.#topics.set(key, topic);
    }
    const joined = topic;
    const subscriber = new Subscriber<RolloutStatus>({
      limit: 1,
      accept: (status, last) => last === null || (status !== last && jsonOf(status) !== jsonOf(last)),
      onEnd: () => {
        joined.subscribers.delete(subscriber);
        if (joined.subscribers.size === 0 && this.#topics.get(key) === joined) this.#topics.delete(key);
      },
    });
    topic.subscribers.set(subscriber, { uid: null, joinedAfter: topic.reads });
    this.#refresh(topic);
    return subscriber;
  }

  /** Ends every subscriber (shutdown). */
  stop(): void {
    for (const stop of this.#stop) stop();
    for (const subscriber of this.#subscribers()) subscriber.end();
  }

  #subscribers(): (Subscriber<WatchItem> | Subscriber<RolloutStatus>)[] {
    return [...[...this.#taps.values()].flatMap((taps) => [...taps.keys()]), ...[...this.#topics.values()].flatMap((topic) => [...topic.subscribers.keys()])];
  }

  #tap(kind: ChangeKind, select: (change: Change) => WatchItem | null, options: Omit<SubscriberOptions<WatchItem>, "limit" | "onEnd">): Subscriber<WatchItem> {
    let taps = this.#taps.get(kind);
    if (!taps) this.#taps.set(kind, (taps = new Map()));
    const registry = taps;
    const subscriber = new Subscriber<WatchItem>({ ...options, limit: this.#o.limit, onEnd: () => registry.delete(subscriber) });
    registry.set(subscriber, select);
    return subscriber;
  }

  #dispatch(batch: Change[]): void {
    const touched = new Set<RolloutTopic>();
    for (const change of batch) {
      for (const [subscriber, select] of this.#taps.get(change.kind) ?? []) {
        const item = select(change);
        if (item) subscriber.offer(item);
      }
      const key = deploymentKeyOf(change);
      const topic = key && this.#topics.get(key);
      if (topic) touched.add(topic);
    }
    for (const topic of touched) this.#refresh(topic);
  }

  /**
   * The feed lost its connection: changes compacted meanwhile may never reach it. Watches end with
   * RESUBSCRIBE (their catch-up read is exact, or GONE); rollout statuses are read again.
   */
  #relist(): void {
    for (const subs of this.#taps.values()) for (const sub of subs.keys()) sub.interrupt("the server lost its change feed connection");
    for (const topic of this.#topics.values()) this.#refresh(topic);
  }

  /**
   * Reads the Deployment and computes its status once for all subscribers (single-flight: one read
   * at a time per Deployment, subscribers arriving meanwhile share the next); a failed read is
   * retried a few times before its subscribers end (UNAVAILABLE when the database is away).
   */
  #refresh(topic: RolloutTopic): void {
    if (topic.reading) {
      topic.again = true;
      return;
    }
    topic.reading = true;
    let failures = 0;
    void (async () => {
      do {
        topic.again = false;
        const read = ++topic.reads;
        try {
          const state = await readDeploymentWithReplicaSets(this.#o.db, topic.namespace, topic.name);
          const status = state && rolloutStatus(deploymentOf(state.deployment), state.replicaSets.map(replicaSetOf));
          let offered = 0;
          for (const [subscriber, follows] of topic.subscribers) {
            if (follows.joinedAfter >= read) continue; // joined during this read: the next one is its first
            // each subscriber woken executes and sends in the microtasks that follow: let I/O in between
            if (++offered % FAN_OUT_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
            if (!state || (follows.uid !== null && follows.uid !== state.deployment.uid)) {
              subscriber.end(follows.uid === null ? refusalError(notFound("Deployment", topic.namespace, topic.name)) : undefined);
            } else {
              follows.uid = state.deployment.uid;
              subscriber.offer(status!);
            }
          }
          failures = 0;
        } catch (err) {
          this.#o.log.warn("rollout status read failed", { deployment: keyOf(topic.namespace, topic.name), attempt: failures + 1, error: String(err) });
          if (failures < READ_RETRIES) {
            // one read serves every subscriber: a passing failure (a lost connection) is retried for them all
            await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS * 2 ** failures++));
            topic.again = true;
          } else {
            failures = 0;
            for (const subscriber of topic.subscribers.keys()) subscriber.end(isDatabaseUnavailable(err) ? unavailable() : (err as Error));
          }
        }
      } while (topic.again && topic.subscribers.size > 0);
      topic.reading = false;
    })();
  }
}
