// Rows inserted directly (for read tests that must not depend on the controllers).
import type { Db } from "../../src/db/client.ts";
import { json } from "../../src/db/rows.ts";
import type { PodTemplateSpec } from "../../src/domain/types.ts";

export function template(labels: Record<string, string>, image = "nginx:1.25"): PodTemplateSpec {
  return {
    metadata: { labels, annotations: {} },
    spec: {
      containers: [{ name: "app", image, command: [], args: [], env: [], ports: [], resources: { requests: {}, limits: {} } }],
      terminationGracePeriodSeconds: 30,
    },
  };
}

export async function insertDeployment(db: Db, namespace: string, name: string, labels: Record<string, string> = { app: name }) {
  return db.deployment.create({
    data: {
      namespace,
      name,
      labels,
      replicas: 1,
      selector: json({ matchLabels: { app: name }, matchExpressions: [] }),
      template: json(template({ app: name })),
      strategy: json({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }),
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      paused: false,
    },
  });
}

export async function insertReplicaSet(db: Db, owner: { uid: string; name: string; namespace: string }, hash: string, revision: number) {
  const labels = { app: owner.name, "pod-template-hash": hash };
  return db.replicaSet.create({
    data: {
      namespace: owner.namespace,
      name: `${owner.name}-${hash}`,
      labels,
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ownerReferences: json([{ kind: "Deployment", name: owner.name, uid: owner.uid, controller: true }]),
      replicas: 1,
      selector: json({ matchLabels: labels, matchExpressions: [] }),
      template: json(template(labels)),
      minReadySeconds: 0,
    },
  });
}

export async function insertPods(db: Db, owner: { uid: string; name: string; namespace: string; labels: unknown }, count: number) {
  await db.pod.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      namespace: owner.namespace,
      name: `${owner.name}-p${i}`,
      labels: owner.labels as Record<string, string>,
      ownerReferences: json([{ kind: "ReplicaSet", name: owner.name, uid: owner.uid, controller: true }]),
      spec: json(template({}).spec),
    })),
  });
}

/** An unowned ReplicaSet selecting `app=<name>`, whose pods follow the given simulator behavior. */
export async function insertStandaloneReplicaSet(db: Db, namespace: string, name: string, replicas: number, behavior = "ready") {
  const t = template({ app: name });
  t.metadata.annotations = { "sim.deploye.dev/behavior": behavior };
  return db.replicaSet.create({
    data: {
      namespace,
      name,
      labels: { app: name },
      replicas,
      selector: json({ matchLabels: { app: name }, matchExpressions: [] }),
      template: json(t),
      minReadySeconds: 0,
    },
  });
}
