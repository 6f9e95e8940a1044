// Refusals: a write the API refuses, carrying the contract's error code (the GraphQL layer turns
// one into its typed error); nothing is written.
import type { FieldError } from "./field-errors.ts";
import type { Kind } from "./types.ts";

export type RefusalCode = "BAD_USER_INPUT" | "NOT_FOUND" | "ALREADY_EXISTS" | "CONFLICT" | "QUOTA_EXCEEDED";

/** A write the API refuses; nothing is written. BAD_USER_INPUT lists every violated field. */
export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = "Refusal";
  }
}

function invalidInput(fieldErrors: FieldError[]): Refusal {
  return new Refusal("BAD_USER_INPUT", fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; "), fieldErrors);
}

/** Throws the BAD_USER_INPUT refusal when there are field errors. */
export function assertValid(fieldErrors: FieldError[]): void {
  if (fieldErrors.length > 0) throw invalidInput(fieldErrors);
}

export function notFound(kind: Kind, namespace: string, name: string): Refusal {
  return new Refusal("NOT_FOUND", `${kind} "${name}" not found in namespace "${namespace}"`);
}

export function alreadyExists(kind: Kind, namespace: string, name: string): Refusal {
  return new Refusal("ALREADY_EXISTS", `${kind} "${name}" already exists in namespace "${namespace}"`);
}

/** Upstream's resource names, as its conflict messages spell them. */
const RESOURCE: Record<Kind, string> = { Deployment: "deployments.apps", ReplicaSet: "replicasets.apps", Pod: "pods" };

/** A resourceVersion precondition (when given) must equal the stored version. */
export function checkPrecondition(kind: Kind, name: string, stored: string, expected: string | null | undefined): void {
  if (expected == null || expected === stored) return;
  throw new Refusal(
    "CONFLICT",
    `Operation cannot be fulfilled on ${RESOURCE[kind]} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

/** DeleteOptions.preconditions: the uid and resourceVersion the object must have (unset: any). */
export interface Preconditions {
  uid?: string | null;
  resourceVersion?: string | null;
}

/** Refuses, in upstream's words, a delete whose preconditions the stored object does not meet. */
export function checkDeletePreconditions(kind: Kind, name: string, stored: { uid: string; resourceVersion: string }, p: Preconditions | undefined): void {
  const failed =
    p?.uid != null && p.uid !== stored.uid
      ? `UID in precondition: ${p.uid}, UID in object meta: ${stored.uid}`
      : p?.resourceVersion != null && p.resourceVersion !== stored.resourceVersion
        ? `ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${stored.resourceVersion}`
        : null;
  if (failed) throw new Refusal("CONFLICT", `Operation cannot be fulfilled on ${RESOURCE[kind]} "${name}": Precondition failed: ${failed}`);
}
