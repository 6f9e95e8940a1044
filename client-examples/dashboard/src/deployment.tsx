// One Deployment, live: counts, the size chart, conditions, strategy, the pod grid, its events,
// and the editor actions.
import type { Client } from "graphql-ws";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { request, subscribe, type Target } from "../../lib/connection.ts";
import type { DeploymentFieldsFragment, EventFieldsFragment, PodFieldsFragment, ReplicaSetFieldsFragment } from "../../lib/gql/graphql.ts";
import { actions } from "./actions.ts";
import { SizeChart, type Samples } from "./chart.tsx";
import { liveWatch, type Scope } from "./live.ts";
import { CountsQuery, EventsQuery, EventsSubscription, WatchPods, WatchReplicaSets } from "./operations.ts";
import { href } from "./routes.ts";
import { phaseOf } from "./rollout.ts";
import { selectorString } from "./selector.ts";
import { age } from "./session.ts";
import { Empty, useActions } from "./ui.tsx";

const MAX_SAMPLES = 2_000;
const MAX_EVENTS = 200;

/** The objects of one kind that `scope` selects, live (null while the first snapshot loads). */
function useWatch<T extends { metadata: { uid: string } }>(target: Target, client: Client, document: Parameters<typeof liveWatch<T>>[1], scope: Scope, kind: "replicaSets" | "pods") {
  const [objects, setObjects] = useState<Map<string, T> | null>(null);
  useEffect(() => {
    setObjects(null);
    const count = () => request(target, CountsQuery, scope).then((c) => c[kind].totalCount);
    const watch = liveWatch(client, document, scope, setObjects, () => {}, count);
    return () => watch.stop();
  }, [client, scope.namespace, scope.labelSelector]);
  return objects;
}

