// The graceful-delete rule has one expression, the domain's podDeletion; TERMINATE_POD_COLUMNS
// (the bulk SQL form the ReplicaSet controller and the garbage collector use) is checked against it
// on a real Postgres: for each grace period, the stored deletion deadline is the domain rule's.
import { describe, expect, it } from "vitest";
import { terminatePods } from "../../src/db/controller-writes.ts";
import { json, podOf } from "../../src/db/rows.ts";
import { transaction } from "../../src/db/tx.ts";
import { podDeletion } from "../../src/domain/deletion.ts";
import { template } from "../helpers/fixtures.ts";
import { fileDatabase } from "../helpers/db.ts";

const file = fileDatabase();

/** When the pod goes: deletionTimestamp + grace period (ms), or null while it is not being deleted. */
const deadline = (p: { deletionTimestamp: Date | null; deletionGracePeriodSeconds: number | null }) =>
  p.deletionTimestamp === null ? null : p.deletionTimestamp.getTime() + (p.deletionGracePeriodSeconds ?? 0) * 1000;

describe("TERMINATE_POD_COLUMNS", () => {
  it.each([0, 1, 30, 3600])("marks a pod with terminationGracePeriodSeconds %i as podDeletion does", async (grace) => {
    const spec = { ...template({}).spec, terminationGracePeriodSeconds: grace };
    const before = await file.db.pod.create({ data: { namespace: "grace", name: `p-${grace}`, spec: json(spec) } });
    const { at, after } = await transaction(file.db, async (tx) => {
      const [{ now }] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
      await terminatePods(tx, [before.uid]);
      return { at: now, after: await tx.pod.findUniqueOrThrow({ where: { uid: before.uid } }) };
    });
    // the SQL's now() is the transaction's time (stored rounded to the column's precision)
    const requested = after.deletionTimestamp!;
    expect(Math.abs(requested.getTime() - at.getTime())).toBeLessThanOrEqual(1);
    const rule = podDeletion(podOf(before), null, requested);
    // "remove" is a pod due at once: the SQL form marks it with no grace, and it goes on the next look
    const expected = rule.type === "terminate" ? rule.deletionTimestamp.getTime() + rule.gracePeriodSeconds * 1000 : rule.type === "remove" ? requested.getTime() : null;
    expect(deadline(after)).toBe(expected);
  });

  it("leaves a pod that is already terminating as it is, as podDeletion does", async () => {
    const requested = new Date(Date.now() - 5000);
    const before = await file.db.pod.create({ data: { namespace: "grace", name: "terminating", spec: json(template({}).spec), deletionTimestamp: requested, deletionGracePeriodSeconds: 30 } });
    expect(podDeletion(podOf(before), null, new Date()).type).toBe("none");
    await transaction(file.db, (tx) => terminatePods(tx, [before.uid]));
    const after = await file.db.pod.findUniqueOrThrow({ where: { uid: before.uid } });
    expect(deadline(after)).toBe(deadline(before));
  });
});
