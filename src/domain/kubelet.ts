// The simulated kubelet as a pure state machine. A pod's status is a function of its stored
// timestamps (creation, deletion), its annotations and `now`, never of what the kubelet remembers,
// so a restarted process resumes every pod exactly where it was. Behaviors come from the pod's
// annotations (copied from the template):
//   sim.deploye.dev/behavior: ready (default) | unready | crashloop | imagepull | manual
//   sim.deploye.dev/startup-ms: milliseconds from creation to Running
import { fnv1a32 } from "./hash.ts";
import type { Condition, ContainerState, ContainerStatus, Pod, PodStatus } from "./types.ts";

export const BEHAVIOR_ANNOTATION = "sim.deploye.dev/behavior";
export const STARTUP_MS_ANNOTATION = "sim.deploye.dev/startup-ms";
export const POD_BEHAVIORS = ["ready", "unready", "crashloop", "imagepull", "manual"] as const;
export type PodBehavior = (typeof POD_BEHAVIORS)[number];

/** Kubelet restart and image-pull back-off: 10s doubling up to 5 minutes. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export interface KubeletOptions {
  now: Date;
  /** the agent's nodes: it runs the pods bound to them and binds unbound ones to them; must not be empty */
  nodes: string[];
  /** nodes whose agent is gone, which it runs the pods of too (never binds to them) */
  takenOver?: readonly string[];
  /** startup time of pods without the startup-ms annotation */
  defaultStartupMs: number;
  /** caps every deletion grace period (for fast tests and demos) */
  maxGraceSeconds?: number | null;
  pickNode?: (podName: string, nodes: string[]) => string;
}

export interface KubeletResult {
  /** the new status, only when it differs from the pod's */
  status?: PodStatus;
  /** the node to bind to, only when the pod has none */
  nodeName?: string;
  /** the grace period is over: remove the pod */
  deleteRow?: boolean;
  /** when the pod's status changes next without outside help, or null */
  nextWakeAt: Date | null;
}

/** The behavior annotation; absent or unknown values mean `ready`. */
export function podBehavior(pod: Pod): PodBehavior {
  const value = pod.metadata.annotations[BEHAVIOR_ANNOTATION];
  return POD_BEHAVIORS.find((b) => b === value) ?? "ready";
}

/** The longest startup-ms (one day; src/domain/simulator-annotations.ts refuses more). */
export const MAX_STARTUP_MS = 86_400_000;

/** Whether a startup-ms value is a whole number of milliseconds in 0..MAX_STARTUP_MS. */
export function isStartupMs(value: string): boolean {
  return /^\d{1,9}$/.test(value) && Number(value) <= MAX_STARTUP_MS;
}

/** A pod stored with an out-of-range value (before validation refused it) starts after the default. */
function startupMs(pod: Pod, defaultStartupMs: number): number {
  const raw = pod.metadata.annotations[STARTUP_MS_ANNOTATION];
  return raw !== undefined && isStartupMs(raw) ? Number(raw) : defaultStartupMs;
}

const hashOf = (text: string) => fnv1a32(new TextEncoder().encode(text));

/** The default scheduler: a node chosen by a hash of the pod name. */
export function pickNodeByName(podName: string, nodes: string[]): string {
  if (nodes.length === 0) throw new Error("the simulated kubelet has no nodes");
  return nodes[hashOf(podName) % nodes.length];
}

/**
 * Whether the agent of `nodes` runs a pod bound to `nodeName`: a pod bound to one of its nodes or
 * to a node it took over (`takenOver`, see `takenOverNodes`), or one not bound yet (it may bind
 * it). A pod on another live node is that node's agent's, terminating or not: as upstream, only
 * the kubelet of a pod's node reports its status or removes it.
 */
export function servesPod(nodeName: string | null, nodes: readonly string[], takenOver: readonly string[] = []): boolean {
  return nodeName === null || nodes.includes(nodeName) || takenOver.includes(nodeName);
}

/** A node as a node agent sees it on its heartbeat. */
export interface NodeState {
  name: string;
  /** pods bound to the node */
  pods: number;
  /** a lease on it has not expired */
  live: boolean;
}

/**
 * The nodes the agent of `nodes` takes over, besides its own: every node with pods and no live
 * lease (its agent died or stopped), so that its pods are not stranded (a terminating one never
 * removed, a new one never started). Every live agent takes them over: they duplicate work only,
 * as the per-row version preconditions make double writes impossible. Once a lease on the node
 * appears again (its agent is back), it is that agent's alone. Sorted by name.
 */
export function takenOverNodes(nodes: readonly string[], states: readonly NodeState[]): string[] {
  return states
    .filter((n) => n.pods > 0 && !n.live && !nodes.includes(n.name))
    .map((n) => n.name)
    .sort();
}

/** A stable fake pod IP 10.244.x.y derived from the pod's uid. */
export function fakePodIP(pod: Pod): string {
  const hash = hashOf(pod.metadata.uid);
  return `10.244.${(hash >>> 8) & 0xff}.${1 + ((hash & 0xff) % 254)}`;
}

/** When a terminating pod disappears: deletionTimestamp + its grace period (capped). */
function deletionDeadline(pod: Pod, deletionTimestamp: Date, maxGraceSeconds: number | null | undefined): Date {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
  const capped = maxGraceSeconds == null ? grace : Math.min(grace, maxGraceSeconds);
  return new Date(deletionTimestamp.getTime() + capped * 1000);
}

