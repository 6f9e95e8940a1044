// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): upstream's column
// definitions and cells (pkg/printers/internalversion/printers.go) for the served kinds, computed
// from the objects as the codec writes them, so kubectl's columns agree with -o yaml.
import type { TableKind } from "../db/kinds.ts";
import type { Obj } from "./codec.ts";

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  description: string;
  priority?: number;
}

type Cell = string | number;

const NAME: Column = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace." };
const AGE: Column = { name: "Age", type: "string", description: "CreationTimestamp is a timestamp representing the server time when this object was created." };
const WORKLOAD_WIDE: Column[] = [
  { name: "Containers", type: "string", priority: 1, description: "Names of each container in the template." },
  { name: "Images", type: "string", priority: 1, description: "Images referenced by each container in the template." },
  { name: "Selector", type: "string", priority: 1, description: "Label selector for pods." },
];

export const COLUMNS: Record<TableKind, Column[]> = {
  Deployment: [
    NAME,
    { name: "Ready", type: "string", description: "Number of the pod with ready state" },
    { name: "Up-to-date", type: "integer", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec." },
    { name: "Available", type: "integer", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment." },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  ReplicaSet: [
    NAME,
    { name: "Desired", type: "integer", description: "Replicas is the number of desired replicas." },
    { name: "Current", type: "integer", description: "Replicas is the most recently observed number of replicas." },
    { name: "Ready", type: "integer", description: "The number of ready replicas for this replica set." },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  Pod: [
    NAME,
    { name: "Ready", type: "string", description: "The aggregate readiness state of this pod for accepting traffic." },
    { name: "Status", type: "string", description: "The aggregate status of the containers in this pod." },
    { name: "Restarts", type: "string", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted." },
    AGE,
    { name: "IP", type: "string", priority: 1, description: "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated." },
    { name: "Node", type: "string", priority: 1, description: "NodeName is a request to schedule this pod onto a specific node." },
    { name: "Nominated Node", type: "string", priority: 1, description: "nominatedNodeName is set when this pod preempts other pods on the node." },
    { name: "Readiness Gates", type: "string", priority: 1, description: "If specified, all readiness gates will be evaluated for pod readiness." },
  ],
  Event: [
    { name: "Last Seen", type: "string", description: "Time when this Event was last observed." },
    { name: "Type", type: "string", description: "Type of this event (Normal, Warning), new types could be added in the future." },
    { name: "Reason", type: "string", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status." },
    { name: "Object", type: "string", description: "The object that this event is about." },
    { name: "Subobject", type: "string", priority: 1, description: "The field of the object that this event is about." },
    { name: "Source", type: "string", priority: 1, description: "The component reporting this event." },
    { name: "Message", type: "string", description: "A human-readable description of the status of this operation." },
    { name: "First Seen", type: "string", priority: 1, description: "The time at which the event was first recorded." },
    { name: "Count", type: "string", priority: 1, description: "The number of times this event has occurred." },
    { name: "Name", type: "string", priority: 1, description: "Name must be unique within a namespace." },
  ],
};

/** Upstream's duration.HumanDuration: `45s`, `2m5s`, `15m`, `3h20m`, `2d3h`, `1y20d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

const age = (timestamp: unknown, now: Date) => (typeof timestamp === "string" ? humanDuration(now.getTime() - Date.parse(timestamp)) : "<unknown>");

type Any = any; // the codec's JSON objects, read field by field

function selectorText(selector: Any): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === "In" ? "in" : "notin"} (${e.values.join(",")})`);
  }
  return parts.length ? parts.join(",") : "<none>";
}

function workloadWide(o: Any): Cell[] {
  const containers = o.spec.template.spec.containers as Any[];
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image).join(","), selectorText(o.spec.selector)];
}

/** Upstream's printPod: the Status column's reason, ready containers and restarts. */
export function podCells(o: Any): { ready: string; status: string; restarts: string } {
  let reason: string = o.status?.phase ?? "";
  const statuses = (o.status?.containerStatuses ?? []) as Any[];
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  for (const c of [...statuses].reverse()) {
    restarts += c.restartCount ?? 0;
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === "Completed" && hasRunning) {
    const podReady = ((o.status?.conditions ?? []) as Any[]).some((c) => c.type === "Ready" && c.status === "True");
    reason = podReady ? "Running" : "NotReady";
  }
  if (o.metadata.deletionTimestamp) reason = "Terminating";
  return { ready: `${ready}/${o.spec.containers.length}`, status: reason, restarts: String(restarts) };
}

export function cells(kind: TableKind, o: Any, now: Date): Cell[] {
  const created = age(o.metadata.creationTimestamp, now);
  switch (kind) {
    case "Deployment":
      return [o.metadata.name, `${o.status.readyReplicas ?? 0}/${o.spec.replicas}`, o.status.updatedReplicas ?? 0, o.status.availableReplicas ?? 0, created, ...workloadWide(o)];
    case "ReplicaSet":
      return [o.metadata.name, o.spec.replicas, o.status.replicas ?? 0, o.status.readyReplicas ?? 0, created, ...workloadWide(o)];
    case "Pod": {
      const p = podCells(o);
      return [o.metadata.name, p.ready, p.status, p.restarts, created, o.status.podIP ?? "<none>", o.spec.nodeName ?? "<none>", "<none>", "<none>"];
    }
    case "Event": {
      const involved = `${o.involvedObject.kind.toLowerCase()}/${o.involvedObject.name}`;
      return [age(o.lastTimestamp, now), o.type, o.reason, involved, "", o.source.component, o.message, age(o.firstTimestamp, now), String(o.count), o.metadata.name];
    }
  }
}

export type IncludeObject = "None" | "Metadata" | "Object";

function rowObject(o: Obj, include: IncludeObject): Obj | undefined {
  if (include === "None") return undefined;
  if (include === "Object") return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

/** A meta.k8s.io/v1 Table of the objects (one object for a get, the items for a list). */
export function table(kind: TableKind, objects: Obj[], listMeta: Obj, include: IncludeObject, now: Date): Obj {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: COLUMNS[kind],
    rows: objects.map((o) => ({ cells: cells(kind, o, now), object: rowObject(o, include) })),
  };
}
