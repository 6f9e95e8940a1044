// Errors as meta/v1 Status objects, worded as kube-apiserver words them so kubectl prints
// `Error from server (NotFound): deployments.apps "x" not found`. Validation failures carry the
// domain's field errors as `details.causes` (the same list GraphQL sends as `fieldErrors`).
import type { FieldError } from "../domain/field-errors.ts";
import { Refusal } from "../domain/refusals.ts";
import { PatchError } from "../domain/patch.ts";
import { qualifiedName, type Obj, type Resource } from "./codec.ts";

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }

  get body(): Obj {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, details: this.details, code: this.code };
  }
}

const details = (r: Resource, name: string) => ({ name, group: r.group || undefined, kind: r.plural });

export const notFound = (r: Resource, name: string) => new StatusError(404, "NotFound", `${qualifiedName(r)} "${name}" not found`, details(r, name));
export const badRequest = (message: string) => new StatusError(400, "BadRequest", message);
export const methodNotAllowed = (message: string) => new StatusError(405, "MethodNotAllowed", message);
export const gone = (message: string) => new StatusError(410, "Expired", message);

/** upstream's field.ErrorType of a field error, read from the message it begins with */
const CAUSE_TYPES: [string, string][] = [
  ["Invalid value", "FieldValueInvalid"],
  ["Required value", "FieldValueRequired"],
  ["Forbidden", "FieldValueForbidden"],
  ["Duplicate value", "FieldValueDuplicate"],
  ["Unsupported value", "FieldValueNotSupported"],
  ["Too long", "FieldValueTooLong"],
  ["Too many", "FieldValueTooMany"],
];

export function invalid(r: Resource, name: string, fieldErrors: FieldError[]): StatusError {
  const texts = fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
  const kindName = r.group ? `${r.kind}.${r.group}` : r.kind;
  return new StatusError(422, "Invalid", `${kindName} "${name}" is invalid: ${texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`}`, {
    ...details(r, name),
    kind: r.kind,
    causes: fieldErrors.map((e) => ({ reason: CAUSE_TYPES.find(([prefix]) => e.message.startsWith(prefix))?.[1] ?? "FieldValueInvalid", message: e.message, field: e.field })),
  });
}

/** The Status of a domain refusal or a patch that cannot apply, for the object `name` of `r`. */
export function statusOf(err: unknown, r: Resource, name: string): StatusError | null {
  if (err instanceof StatusError) return err;
  if (err instanceof PatchError) return new StatusError(422, "Invalid", err.message);
  if (!(err instanceof Refusal)) return null;
  switch (err.code) {
    case "NOT_FOUND":
      return err.message.startsWith(`${r.kind} "${name}" not found`) ? notFound(r, name) : new StatusError(404, "NotFound", err.message, details(r, name));
    case "ALREADY_EXISTS":
      return new StatusError(409, "AlreadyExists", `${qualifiedName(r)} "${name}" already exists`, details(r, name));
    case "CONFLICT":
      return new StatusError(409, "Conflict", err.message, details(r, name));
    case "BAD_USER_INPUT":
      return invalid(r, name, err.fieldErrors);
    case "QUOTA_EXCEEDED": // as ResourceQuota admission answers
      return new StatusError(403, "Forbidden", `${qualifiedName(r)} "${name}" is forbidden: ${err.message}`, details(r, name));
  }
}
