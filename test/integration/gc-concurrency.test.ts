// The garbage collector under concurrent deletes (issue 10 §1): every decision it takes comes from
// one consistent state, so an Orphan delete committed while a pass runs never loses dependents.
// No controllers run here (the rows are inserted directly), so nothing but the writes below and the
// collector changes the data, and the final state can be checked exactly.
import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/controller/garbage-collector.ts";
import { deleteDeployment, scaleDeployment, setImage } from "../../src/db/deployment-writes.ts";
import { deleteReplicaSet, scaleReplicaSet } from "../../src/db/replicaset-writes.ts";
import { type DeletionPropagation } from "../../src/domain/deletion.ts";
import { Refusal } from "../../src/domain/refusals.ts";
import { fileDatabase } from "../helpers/db.ts";
import { insertDeployment, insertPods, insertReplicaSet } from "../helpers/fixtures.ts";

const file = fileDatabase({ max: 8 });

const GC_OPTIONS = { finishTerminatedPods: true, maxGraceSeconds: 0 };

/** Runs passes back to back until `stop` resolves, then until one changes nothing. */
async function collectWhile(stop: Promise<unknown>): Promise<void> {
  let stopped = false;
  const done = stop.finally(() => (stopped = true));
  while (!stopped) await collectGarbage(file.db, GC_OPTIONS);
  while ((await collectGarbage(file.db, GC_OPTIONS)).changed);
  await done;
}

interface Tree {
  deployment: { uid: string; name: string; namespace: string };
  replicaSets: { uid: string; name: string; namespace: string }[];
  podsPerReplicaSet: number;
}

/** A Deployment with `rsCount` ReplicaSets of `podCount` pods each. */
async function tree(namespace: string, name: string, rsCount: number, podCount: number): Promise<Tree> {
  const deployment = await insertDeployment(file.db, namespace, name);
  const replicaSets = [];
  for (let i = 0; i < rsCount; i++) {
    const rs = await insertReplicaSet(file.db, deployment, `h${i}`, i + 1);
    await insertPods(file.db, rs, podCount);
    replicaSets.push(rs);
  }
  return { deployment, replicaSets, podsPerReplicaSet: podCount };
}

const refsTo = (refs: unknown, uid: string) => (refs as { uid: string }[]).filter((r) => r.uid === uid).length;
const key = (o: { namespace: string; name: string }) => ({ namespace: o.namespace, name: o.name });

describe("Orphan deletes racing the garbage collector", () => {
  it("20 concurrent Orphan deletes of Deployments keep all 20 ReplicaSets and pods, without the reference", { timeout: 60_000 }, async () => {
    const trees = await Promise.all(Array.from({ length: 20 }, (_, i) => tree("race", `d${i}`, 1, 1)));
    const deletes = Promise.all(trees.map((t) => deleteDeployment(file.db, key(t.deployment), "Orphan")));
    await collectWhile(deletes);
    expect(await file.db.deployment.count({ where: { namespace: "race" } })).toBe(0);
    const rss = await file.db.replicaSet.findMany({ where: { namespace: "race" } });
    const pods = await file.db.pod.findMany({ where: { namespace: "race" } });
    expect([rss.length, pods.length]).toEqual([20, 20]);
    expect(rss.every((r) => (r.ownerReferences as unknown[]).length === 0)).toBe(true);
    expect(pods.every((p) => p.deletionTimestamp === null && p.ownerUid !== null)).toBe(true);
  });
});

/** mulberry32: a small seeded generator, so a failing seed can be replayed alone. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

const POLICIES: readonly DeletionPropagation[] = ["Background", "Foreground", "Orphan"];
/** what a seed deletes in a tree: nothing, the Deployment, or one of its ReplicaSets */
type Plan = { target: "none" } | { target: "deployment"; policy: DeletionPropagation } | { target: "replicaSet"; index: number; policy: DeletionPropagation };

/** The seeds CI runs (issue 10 asks for at least 50); GC_SEEDS=n runs more locally. */
const SEEDS = Number(process.env.GC_SEEDS ?? 50);

