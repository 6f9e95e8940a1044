// Scale-out (issue 15): node agents register their nodes with leases, the ReplicaSet controller
// binds each new pod to the least-loaded live node, and each agent runs only its nodes' pods.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { listPodKeysFor, readLiveNodes, readNodesWithPods, releaseLeases, renewLeases } from "../../src/db/nodes.ts";
import { json } from "../../src/db/rows.ts";
import { takenOverNodes } from "../../src/domain/kubelet.ts";
import { startTestApp } from "../helpers/app.ts";
import { fileDatabase } from "../helpers/db.ts";
import { insertStandaloneReplicaSet, template } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/wait.ts";

const file = fileDatabase();

/** `nodes.pods` as stored, and as counted from the pods themselves (nodes with no pod left out). */
async function nodeCounts(namePrefix: string) {
  const stored = await file.db.$queryRawUnsafe<{ name: string; pods: number }[]>(`SELECT name, pods FROM nodes WHERE name LIKE $1 AND pods <> 0 ORDER BY name`, `${namePrefix}%`);
  const counted = await file.db.$queryRawUnsafe<{ name: string; pods: number }[]>(
    `SELECT node_name AS name, count(*)::int AS pods FROM pods WHERE node_name LIKE $1 GROUP BY node_name ORDER BY node_name`,
    `${namePrefix}%`,
  );
  return { stored, counted };
}

const pod = (namespace: string, name: string, nodeName: string | null) => ({ namespace, name, nodeName, spec: json(template({}).spec) });

describe("the nodes table", () => {
  it("counts each node's pods through inserts, the agent's binding and deletes, whatever the statement's size", async () => {
    await file.db.pod.createMany({ data: [pod("count", "p1", "cnt-a"), pod("count", "p2", "cnt-a"), pod("count", "p3", "cnt-b"), pod("count", "p4", null), pod("count", "p5", null)] });
    expect(await nodeCounts("cnt-")).toEqual({ stored: [{ name: "cnt-a", pods: 2 }, { name: "cnt-b", pods: 1 }], counted: [{ name: "cnt-a", pods: 2 }, { name: "cnt-b", pods: 1 }] });
    // a node agent binds the unbound pods (one statement, several rows); a status write changes nothing
    await file.db.$executeRawUnsafe(`UPDATE pods SET node_name = CASE name WHEN 'p4' THEN 'cnt-b' ELSE 'cnt-c' END WHERE namespace = 'count' AND node_name IS NULL`);
    await file.db.pod.updateMany({ where: { namespace: "count" }, data: { phase: "Running" } });
    await file.db.pod.deleteMany({ where: { namespace: "count", name: { in: ["p1", "p2", "p3"] } } });
    const counts = await nodeCounts("cnt-");
    expect(counts.stored).toEqual([{ name: "cnt-b", pods: 1 }, { name: "cnt-c", pods: 1 }]);
    expect(counts.stored).toEqual(counts.counted);
  });
});

describe("node leases", () => {
  it("make a node live until they expire or are released; a resync lists only the agent's pods and the unbound", async () => {
    const [steady, brief] = [randomUUID(), randomUUID()];
    await renewLeases(file.db, steady, ["lease-a1", "lease-a2"], 60_000);
    await renewLeases(file.db, brief, ["lease-b1"], 500);
    const live = async () => (await readLiveNodes(file.db)).map((n) => n.name).filter((n) => n.startsWith("lease-"));
    expect(await live()).toEqual(["lease-a1", "lease-a2", "lease-b1"]);
    // the brief agent stops renewing: its node stops being live when the lease runs out
    await waitFor(live, (names) => !names.includes("lease-b1"), { what: "lease-b1's lease to expire" });
    // and the next renewal by any agent removes the expired lease
    await renewLeases(file.db, steady, ["lease-a1", "lease-a2"], 60_000);
    expect(await file.db.$queryRawUnsafe(`SELECT node FROM node_leases WHERE holder = $1::uuid`, brief)).toEqual([]);

    await file.db.pod.createMany({ data: [pod("lease", "mine", "lease-a1"), pod("lease", "theirs", "lease-b1"), pod("lease", "unbound", null)] });
    const keys = (await listPodKeysFor(file.db, ["lease-a1", "lease-a2"])).filter((k) => k.startsWith("lease/"));
    expect(keys.sort()).toEqual(["lease/mine", "lease/unbound"]);

    await releaseLeases(file.db, steady);
    expect(await live()).toEqual([]);
  });

  it("expire during a transaction: a sync that waited for the lock does not count a lease that ran out meanwhile", async () => {
    await renewLeases(file.db, randomUUID(), ["txn-1"], 500);
    await file.db.$transaction(
      async (tx) => {
        const live = async () => (await readLiveNodes(tx)).map((n) => n.name).filter((n) => n === "txn-1");
        expect(await live()).toEqual(["txn-1"]);
        await waitFor(live, (names) => names.length === 0, { what: "txn-1's lease to expire within the transaction", timeoutMs: 10_000 });
      },
      { timeout: 20_000 },
    );
  });
});

