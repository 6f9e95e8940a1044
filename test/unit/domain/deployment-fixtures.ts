// Builders of domain objects for the unit tests, and a tiny in-memory cluster for the Deployment
// controller's.
import { syncDeployment, type DeploymentAction, type DeploymentSyncResult } from "../../../src/domain/deployment-sync.ts";
import { findNewReplicaSet, REVISION_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION } from "../../../src/domain/deployment-util.ts";
import type { Condition, Container, Deployment, IntOrString, Pod, PodTemplateSpec, ReplicaSet, StringMap } from "../../../src/domain/types.ts";

export const T0 = Date.parse("2024-01-01T00:00:00Z");
export const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

/** A container as normalization leaves it: no command, args, env, ports or resources unless given. */
export function container(name: string, image: string, o: Partial<Omit<Container, "name" | "image">> = {}): Container {
  return { name, image, command: [], args: [], env: [], ports: [], resources: { requests: {}, limits: {} }, ...o };
}

export function template(image = "nginx:1", labels: StringMap = { app: "web" }): PodTemplateSpec {
  return {
    metadata: { labels: { ...labels }, annotations: {} },
    spec: { containers: [container("app", image)], terminationGracePeriodSeconds: 30 },
  };
}

/**
 * A pod's metadata: namespace default, uid uid-<name>, created at T0, labels app=web, no owner;
 * `deleting` sets the deletion timestamp (T0) and grace period (30 s). Any field can be given.
 */
export function podMeta(name: string, { deleting = false, ...o }: { deleting?: boolean } & Partial<Pod["metadata"]> = {}): Pod["metadata"] {
  return {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    resourceVersion: "1",
    generation: 1,
    creationTimestamp: at(0),
    deletionTimestamp: deleting ? at(0) : null,
    deletionGracePeriodSeconds: deleting ? 30 : null,
    labels: { app: "web" },
    annotations: {},
    ownerReferences: [],
    finalizers: [],
    ...o,
  };
}

export interface DeploymentOptions {
  name?: string;
  replicas?: number;
  /** RollingUpdate surge / unavailable, default 25% / 25% */
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  recreate?: boolean;
  image?: string;
  generation?: number;
  paused?: boolean;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  annotations?: StringMap;
  deleting?: boolean;
  status?: Partial<Deployment["status"]>;
}

export function deployment(o: DeploymentOptions = {}): Deployment {
  const generation = o.generation ?? 1;
  return {
    metadata: {
      name: o.name ?? "web",
      namespace: "default",
      uid: "d-uid",
      resourceVersion: "1",
      generation,
      creationTimestamp: at(0),
      deletionTimestamp: o.deleting ? at(0) : null,
      labels: { app: "web" },
      annotations: { ...(o.annotations ?? {}) },
      ownerReferences: [],
      finalizers: [],
    },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: "web" }, matchExpressions: [] },
      template: template(o.image ?? "nginx:1"),
      strategy: o.recreate
        ? { type: "Recreate", rollingUpdate: null }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: o.maxSurge ?? "25%", maxUnavailable: o.maxUnavailable ?? "25%" } },
      minReadySeconds: o.minReadySeconds ?? 0,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      paused: o.paused ?? false,
    },
    status: {
      observedGeneration: generation,
      replicas: 0,
      updatedReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 0,
      collisionCount: 0,
      conditions: [],
      ...o.status,
    },
  };
}

export interface ReplicaSetOptions {
  uid?: string;
  replicas?: number;
  /** status.replicas, default = replicas */
  current?: number;
  ready?: number;
  /** status.availableReplicas, default = current */
  available?: number;
  /** creation time in seconds after T0 */
  created?: number;
  revision?: number;
  image?: string;
  annotations?: StringMap;
  /** desired-replicas / max-replicas annotations */
  desired?: number;
  max?: number;
  ownerUid?: string;
  generation?: number;
  observedGeneration?: number;
  conditions?: Condition[];
  deleting?: boolean;
}