/** The namespace's events for these objects: the latest 100, then live (newest first, bounded). */
function useEvents(target: Target, client: Client, namespace: string) {
  const [events, setEvents] = useState<EventFieldsFragment[]>([]);
  useEffect(() => {
    let stopped = false;
    const merge = (more: EventFieldsFragment[]) =>
      setEvents((old) => {
        const byId = new Map(old.map((e) => [e.id, e]));
        for (const e of more) byId.set(e.id, e);
        return [...byId.values()].sort((a, b) => b.lastTimestamp.localeCompare(a.lastTimestamp)).slice(0, MAX_EVENTS);
      });
    void (async () => {
      while (!stopped) {
        try {
          // after (re)connecting: the latest events again (merged by id), then live ones
          const live = subscribe(client, EventsSubscription, { namespace });
          const first = live.next();
          first.catch(() => {}); // handled below; not an unhandled rejection while the list loads
          merge((await request(target, EventsQuery, { namespace })).events.edges.map((e) => e.node));
          for (let next = await first; !next.done && !stopped; next = await live.next()) merge([next.value.events]);
        } catch {
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    })();
    return () => {
      stopped = true;
    };
  }, [client, namespace]);
  return events;
}

function podClass(p: PodFieldsFragment): string {
  if (p.metadata.deletionTimestamp) return "terminating";
  if (p.status.phase === "Running") return p.status.ready ? "ready" : "unready";
  return p.status.phase.toLowerCase();
}

function PodGrid({ pods }: { pods: PodFieldsFragment[] }) {
  if (pods.length === 0) return <Empty>No pods.</Empty>;
  return (
    <div class="pods" data-testid="pods">
      {pods.map((p) => {
        const restarts = p.status.containerStatuses.reduce((n, c) => n + c.restartCount, 0);
        const waiting = p.status.containerStatuses.find((c) => c.state.waiting)?.state.waiting?.reason;
        return (
          <div key={p.metadata.uid} class={`pod ${podClass(p)}`} title={`${p.metadata.name}\n${p.status.phase}${p.status.ready ? ", ready" : ""}${waiting ? `, ${waiting}` : ""}\nrestarts: ${restarts}`}>
            {restarts > 0 ? restarts : ""}
          </div>
        );
      })}
    </div>
  );
}

export function DeploymentView(props: { target: Target; client: Client; deployment: DeploymentFieldsFragment; editRefusal: string | null; onUnauthenticated(): void }) {
  const { target, client, deployment: d } = props;
  const named = { name: d.metadata.name, namespace: d.metadata.namespace };
  // the Deployment's own ReplicaSets and pods (by its selector), not the namespace's
  const scope = { namespace: named.namespace, labelSelector: selectorString(d.spec.selector) };
  const replicaSets = useWatch<ReplicaSetFieldsFragment>(target, client, WatchReplicaSets, scope, "replicaSets");
  const selectedPods = useWatch<PodFieldsFragment>(target, client, WatchPods, scope, "pods");
  const events = useEvents(target, client, named.namespace);
  const { dialog, button, notice } = useActions(props.onUnauthenticated, props.editRefusal);

  const owned = useMemo(
    () => [...(replicaSets?.values() ?? [])].filter((rs) => rs.metadata.ownerReferences.some((o) => o.uid === d.metadata.uid)).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0)),
    [replicaSets, d.metadata.uid],
  );
  const pods = useMemo(() => {
    const uids = new Set(owned.map((rs) => rs.metadata.uid));
    return [...(selectedPods?.values() ?? [])].filter((p) => p.metadata.ownerReferences.some((o) => uids.has(o.uid))).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }, [selectedPods, owned]);

  // one sample per change of (new, old) sizes
  const samples = useRef<Samples>([[], [], []]);
  const [chart, setChart] = useState<Samples>(samples.current);
  useEffect(() => {
    if (!replicaSets) return;
    const [newest, ...older] = owned;
    const point = [Date.now() / 1000, newest?.spec.replicas ?? 0, older.reduce((n, rs) => n + rs.spec.replicas, 0)];
    const [t, n, o] = samples.current;
    if (n.at(-1) === point[1] && o.at(-1) === point[2]) return;
    const keep = (a: number[], v: number) => [...a.slice(-(MAX_SAMPLES - 1)), v];
    samples.current = [keep(t, point[0]), keep(n, point[1]), keep(o, point[2])];
    setChart(samples.current);
  }, [owned]);

  const names = new Set([named.name, ...owned.map((rs) => rs.metadata.name), ...pods.map((p) => p.metadata.name)]);
  const mine = events.filter((e) => names.has(e.involvedObject.name)).slice(0, 50);
  const { phase, line } = phaseOf(d);
  const rolling = d.spec.strategy.rollingUpdate;
  const container = d.spec.template.spec.containers[0];

  return (
    <section class="deployment">
      <h2>
        {named.name} <span class={`phase ${phase}`}>{phase}</span> <a href={href({ ...named, history: true })}>history</a>
      </h2>
      <p class="message" data-testid="message">
        {line}
      </p>
      <p class="counts" data-testid="counts">
        desired <b data-testid="desired">{d.spec.replicas}</b> · updated <b>{d.status.updatedReplicas}</b> · ready <b>{d.status.readyReplicas}</b> · available{" "}
        <b data-testid="available">{d.status.availableReplicas}</b> · revision <b>{d.revision}</b> · age {age(d.metadata.creationTimestamp)}
      </p>
      <div class="actions">
        {button("Scale", actions.scale(target, named, d.spec.replicas), "scale")}
        {container && button("Set image", actions.setImage(target, named, container.name, container.image), "set-image")}
        {d.spec.paused ? button("Resume", actions.resume(target, named), "resume") : button("Pause", actions.pause(target, named), "pause")}
        {button("Restart", actions.restart(target, named), "restart")}
      </div>
      {notice}
      <div class="columns">
        <div>
          <h3>ReplicaSet sizes</h3>
          <SizeChart samples={chart} />
          <h3>Pods ({pods.length})</h3>
          {selectedPods ? <PodGrid pods={pods} /> : <Empty>Loading pods…</Empty>}
        </div>
        <div>
          <h3>Strategy</h3>
          <dl class="strategy" data-testid="strategy">
            <dt>type</dt>
            <dd>{d.spec.strategy.type}</dd>
            {rolling && (
              <>
                <dt>maxSurge</dt>
                <dd>{String(rolling.maxSurge)}</dd>
                <dt>maxUnavailable</dt>
                <dd>{String(rolling.maxUnavailable)}</dd>
              </>
            )}
            <dt>minReadySeconds</dt>
            <dd>{d.spec.minReadySeconds}</dd>
            <dt>progressDeadlineSeconds</dt>
            <dd>{d.spec.progressDeadlineSeconds}</dd>
          </dl>
          <h3>Conditions</h3>
          <table data-testid="conditions">
            <tbody>
              {d.status.conditions.map((c) => (
                <tr key={c.type}>
                  <td>{c.type}</td>
                  <td>{c.status}</td>
                  <td>{c.reason}</td>
                  <td class="message">{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>ReplicaSets</h3>
          <table>
            <tbody>
              {owned.map((rs) => (
                <tr key={rs.metadata.uid}>
                  <td>{rs.metadata.name}</td>
                  <td>rev {rs.revision ?? "?"}</td>
                  <td>
                    {rs.status.availableReplicas}/{rs.spec.replicas} available
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Events</h3>
          {mine.length === 0 ? (
            <Empty>No events yet.</Empty>
          ) : (
            <ul class="events" data-testid="events">
              {mine.map((e) => (
                <li key={e.id} class={e.type}>
                  <b>{e.reason}</b> {e.involvedObject.kind}/{e.involvedObject.name}: {e.message} {e.count > 1 ? `(×${e.count})` : ""}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {dialog}
    </section>
  );
}