/**
 * A container that crashes at once every time it starts, first started `elapsedMs` ago: restarts
 * so far, the back-off it is waiting out, and when (ms after the first start) it restarts next.
 */
export function crashLoop(elapsedMs: number): { restartCount: number; backOffMs: number; nextRestartMs: number } {
  let restartCount = 0;
  let lastStart = 0;
  let backOffMs = BACKOFF_INITIAL_MS;
  while (backOffMs < BACKOFF_MAX_MS && lastStart + backOffMs <= elapsedMs) {
    lastStart += backOffMs;
    restartCount += 1;
    backOffMs = Math.min(2 * backOffMs, BACKOFF_MAX_MS);
  }
  if (backOffMs === BACKOFF_MAX_MS) {
    const capped = Math.floor((elapsedMs - lastStart) / BACKOFF_MAX_MS);
    restartCount += capped;
    lastStart += capped * BACKOFF_MAX_MS;
  }
  return { restartCount, backOffMs, nextRestartMs: lastStart + backOffMs };
}

/** A Go-style duration: 10s, 1m20s, 5m0s. */
function goDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

function condition(type: string, ready: boolean, at: Date, message: string | null): Condition {
  return {
    type,
    status: ready ? "True" : "False",
    reason: ready ? null : "ContainersNotReady",
    message,
    lastUpdateTime: null,
    lastTransitionTime: at,
  };
}

interface Desired {
  status: PodStatus;
  nextWakeAt: Date | null;
}

/** The status a non-manual, non-terminating pod has at `now`. */
function desiredStatus(pod: Pod, behavior: Exclude<PodBehavior, "manual">, startupMs: number, now: Date): Desired {
  const created = pod.metadata.creationTimestamp;
  const startedAt = new Date(created.getTime() + startupMs);
  const names = pod.spec.containers.map((c) => c.name);
  const notReady = condition("Ready", false, created, `containers with unready status: [${names.join(" ")}]`);
  const make = (
    phase: "Pending" | "Running",
    ready: Condition,
    state: ContainerState,
    restartCount: number,
    nextWakeAt: Date | null,
  ): Desired => {
    const containerStatuses: ContainerStatus[] = pod.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: ready.status === "True",
      restartCount,
      state: structuredClone(state),
    }));
    const status: PodStatus = {
      phase,
      ready: ready.status === "True",
      conditions: [condition("PodScheduled", true, created, null), ready],
      containerStatuses,
      startTime: created,
      podIP: phase === "Running" ? fakePodIP(pod) : null,
    };
    return { status, nextWakeAt };
  };
  const waiting = (reason: string, message: string | null): ContainerState => ({
    waiting: { reason, message },
    running: null,
    terminated: null,
  });

  if (behavior === "imagepull") {
    const backOffAt = new Date(created.getTime() + BACKOFF_INITIAL_MS);
    const images = pod.spec.containers.map((c) => `"${c.image}"`).join(", ");
    return now < backOffAt
      ? make("Pending", notReady, waiting("ErrImagePull", `failed to pull image ${images}`), 0, backOffAt)
      : make("Pending", notReady, waiting("ImagePullBackOff", `Back-off pulling image ${images}`), 0, null);
  }
  if (now < startedAt) {
    return make("Pending", notReady, waiting("ContainerCreating", null), 0, startedAt);
  }
  const running: ContainerState = { waiting: null, running: { startedAt }, terminated: null };
  switch (behavior) {
    case "ready":
      return make("Running", condition("Ready", true, startedAt, null), running, 0, null);
    case "unready":
      return make("Running", notReady, running, 0, null);
    case "crashloop": {
      const loop = crashLoop(now.getTime() - startedAt.getTime());
      const message = `back-off ${goDuration(loop.backOffMs)} restarting failed container pod=${pod.metadata.name}`;
      const nextWakeAt = new Date(startedAt.getTime() + loop.nextRestartMs);
      return make("Running", notReady, waiting("CrashLoopBackOff", message), loop.restartCount, nextWakeAt);
    }
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    return [...keys].every((k) => deepEqual(ra[k], rb[k]));
  }
  return a === b;
}

/**
 * One step of the kubelet for one pod at `now`. A pod on another agent's node is left alone. A
 * terminating pod (any behavior, `manual` included) is removed once its grace period is over and
 * otherwise left as it is; a `manual` pod is never touched otherwise.
 */
export function simulatePod(pod: Pod, options: KubeletOptions): KubeletResult {
  const { now } = options;
  if (!servesPod(pod.spec.nodeName, options.nodes, options.takenOver)) return { nextWakeAt: null };
  if (pod.metadata.deletionTimestamp !== null) {
    const deadline = deletionDeadline(pod, pod.metadata.deletionTimestamp, options.maxGraceSeconds);
    return deadline <= now ? { deleteRow: true, nextWakeAt: null } : { nextWakeAt: deadline };
  }
  const behavior = podBehavior(pod);
  if (behavior === "manual") return { nextWakeAt: null };
  const result: KubeletResult = { nextWakeAt: null };
  if (pod.spec.nodeName === null) {
    result.nodeName = (options.pickNode ?? pickNodeByName)(pod.metadata.name, options.nodes);
  }
  const desired = desiredStatus(pod, behavior, startupMs(pod, options.defaultStartupMs), now);
  if (!deepEqual(pod.status, desired.status)) result.status = desired.status;
  result.nextWakeAt = desired.nextWakeAt;
  return result;
}
