// The controllers' reads and writes, named by what they do: apply a Deployment plan's actions,
// create pods in slow-start batches, terminate pods, write a ReplicaSet's status. The controllers
// (src/controller/) call these and name no column. ReplicaSet rows are updated in SQL, never with
// Prisma's `update`: with relationMode "prisma", Prisma emulates the pods' onUpdate: Restrict by
// first reading the uid of every pod the ReplicaSet owns (652,915 uids in one 10,000-replica
// rolling update, bench/README.md).
import { recordEvent } from "./events.ts";
import { deploymentStatusColumns, json, podOf, replicaSetOf, TERMINATE_POD_COLUMNS } from "./rows.ts";
import { readLiveNodes } from "./nodes.ts";
import { namespaceRoom } from "./quotas.ts";
import type { Tx } from "./tx.ts";
import type { DeploymentAction } from "../domain/deployment-sync.ts";
import { generatePodName } from "../domain/names.ts";
import { newPodFromTemplate, slowStartBatches, type ReplicaFailure } from "../domain/replicaset.ts";
import { placePods } from "../domain/scheduling.ts";
import type { Deployment, Pod, ReplicaSet, ReplicaSetStatus } from "../domain/types.ts";

// ---------------------------------------------------------------------------------------------
// Deployment controller

/** The pods of these ReplicaSets (Recreate waits for the old ones to be gone). */
export async function readPodsOf(tx: Tx, replicaSetUids: string[]): Promise<Pod[]> {
  if (replicaSetUids.length === 0) return [];
  return (await tx.pod.findMany({ where: { ownerUid: { in: replicaSetUids } } })).map(podOf);
}

/** The ReplicaSets of the namespace named `<prefix>…` (a new ReplicaSet's name may be taken). */
export async function readReplicaSetsNamedLike(tx: Tx, namespace: string, prefix: string): Promise<ReplicaSet[]> {
  return (await tx.replicaSet.findMany({ where: { namespace, name: { startsWith: prefix } } })).map(replicaSetOf);
}

/** One action of a Deployment's plan (src/domain/deployment-sync.ts). */
export async function applyDeploymentAction(tx: Tx, d: Deployment, action: DeploymentAction, now: Date): Promise<void> {
  switch (action.type) {
    case "createReplicaSet": {
      const rs = action.replicaSet;
      await tx.replicaSet.create({
        data: {
          namespace: rs.metadata.namespace,
          name: rs.metadata.name,
          labels: rs.metadata.labels,
          annotations: rs.metadata.annotations,
          ownerReferences: json(rs.metadata.ownerReferences),
          replicas: rs.spec.replicas,
          selector: json(rs.spec.selector),
          template: json(rs.spec.template),
          minReadySeconds: rs.spec.minReadySeconds,
        },
      });
      return;
    }
    case "updateReplicaSet": {
      // a spec change (size, minReadySeconds) bumps metadata.generation, as the API server does
      const specChanged = action.replicas !== undefined || action.minReadySeconds !== undefined;
      await tx.$executeRaw`UPDATE replica_sets SET replicas = COALESCE(${action.replicas ?? null}::int, replicas),
          annotations = COALESCE(${action.annotations === undefined ? null : JSON.stringify(action.annotations)}::jsonb, annotations),
          min_ready_seconds = COALESCE(${action.minReadySeconds ?? null}::int, min_ready_seconds),
          generation = generation + ${specChanged ? 1 : 0}::int
        WHERE uid = ${action.uid}::uuid`;
      return;
    }
    case "deleteReplicaSet":
      // Background: the garbage collector deletes its (zero) pods.
      await tx.$executeRaw`DELETE FROM replica_sets WHERE uid = ${action.uid}::uuid`;
      return;
    case "updateDeployment": {
      const s = action.status;
      await tx.deployment.update({
        where: { uid: d.metadata.uid },
        data: {
          ...(action.annotations !== undefined ? { annotations: action.annotations } : {}),
          ...(s ? deploymentStatusColumns(s) : {}),
        },
      });
      return;
    }
    case "event":
      await recordEvent(tx, {
        type: action.eventType,
        reason: action.reason,
        message: action.message,
        involvedObject: { kind: "Deployment", namespace: d.metadata.namespace, name: d.metadata.name, uid: d.metadata.uid },
      }, now);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// ReplicaSet controller

/**
 * Creates `count` pods from the ReplicaSet's template in slow-start batches (one INSERT each); stops
 * at a batch whose names were taken. Each pod is bound at once to the least-loaded live node (none
 * live: unbound, for a node agent to bind), the loads read under the change-log lock.
 */
export async function createPods(tx: Tx, rs: ReplicaSet, wanted: number, now: Date): Promise<{ created: number; failure?: ReplicaFailure }> {
  // pods past the namespace's quota fail admission, as upstream: FailedCreate, retried later
  const { room: count, message: refused } = await namespaceRoom(tx, "Pod", rs.metadata.namespace, wanted);
  const nodes = count > 0 ? placePods(await readLiveNodes(tx), count) : [];
  let created = 0;
  for (const size of slowStartBatches(count)) {
    const pods = Array.from({ length: size }, () => newPodFromTemplate(rs, generatePodName(rs.metadata.name, Math.random), now));
    const { count: inserted } = await tx.pod.createMany({
      skipDuplicates: true,
      data: pods.map((p, i) => ({
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        labels: p.metadata.labels,
        annotations: p.metadata.annotations,
        ownerReferences: json(p.metadata.ownerReferences),
        spec: json({ containers: p.spec.containers, terminationGracePeriodSeconds: p.spec.terminationGracePeriodSeconds }),
        nodeName: nodes[created + i],
        creationTimestamp: now,
      })),
    });
    created += inserted;
    if (inserted < size) {
      return { created, failure: { reason: "FailedCreate", message: `pods "${rs.metadata.name}-" already exist: ${size - inserted} of a batch of ${size} names were taken` } };
    }
  }
  return refused ? { created, failure: { reason: "FailedCreate", message: `pods "${rs.metadata.name}-" are forbidden: ${refused}` } } : { created };
}

/** Marks the pods terminating now (graceful delete), those not terminating already. */
export async function terminatePods(tx: Tx, uids: string[]): Promise<void> {
  if (uids.length === 0) return;
  await tx.$executeRaw`UPDATE pods SET ${TERMINATE_POD_COLUMNS} WHERE uid = ANY(${uids}::uuid[]) AND deletion_timestamp IS NULL`;
}

export async function writeReplicaSetStatus(tx: Tx, uid: string, status: ReplicaSetStatus): Promise<void> {
  await tx.$executeRaw`UPDATE replica_sets SET status_replicas = ${status.replicas}::int, fully_labeled_replicas = ${status.fullyLabeledReplicas}::int,
      ready_replicas = ${status.readyReplicas}::int, available_replicas = ${status.availableReplicas}::int,
      observed_generation = ${status.observedGeneration}::int, conditions = ${JSON.stringify(status.conditions)}::jsonb
    WHERE uid = ${uid}::uuid`;
}
