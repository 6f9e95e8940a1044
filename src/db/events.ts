// Kubernetes Events. A repeat of the same (object, reason, message) increments `count` and moves
// `lastTimestamp` instead of adding a row.
import { randomBytes } from "node:crypto";
import type { EventRecord } from "../domain/types.ts";
import type { Tx } from "./tx.ts";

export async function recordEvent(tx: Tx, event: EventRecord, now: Date): Promise<void> {
  const { involvedObject: o } = event;
  const name = `${o.name}.${randomBytes(8).toString("hex")}`;
  await tx.$executeRaw`
    INSERT INTO events (namespace, name, type, reason, message, involved_kind, involved_name, involved_uid, count, first_timestamp, last_timestamp)
    VALUES (${o.namespace}, ${name}, ${event.type}, ${event.reason}, ${event.message}, ${o.kind}, ${o.name}, ${o.uid}::uuid, 1, ${now}, ${now})
    ON CONFLICT (involved_uid, reason, message)
    DO UPDATE SET count = events.count + 1, last_timestamp = EXCLUDED.last_timestamp, type = EXCLUDED.type`;
}
