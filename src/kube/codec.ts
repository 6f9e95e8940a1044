// The Kubernetes JSON codec: stored rows → apps/v1 and core/v1 objects as kube-apiserver writes
// them (RFC 3339 seconds, empty fields left out like Go's omitempty), and the kinds' REST names.
import type { Event as EventRow } from "../generated/prisma/client.ts";
import { deploymentOf, podOf, replicaSetOf, type DeploymentRow, type PodRow, type ReplicaSetRow } from "../db/rows.ts";
import type { RowOfKind, TableKind } from "../db/kinds.ts";
import type { Condition, Container, ObjectMeta, PodTemplateSpec } from "../domain/types.ts";

export type Obj = Record<string, unknown>;

export interface Resource {
  kind: TableKind;
  /** the plural path segment */
  plural: string;
  singular: string;
  group: "" | "apps";
  shortNames: string[];
}

export const RESOURCES: readonly Resource[] = [
  { kind: "Deployment", plural: "deployments", singular: "deployment", group: "apps", shortNames: ["deploy"] },
  { kind: "ReplicaSet", plural: "replicasets", singular: "replicaset", group: "apps", shortNames: ["rs"] },
  { kind: "Pod", plural: "pods", singular: "pod", group: "", shortNames: ["po"] },
  { kind: "Event", plural: "events", singular: "event", group: "", shortNames: ["ev"] },
];

export const apiVersionOf = (r: Resource) => (r.group ? `${r.group}/v1` : "v1");
/** `deployments.apps`, `pods`: how upstream's messages name a resource */
export const qualifiedName = (r: Resource) => (r.group ? `${r.plural}.${r.group}` : r.plural);

/** RFC 3339 with seconds, as Go's metav1.Time marshals. */
export const time = (d: Date | null | undefined): string | undefined => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : undefined);

/** Drops undefined, null, empty maps and empty lists (omitempty), recursively. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value as Obj)) {
    const c = compact(v);
    if (c === undefined || c === null) continue;
    if (typeof c === "object" && !Array.isArray(c) && Object.keys(c as Obj).length === 0 && k !== "resources" && k !== "status") continue;
    if (Array.isArray(c) && c.length === 0) continue;
    out[k] = c;
  }
  return out as T;
}

/** The numeric fields of a status with the zeros left out (Go's omitempty on int32). */
function withoutZeros(status: object): Record<string, number> {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === "number" && v !== 0));
}

const OWNER_API_VERSION: Record<string, string> = { Deployment: "apps/v1", ReplicaSet: "apps/v1", Pod: "v1" };

function metadata(m: ObjectMeta & { deletionGracePeriodSeconds?: number | null }) {
  return {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    generation: m.generation,
    creationTimestamp: time(m.creationTimestamp),
    deletionTimestamp: time(m.deletionTimestamp),
    deletionGracePeriodSeconds: m.deletionGracePeriodSeconds ?? undefined,
    labels: m.labels,
    annotations: m.annotations,
    ownerReferences: m.ownerReferences.map((o) => ({ apiVersion: OWNER_API_VERSION[o.kind], kind: o.kind, name: o.name, uid: o.uid, controller: o.controller, blockOwnerDeletion: true })),
    finalizers: m.finalizers,
  };
}

function condition(c: Condition) {
  return { type: c.type, status: c.status, lastUpdateTime: time(c.lastUpdateTime), lastTransitionTime: time(c.lastTransitionTime), reason: c.reason, message: c.message };
}

function container(c: Container) {
  return {
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    ports: c.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
    env: c.env,
    resources: { limits: c.resources.limits, requests: c.resources.requests },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: c.image.endsWith(":latest") || !c.image.includes(":") ? "Always" : "IfNotPresent",
  };
}

function podSpec(spec: PodTemplateSpec["spec"] & { nodeName?: string | null }) {
  return {
    containers: spec.containers.map(container),
    restartPolicy: "Always",
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    dnsPolicy: "ClusterFirst",
    nodeName: spec.nodeName ?? undefined,
    securityContext: {},
    schedulerName: "default-scheduler",
  };
}