export function replicaSet(name: string, o: ReplicaSetOptions = {}): ReplicaSet {
  const replicas = o.replicas ?? 0;
  const current = o.current ?? replicas;
  const available = o.available ?? current;
  const hash = name.split("-").pop() ?? "x";
  const labels = { app: "web", "pod-template-hash": hash };
  const t = template(o.image ?? `image-of-${name}`);
  t.metadata.labels = { ...t.metadata.labels, "pod-template-hash": hash };
  const annotations: StringMap = { ...(o.annotations ?? {}) };
  if (o.revision !== undefined) annotations[REVISION_ANNOTATION] = String(o.revision);
  if (o.desired !== undefined) annotations[DESIRED_REPLICAS_ANNOTATION] = String(o.desired);
  if (o.max !== undefined) annotations[MAX_REPLICAS_ANNOTATION] = String(o.max);
  return {
    metadata: {
      name,
      namespace: "default",
      uid: o.uid ?? `uid-${name}`,
      resourceVersion: "1",
      generation: o.generation ?? 1,
      creationTimestamp: at(o.created ?? 0),
      deletionTimestamp: o.deleting ? at(0) : null,
      labels,
      annotations,
      ownerReferences: [{ kind: "Deployment", name: "web", uid: o.ownerUid ?? "d-uid", controller: true }],
      finalizers: [],
    },
    spec: { replicas, selector: { matchLabels: labels, matchExpressions: [] }, template: t, minReadySeconds: 0 },
    status: {
      replicas: current,
      fullyLabeledReplicas: current,
      readyReplicas: o.ready ?? available,
      availableReplicas: available,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
      conditions: o.conditions ?? [],
    },
  };
}

export function pod(name: string, ownerUid: string, phase: Pod["status"]["phase"] = "Running", terminating = false): Pod {
  return {
    metadata: podMeta(name, { deleting: terminating, ownerReferences: [{ kind: "ReplicaSet", name: "rs", uid: ownerUid, controller: true }] }),
    spec: { containers: [], terminationGracePeriodSeconds: 30, nodeName: "node-a" },
    status: { phase, ready: phase === "Running", conditions: [], containerStatuses: [], startTime: at(0), podIP: null },
  };
}

export function events(result: DeploymentSyncResult): string[] {
  return result.actions.flatMap((a) => (a.type === "event" ? [`${a.eventType} ${a.reason}: ${a.message}`] : []));
}

export function actionsOf<T extends DeploymentAction["type"]>(result: DeploymentSyncResult, type: T): Extract<DeploymentAction, { type: T }>[] {
  return result.actions.filter((a): a is Extract<DeploymentAction, { type: T }> => a.type === type);
}

/**
 * A Deployment, its ReplicaSets and their pods in memory. sync() runs syncDeployment, applies the
 * actions like the store would, then plays the ReplicaSet controller: status.replicas follows
 * spec.replicas at once, new pods start unavailable, scale-downs remove unavailable pods first.
 * With `lingeringTermination`, removed pods stay terminating until finishTermination().
 */
export class Cluster {
  deployment: Deployment;
  replicaSets: ReplicaSet[] = [];
  terminating: Pod[] = [];
  /** RSs of the namespace that are not this Deployment's (for name collisions) */
  foreign: ReplicaSet[] = [];
  now: Date = at(0);
  lingeringTermination = false;
  history: DeploymentSyncResult[] = [];
  private nextUid = 1;
  private clock = 0;

  constructor(d: Deployment) {
    this.deployment = d;
  }

  get newRS(): ReplicaSet | null {
    return findNewReplicaSet(this.deployment, this.replicaSets);
  }

  get oldReplicas(): number {
    const newRS = this.newRS;
    return this.replicaSets.filter((rs) => rs !== newRS).reduce((sum, rs) => sum + rs.spec.replicas, 0);
  }

  /** "(new,old)" spec sizes */
  get sizes(): string {
    return `(${this.newRS?.spec.replicas ?? "-"},${this.oldReplicas})`;
  }

  pods(): Pod[] {
    const active = this.replicaSets.flatMap((rs) =>
      Array.from({ length: rs.status.replicas }, (_, i) => pod(`${rs.metadata.name}-${i}`, rs.metadata.uid)),
    );
    return [...active, ...this.terminating];
  }