describe("two instances with their own nodes", () => {
  it("bind each new pod to the least-loaded live node; each runs only its nodes' pods, and a stopped one's", async () => {
    const options = { podStartupMs: 0, maxGraceSeconds: 0, nodeLeaseMs: 4000 };
    const agentOfB = () => startTestApp({ ...options, controllers: false, nodes: ["split-b1"] }, file.database);
    const a = await startTestApp({ ...options, nodes: ["split-a1", "split-a2"] }, file.database);
    const running = [a, await agentOfB()];
    // a node that is registered but whose agent runs nothing (alive, but stuck)
    const silent = randomUUID();
    await renewLeases(file.db, silent, ["split-z1"], 600_000);
    try {
      const rs = await insertStandaloneReplicaSet(file.db, "split", "web", 8);
      const pods = () => file.db.pod.findMany({ where: { ownerUid: rs.uid }, orderBy: { name: "asc" } });
      await waitFor(pods, (p) => p.length === 8 && p.filter((x) => x.ready).length === 6, { what: "6 ready pods" });
      const onNode = (all: Awaited<ReturnType<typeof pods>>, node: string) => all.filter((p) => p.nodeName === node);
      let all = await pods();
      // bound at creation, two per live node
      for (const node of ["split-a1", "split-a2", "split-b1", "split-z1"]) expect(onNode(all, node).length).toBe(2);
      // the silent node's pods were never run: nobody else's agent touched them
      for (const p of onNode(all, "split-z1")) expect([p.phase, p.ready, p.podConditions]).toEqual(["Pending", false, []]);
      const counts = await nodeCounts("split-");
      expect(counts.stored).toEqual(counts.counted);

      // B stops (its leases released): its node takes no new pods, and A takes it over, removing its terminating pod
      await running.pop()!.stop();
      const [onB, onA] = [onNode(all, "split-b1")[0], onNode(all, "split-a1")[0]];
      await file.db.pod.updateMany({ where: { uid: { in: [onB.uid, onA.uid] } }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
      const gone = (uid: string) => waitFor(() => file.db.pod.findUnique({ where: { uid } }), (p) => p === null, { what: `pod ${uid} removed` });
      await gone(onA.uid);
      await gone(onB.uid);
      await file.db.replicaSet.update({ where: { uid: rs.uid }, data: { replicas: 11 } });
      all = await waitFor(pods, (p) => p.filter((x) => x.deletionTimestamp === null).length === 11, { what: "11 active pods" });
      expect(onNode(all, "split-b1").length).toBe(1); // the one before
      expect(onNode(all, "split-a1").length + onNode(all, "split-a2").length + onNode(all, "split-z1").length).toBe(10);

      // an agent for B's node comes back and runs its pods again
      running.push(await agentOfB());
      const takenOverByA = async () => takenOverNodes(["split-a1", "split-a2"], (await readNodesWithPods(file.db)).filter((n) => n.name.startsWith("split-")));
      expect(await takenOverByA()).toEqual([]);
      const [leftOnB] = onNode(all, "split-b1");
      await file.db.pod.update({ where: { uid: leftOnB.uid }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
      await gone(leftOnB.uid);
    } finally {
      await releaseLeases(file.db, silent);
      for (const app of running) await app.stop();
    }
  });
});

describe("an agent killed with its leases held", () => {
  it("has its node taken over once the leases expire: its terminating pod is removed and its new pod started", async () => {
    const options = { podStartupMs: 0, maxGraceSeconds: 0, controllers: false, nodeLeaseMs: 1000, resyncMs: 600_000 };
    const a = await startTestApp({ ...options, nodes: ["dead-a1"] }, file.database);
    const running = [a, await startTestApp({ ...options, nodes: ["dead-b1"] }, file.database)];
    const ghost = randomUUID();
    try {
      await file.db.pod.createMany({ data: [pod("dead", "running", "dead-b1"), pod("dead", "ending", "dead-b1")] });
      const byName = (name: string) => file.db.pod.findUnique({ where: { namespace_name: { namespace: "dead", name } } });
      for (const name of ["running", "ending"]) await waitFor(() => byName(name), (p) => p?.ready === true, { what: `B running ${name}` });

      // kill -9: B's node keeps a lease that nobody renews (B's own leases go with its stop; an equal one stays)
      await renewLeases(file.db, ghost, ["dead-b1"], 1000);
      await running.pop()!.stop();
      await file.db.pod.update({ where: { namespace_name: { namespace: "dead", name: "ending" } }, data: { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 } });
      await file.db.pod.createMany({ data: [pod("dead", "late", "dead-b1")] });

      // well below the resync: A's heartbeat (every 250 ms) takes the node over once the lease has run out
      await waitFor(() => byName("ending"), (p) => p === null, { what: "A removing B's terminating pod", timeoutMs: 10_000 });
      const late = await waitFor(() => byName("late"), (p) => p?.ready === true, { what: "A starting B's new pod", timeoutMs: 10_000 });
      expect([late!.nodeName, late!.phase]).toEqual(["dead-b1", "Running"]);
      expect((await byName("running"))?.ready).toBe(true);
    } finally {
      await releaseLeases(file.db, ghost);
      for (const app of running) await app.stop();
    }
  });
});