const template = (t: PodTemplateSpec) => ({ metadata: { labels: t.metadata.labels, annotations: t.metadata.annotations }, spec: podSpec(t.spec) });

/** A stored object of a workload kind: its apiVersion, kind, metadata, spec and status, omitempty. */
const workload = (kind: "Deployment" | "ReplicaSet" | "Pod", meta: Parameters<typeof metadata>[0], spec: Obj, status: Obj): Obj =>
  compact({ apiVersion: OWNER_API_VERSION[kind], kind, metadata: metadata(meta), spec, status });

export function deploymentJson(row: DeploymentRow): Obj {
  const d = deploymentOf(row);
  const spec = {
    replicas: d.spec.replicas,
    selector: d.spec.selector,
    template: template(d.spec.template),
    strategy: d.spec.strategy.type === "Recreate" ? { type: "Recreate" } : d.spec.strategy,
    minReadySeconds: d.spec.minReadySeconds || undefined,
    revisionHistoryLimit: d.spec.revisionHistoryLimit,
    progressDeadlineSeconds: d.spec.progressDeadlineSeconds,
    paused: d.spec.paused || undefined,
  };
  return workload("Deployment", d.metadata, spec, { ...withoutZeros(d.status), conditions: d.status.conditions.map(condition) });
}

export function replicaSetJson(row: ReplicaSetRow): Obj {
  const rs = replicaSetOf(row);
  const spec = { replicas: rs.spec.replicas, minReadySeconds: rs.spec.minReadySeconds || undefined, selector: rs.spec.selector, template: template(rs.spec.template) };
  // status.replicas is not omitempty upstream
  return workload("ReplicaSet", rs.metadata, spec, { ...withoutZeros(rs.status), replicas: rs.status.replicas, conditions: rs.status.conditions.map(condition) });
}

export function podJson(row: PodRow): Obj {
  const p = podOf(row);
  return workload("Pod", p.metadata, podSpec(p.spec), {
    phase: p.status.phase,
    conditions: p.status.conditions.map((c) => ({ type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: time(c.lastTransitionTime), reason: c.reason, message: c.message })),
    podIP: p.status.podIP,
    podIPs: p.status.podIP ? [{ ip: p.status.podIP }] : [],
    startTime: time(p.status.startTime),
    containerStatuses: p.status.containerStatuses.map((s) => ({
      name: s.name,
      image: s.image,
      imageID: "",
      ready: s.ready,
      started: s.state.running !== null,
      restartCount: s.restartCount,
      state: {
        waiting: s.state.waiting ?? undefined,
        running: s.state.running ? { startedAt: time(s.state.running.startedAt) } : undefined,
        terminated: s.state.terminated ? { ...s.state.terminated, finishedAt: time(s.state.terminated.finishedAt) } : undefined,
      },
    })),
  });
}

export function eventJson(row: EventRow): Obj {
  return compact({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: row.name, namespace: row.namespace, uid: row.uid, resourceVersion: String(row.resourceVersion), creationTimestamp: time(row.firstTimestamp) },
    involvedObject: { kind: row.involvedKind, namespace: row.namespace, name: row.involvedName, uid: row.involvedUid, apiVersion: OWNER_API_VERSION[row.involvedKind] },
    reason: row.reason,
    message: row.message,
    source: { component: row.involvedKind === "Pod" ? "kubelet" : row.involvedKind === "Deployment" ? "deployment-controller" : "replicaset-controller" },
    firstTimestamp: time(row.firstTimestamp),
    lastTimestamp: time(row.lastTimestamp),
    count: row.count,
    type: row.type,
    eventTime: null,
    reportingComponent: "",
    reportingInstance: "",
  });
}

const ENCODERS: { [K in TableKind]: (row: RowOfKind[K]) => Obj } = { Deployment: deploymentJson, ReplicaSet: replicaSetJson, Pod: podJson, Event: eventJson };

export function objectJson<K extends TableKind>(kind: K, row: RowOfKind[K]): Obj {
  return ENCODERS[kind](row);
}
