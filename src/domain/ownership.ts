// Controller references: who controls an object, and how an owner claims the objects its selector
// picks (upstream pkg/controller/controller_ref_manager.go). Used for Deployment→ReplicaSet and
// ReplicaSet→Pod alike.
import type { Kind, OwnerReference, StringMap } from "./types.ts";

export interface ClaimOwner {
  uid: string;
  kind: Kind;
  name: string;
  /** the owner has a deletionTimestamp: it neither adopts nor releases */
  deleting: boolean;
}

export interface Claimable {
  metadata: { labels: StringMap; ownerReferences: OwnerReference[]; deletionTimestamp: Date | null };
}

export interface Claim<T> {
  /** controlled by the owner and selected: keep */
  owned: T[];
  /** orphans the owner selects: set the controller reference (then they count as owned) */
  adopt: T[];
  /** controlled by the owner but no longer selected: remove the owner's reference */
  release: T[];
}

/** The controller reference of an object, if any. */
export function controllerRef(meta: { ownerReferences: OwnerReference[] }): OwnerReference | null {
  return meta.ownerReferences.find((ref) => ref.controller) ?? null;
}

/** The controller reference an owner puts on the objects it creates or adopts. */
export function controllerRefTo(owner: { kind: Kind; name: string; uid: string }): OwnerReference {
  return { kind: owner.kind, name: owner.name, uid: owner.uid, controller: true };
}

/**
 * Sorts candidates into owned / adopt / release. Objects controlled by another owner are ignored,
 * and so are objects that would be adopted or released while the owner is being deleted, and
 * orphans that are being deleted themselves.
 */
export function claim<T extends Claimable>(
  owner: ClaimOwner,
  selects: (labels: StringMap) => boolean,
  candidates: T[],
): Claim<T> {
  const result: Claim<T> = { owned: [], adopt: [], release: [] };
  for (const candidate of candidates) {
    const ref = controllerRef(candidate.metadata);
    const selected = selects(candidate.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.uid) continue;
      if (selected) result.owned.push(candidate);
      else if (!owner.deleting) result.release.push(candidate);
    } else if (selected && !owner.deleting && candidate.metadata.deletionTimestamp === null) {
      result.adopt.push(candidate);
    }
  }
  return result;
}

/** ownerReferences after adoption: the existing (non-controller) references plus the owner's. */
export function adoptedOwnerReferences(
  meta: { ownerReferences: OwnerReference[] },
  owner: { kind: Kind; name: string; uid: string },
): OwnerReference[] {
  return [...meta.ownerReferences.filter((ref) => ref.uid !== owner.uid), controllerRefTo(owner)];
}

/** ownerReferences after release: every reference to the owner removed. */
export function releasedOwnerReferences(
  meta: { ownerReferences: OwnerReference[] },
  ownerUid: string,
): OwnerReference[] {
  return meta.ownerReferences.filter((ref) => ref.uid !== ownerUid);
}

/** The garbage collector's finalizers (src/controller/garbage-collector.ts acts on them). */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";
