// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): upstream's column
// definitions and cells (pkg/printers/internalversion/printers.go) for the served kinds, computed
// from the objects as the codec writes them, so kubectl's columns agree with -o yaml.
import type { TableKind } from "../db/kinds.ts";
import type { Obj } from "./codec.ts";
import { typeNamed } from "./schema.ts";

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  description: string;
  priority?: number;
}

type Cell = string | number;

/**
 * A column: [name, type, description, priority]. A description written `Type.field` is that
 * field's in the kinds' description (schema.ts), as upstream's printers take a field's SwaggerDoc;
 * other descriptions are upstream's own words for a computed column.
 */
type ColumnSpec = [name: string, type: Column["type"], description: string, priority?: 1];

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const fieldDescription = (description: string): string => {
  const dot = description.lastIndexOf(".");
  const field = typeNamed(description.slice(0, dot)).fields.find((f) => f.name === description.slice(dot + 1));
  if (!field) throw new Error(`no field ${description} in the kinds' description`);
  return field.description;
};
const FIELD_REFERENCE = /^io\.k8s\.[\w.]+\.[A-Z]\w*\.\w+$/;
const columns = (specs: ColumnSpec[]): Column[] =>
  specs.map(([name, type, description, priority]) => ({
    name,
    type,
    ...(name === "Name" && !priority ? { format: "name" } : {}),
    description: FIELD_REFERENCE.test(description) ? fieldDescription(description) : description,
    ...(priority ? { priority } : {}),
  }));

const NAME: ColumnSpec = ["Name", "string", `${META}.ObjectMeta.name`];
const AGE: ColumnSpec = ["Age", "string", `${META}.ObjectMeta.creationTimestamp`];
const WORKLOAD_WIDE: ColumnSpec[] = [
  ["Containers", "string", "Names of each container in the template.", 1],
  ["Images", "string", "Images referenced by each container in the template.", 1],
  ["Selector", "string", "Label selector for pods.", 1],
];
const APPS = "io.k8s.api.apps.v1";
const CORE = "io.k8s.api.core.v1";

export const COLUMNS: Record<TableKind, Column[]> = {
  Deployment: columns([
    NAME,
    ["Ready", "string", "Number of the pod with ready state"],
    ["Up-to-date", "integer", `${APPS}.DeploymentStatus.updatedReplicas`],
    ["Available", "integer", `${APPS}.DeploymentStatus.availableReplicas`],
    AGE,
    ...WORKLOAD_WIDE,
  ]),
  ReplicaSet: columns([
    NAME,
    ["Desired", "integer", `${APPS}.ReplicaSetSpec.replicas`],
    ["Current", "integer", `${APPS}.ReplicaSetStatus.replicas`],
    ["Ready", "integer", `${APPS}.ReplicaSetStatus.readyReplicas`],
    AGE,
    ...WORKLOAD_WIDE,
  ]),
  Pod: columns([
    NAME,
    ["Ready", "string", "The aggregate readiness state of this pod for accepting traffic."],
    ["Status", "string", "The aggregate status of the containers in this pod."],
    ["Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."],
    AGE,
    ["IP", "string", `${CORE}.PodStatus.podIP`, 1],
    ["Node", "string", `${CORE}.PodSpec.nodeName`, 1],
    ["Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.", 1],
    ["Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1],
  ]),
  Event: columns([
    ["Last Seen", "string", `${CORE}.Event.lastTimestamp`],
    ["Type", "string", `${CORE}.Event.type`],
    ["Reason", "string", `${CORE}.Event.reason`],
    ["Object", "string", `${CORE}.Event.involvedObject`],
    ["Subobject", "string", `${CORE}.ObjectReference.fieldPath`, 1],
    ["Source", "string", `${CORE}.Event.source`, 1],
    ["Message", "string", `${CORE}.Event.message`],
    ["First Seen", "string", `${CORE}.Event.firstTimestamp`, 1],
    ["Count", "string", `${CORE}.Event.count`, 1],
    ["Name", "string", `${META}.ObjectMeta.name`, 1],
  ]),
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
