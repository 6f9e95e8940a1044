// updatePodStatus: what a node agent reports, merged onto the pod.
import type { PodStatusInput } from "./decoding.ts";
import type { Condition, ContainerState, ContainerStatus, Pod, PodStatus } from "./types.ts";

function containerState(reported: { waitingReason?: string | null }, before: ContainerStatus | undefined, phase: string, now: Date): ContainerState {
  const none: ContainerState = { waiting: null, running: null, terminated: null };
  if (reported.waitingReason) return { ...none, waiting: { reason: reported.waitingReason, message: null } };
  switch (phase) {
    case "Running":
      return { ...none, running: { startedAt: before?.state.running?.startedAt ?? now } };
    case "Succeeded":
    case "Failed": {
      const succeeded = phase === "Succeeded";
      const finishedAt = before?.state.terminated?.finishedAt ?? now;
      return { ...none, terminated: { exitCode: succeeded ? 0 : 1, reason: succeeded ? "Completed" : "Error", finishedAt } };
    }
    default:
      return before?.state ?? { ...none, waiting: { reason: "ContainerCreating", message: null } };
  }
}

/**
 * The pod's status after a report (validated with validatePodStatusInput): phase and readiness as
 * reported; one status per container of the spec, reported ones replaced (restartCount kept when
 * not given, running/terminated times kept while in that state) and the others kept; the Ready
 * condition set like the kubelet's, its lastTransitionTime moving only when it flips; startTime
 * set when the pod first runs; podIP replaced when reported.
 */
export function reportedPodStatus(pod: Pod, report: PodStatusInput, now: Date): PodStatus {
  const reported = new Map((report.containerStatuses ?? []).map((s) => [s.name, s]));
  const before = new Map(pod.status.containerStatuses.map((s) => [s.name, s]));
  const containerStatuses = pod.spec.containers.map((c): ContainerStatus => {
    const r = reported.get(c.name);
    const previous = before.get(c.name);
    if (!r) {
      return previous ?? { name: c.name, image: c.image, ready: false, restartCount: 0, state: containerState({}, undefined, "Pending", now) };
    }
    return {
      name: c.name,
      image: c.image,
      ready: r.ready,
      restartCount: r.restartCount ?? previous?.restartCount ?? 0,
      state: containerState(r, previous, report.phase, now),
    };
  });
  const status = report.ready ? "True" : "False";
  const previousReady = pod.status.conditions.find((c) => c.type === "Ready");
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const ready: Condition = {
    type: "Ready",
    status,
    reason: report.ready ? null : "ContainersNotReady",
    message: report.ready ? null : `containers with unready status: [${unready.join(" ")}]`,
    lastUpdateTime: null,
    lastTransitionTime: previousReady?.status === status ? previousReady.lastTransitionTime : now,
  };
  const conditions = previousReady
    ? pod.status.conditions.map((c) => (c.type === "Ready" ? ready : c))
    : [...pod.status.conditions, ready];
  return {
    phase: report.phase as PodStatus["phase"],
    ready: report.ready,
    conditions,
    containerStatuses,
    startTime: pod.status.startTime ?? (report.phase === "Running" ? now : null),
    podIP: report.podIP ?? pod.status.podIP,
  };
}