  tick(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  edit(change: (d: Deployment) => void): void {
    const d = structuredClone(this.deployment);
    change(d);
    d.metadata.generation += 1;
    this.deployment = d;
  }

  sync(): DeploymentSyncResult {
    const result = syncDeployment({
      deployment: this.deployment,
      replicaSets: this.replicaSets.map((rs) => structuredClone(rs)),
      pods: this.pods(),
      now: this.now,
      existingReplicaSetNamed: (name) => this.foreign.find((rs) => rs.metadata.name === name),
    });
    this.history.push(result);
    for (const action of result.actions) this.apply(action);
    this.replicaSetController();
    return result;
  }

  private apply(action: DeploymentAction): void {
    switch (action.type) {
      case "createReplicaSet": {
        const { metadata, spec } = structuredClone(action.replicaSet);
        this.clock += 1;
        this.replicaSets.push({
          metadata: {
            ...metadata,
            uid: `rs-uid-${this.nextUid++}`,
            resourceVersion: "1",
            generation: 1,
            creationTimestamp: new Date(this.now.getTime() + this.clock),
            deletionTimestamp: null,
            finalizers: [],
          },
          spec,
          status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 0, conditions: [] },
        });
        return;
      }
      case "updateReplicaSet": {
        const rs = this.replicaSets.find((r) => r.metadata.uid === action.uid)!;
        if (action.replicas !== undefined || action.minReadySeconds !== undefined) rs.metadata.generation += 1;
        if (action.replicas !== undefined) rs.spec.replicas = action.replicas;
        if (action.minReadySeconds !== undefined) rs.spec.minReadySeconds = action.minReadySeconds;
        if (action.annotations !== undefined) rs.metadata.annotations = { ...action.annotations };
        return;
      }
      case "deleteReplicaSet":
        this.replicaSets = this.replicaSets.filter((r) => r.metadata.uid !== action.uid);
        return;
      case "updateDeployment":
        this.deployment = structuredClone({
          ...this.deployment,
          metadata: { ...this.deployment.metadata, annotations: action.annotations ?? this.deployment.metadata.annotations },
          status: action.status ?? this.deployment.status,
        });
        return;
      case "event":
        return;
    }
  }

  private replicaSetController(): void {
    for (const rs of this.replicaSets) {
      const removed = rs.status.replicas - rs.spec.replicas;
      if (removed > 0 && this.lingeringTermination) {
        for (let i = 0; i < removed; i++) this.terminating.push(pod(`${rs.metadata.name}-gone-${this.terminating.length}`, rs.metadata.uid, "Running", true));
      }
      const available = Math.min(rs.status.availableReplicas, rs.spec.replicas);
      rs.status = { ...rs.status, replicas: rs.spec.replicas, fullyLabeledReplicas: rs.spec.replicas, readyReplicas: available, availableReplicas: available, observedGeneration: rs.metadata.generation };
    }
  }

  finishTermination(): void {
    this.terminating = [];
  }

  /** One more pod of the new RS becomes available (as the RS controller would report it). */
  podBecomesAvailable(): boolean {
    const rs = this.replicaSets.find((r) => r.metadata.uid === this.newRS?.metadata.uid);
    if (!rs || rs.status.availableReplicas >= rs.status.replicas) return false;
    rs.status = { ...rs.status, availableReplicas: rs.status.availableReplicas + 1, readyReplicas: rs.status.readyReplicas + 1 };
    return true;
  }

  /** Every pod of every RS available. */
  allAvailable(): void {
    for (const rs of this.replicaSets) rs.status = { ...rs.status, availableReplicas: rs.status.replicas, readyReplicas: rs.status.replicas };
  }

  /** Sync until a sync changes nothing; returns the number of syncs that changed something. */
  settle(limit = 50): number {
    for (let i = 0; i < limit; i++) {
      const result = this.sync();
      if (result.actions.every((a) => a.type === "event")) return i;
    }
    throw new Error("did not settle");
  }

  /**
   * Rolls out: after each sync that changed a ReplicaSet's size (or created one) records "(new,old)";
   * when a sync changes none, one new pod becomes available ("R"). Stops at (replicas,0).
   */
  rollout(limit = 200): string[] {
    const steps: string[] = [];
    for (let i = 0; i < limit; i++) {
      const before = this.signature();
      this.sync();
      if (this.signature() !== before) {
        steps.push(this.sizes);
        if (this.newRS?.spec.replicas === this.deployment.spec.replicas && this.oldReplicas === 0) return steps;
      } else if (this.podBecomesAvailable()) {
        steps.push("R");
      } else {
        return steps;
      }
    }
    throw new Error(`no end after ${limit} syncs: ${steps.join(" ")}`);
  }

  private signature(): string {
    return this.replicaSets.map((rs) => `${rs.metadata.name}:${rs.spec.replicas}`).join(",");
  }
}

/** A cluster whose Deployment was created and fully rolled out (revision 1, all pods available). */
export function settledCluster(d: Deployment): Cluster {
  const cluster = new Cluster(d);
  cluster.sync();
  cluster.allAvailable();
  cluster.settle();
  return cluster;
}