describe("randomized concurrent deletes, scales and image changes", () => {
  it(`${SEEDS} seeds: Orphan keeps dependents without the reference, Background and Foreground remove them, nothing else changes`, { timeout: 120_000 }, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rnd = random(seed);
      const ns = `seed-${seed}`;
      const trees = await Promise.all(Array.from({ length: 3 }, (_, i) => tree(ns, `d${i}`, 1 + rnd.int(2), 1 + rnd.int(2))));
      const plans: Plan[] = trees.map((t) => {
        const r = rnd.int(3);
        if (r === 0) return { target: "none" };
        if (r === 1) return { target: "deployment", policy: rnd.pick(POLICIES) };
        return { target: "replicaSet", index: rnd.int(t.replicaSets.length), policy: rnd.pick(POLICIES) };
      });
      const ops: (() => Promise<unknown>)[] = [];
      trees.forEach((t, i) => {
        const plan = plans[i];
        if (plan.target === "deployment") ops.push(() => deleteDeployment(file.db, key(t.deployment), plan.policy));
        if (plan.target === "replicaSet") ops.push(() => deleteReplicaSet(file.db, key(t.replicaSets[plan.index]), plan.policy));
        ops.push(() => scaleDeployment(file.db, key(t.deployment), rnd.int(5)));
        ops.push(() => setImage(file.db, key(t.deployment), { container: "app", image: `nginx:${seed}` }));
        ops.push(() => scaleReplicaSet(file.db, key(rnd.pick(t.replicaSets)), rnd.int(5)));
      });
      const created: Promise<Tree>[] = [];
      ops.push(() => (created[0] = tree(ns, "created", 1 + rnd.int(2), 1 + rnd.int(2))));
      // a random order, all at once, with the collector running beside them
      const shuffled = ops.map((op) => [rnd.int(1000), op] as const).sort((a, b) => a[0] - b[0]);
      const results = Promise.allSettled(shuffled.map(([, op]) => op()));
      await collectWhile(results);
      for (const r of await results) if (r.status === "rejected" && !(r.reason instanceof Refusal)) throw r.reason;

      // the expected survivors, with the owner reference each must carry (or null)
      const expectRs = new Map<string, string | null>();
      const expectPods = new Map<string, string | null>();
      const expectDeployments = new Set<string>();
      const keep = (t: Tree, rsIndex: number, rsOwner: string | null, podOwner: string | null) => {
        const rs = t.replicaSets[rsIndex];
        if (rsOwner !== "gone") expectRs.set(rs.uid, rsOwner);
        if (podOwner !== "gone") for (let p = 0; p < t.podsPerReplicaSet; p++) expectPods.set(`${rs.name}-p${p}`, podOwner);
      };
      const all = [...trees, await created[0]];
      for (const [i, t] of all.entries()) {
        const plan: Plan = plans[i] ?? { target: "none" };
        if (plan.target !== "deployment") expectDeployments.add(t.deployment.uid);
        t.replicaSets.forEach((rs, j) => {
          if (plan.target === "deployment") {
            if (plan.policy === "Orphan") keep(t, j, null, rs.uid);
            else keep(t, j, "gone", "gone");
          } else if (plan.target === "replicaSet" && plan.index === j) {
            keep(t, j, "gone", plan.policy === "Orphan" ? null : "gone");
          } else keep(t, j, t.deployment.uid, rs.uid);
        });
      }

      const what = `seed ${seed}, plans ${JSON.stringify(plans)}`;
      const deployments = await file.db.deployment.findMany({ where: { namespace: ns } });
      expect(new Set(deployments.map((d) => d.uid)), what).toEqual(expectDeployments);
      expect(deployments.every((d) => d.deletionTimestamp === null), what).toBe(true);
      const rss = await file.db.replicaSet.findMany({ where: { namespace: ns } });
      expect(new Map(rss.map((r) => [r.uid, r.ownerUid])), what).toEqual(expectRs);
      expect(rss.every((r) => r.deletionTimestamp === null), what).toBe(true);
      const pods = await file.db.pod.findMany({ where: { namespace: ns } });
      expect(new Map(pods.map((p) => [p.name, p.ownerUid])), what).toEqual(expectPods);
      expect(pods.every((p) => p.deletionTimestamp === null), what).toBe(true);
      for (const p of pods) for (const t of all) expect(refsTo(p.ownerReferences, t.deployment.uid), what).toBe(0);
    }
  });
});
