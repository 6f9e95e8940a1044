// The API's writes to pods: a node agent's status report, and deletion (the pod terminates, then
// the kubelet or the garbage collector removes it).
import type { Db } from "./client.ts";
import { podOf, podStatusColumns, type PodRow } from "./rows.ts";
import type { Tx } from "./tx.ts";
import { deleteIfCurrent, findOrRefuse, guaranteedWrite, respond, STALE, updateIfCurrent, type ObjectKey, type ReadShape, type Stale, type WriteOptions, type Where, type Written } from "./writes.ts";
import { podDeletion } from "../domain/deletion.ts";
import { mergeFieldErrors } from "../domain/field-errors.ts";
import { semanticallyEqual } from "../domain/hash.ts";
import { reportedPodStatus } from "../domain/pod-status.ts";
import { assertValid, checkDeletePreconditions, type Preconditions } from "../domain/refusals.ts";
import { unstorableTextErrors } from "../domain/storable-text.ts";
import type { PodStatusInput } from "../domain/decoding.ts";
import { validateNonNegativeInt, validatePodStatusInput } from "../domain/validation.ts";

function read(tx: Tx, query: ReadShape | undefined, where: Where): Promise<PodRow | null> {
  return tx.pod.findUnique({ ...(query as object), where });
}

function find(tx: Tx, key: ObjectKey, query: ReadShape | undefined): Promise<PodRow> {
  return findOrRefuse("Pod", key, () => read(tx, query, { namespace_name: key }));
}

/** What a node agent reports (reportedPodStatus); a report that changes nothing writes nothing. */
export async function updatePodStatus(db: Db, key: ObjectKey, report: PodStatusInput, options: WriteOptions = {}): Promise<PodRow> {
  const result = await guaranteedWrite(db, async (client): Promise<PodRow | Written<PodRow> | Stale> => {
    const row = await find(client, key, options.query);
    const pod = podOf(row);
    const containerNames = pod.spec.containers.map((c) => c.name);
    assertValid(mergeFieldErrors(validatePodStatusInput(report, containerNames), unstorableTextErrors(report, "status")));
    const status = reportedPodStatus(pod, report, new Date());
    if (semanticallyEqual(pod.status, status)) return row;
    return updateIfCurrent<PodRow>(client, "Pod", row, podStatusColumns(status));
  });
  return respond(result, options.query, (uid) => read(db, options.query, { uid }));
}

/**
 * Marks the pod terminating for `gracePeriodSeconds` (default: its terminationGracePeriodSeconds),
 * or removes it at once for 0 (podDeletion). Returns the pod as it now is, or as it was when removed.
 */
export async function deletePod(db: Db, key: ObjectKey, gracePeriodSeconds: number | null | undefined, options: WriteOptions & { preconditions?: Preconditions } = {}): Promise<PodRow> {
  const result = await guaranteedWrite(db, async (client): Promise<PodRow | Written<PodRow> | Stale> => {
    const row = await find(client, key, options.query);
    // checked on the row read; the write below happens only if it is still the stored version
    checkDeletePreconditions("Pod", key.name, { uid: row.uid, resourceVersion: String(row.resourceVersion) }, options.preconditions);
    if (gracePeriodSeconds != null) assertValid(validateNonNegativeInt(gracePeriodSeconds, "gracePeriodSeconds"));
    const deletion = podDeletion(podOf(row), gracePeriodSeconds, new Date());
    if (deletion.type === "none") return row;
    if (deletion.type === "remove") return (await deleteIfCurrent(client, "Pod", row)) === STALE ? STALE : row;
    return updateIfCurrent<PodRow>(client, "Pod", row, { deletionTimestamp: deletion.deletionTimestamp, deletionGracePeriodSeconds: deletion.gracePeriodSeconds });
  });
  return respond(result, options.query, (uid) => read(db, options.query, { uid }));
}
