// Typed GraphQL errors. Every failure a client can cause carries `extensions.code` (the contract's
// list); validation failures also carry `extensions.fieldErrors: [{ field, message }]`. One code is
// beyond the contract's list: RESUBSCRIBE ends a subscription the server could not keep up
// (the client fell too far behind, or the server lost its change feed); `extensions.resourceVersion`
// says where a watch resumes exactly (null: subscribe afresh).
import { GraphQLError } from "graphql";

export type ErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "ALREADY_EXISTS" | "CONFLICT" | "GONE" | "RESUBSCRIBE" | "UNAUTHENTICATED" | "FORBIDDEN"
  // rolloutStatus(untilDone: true) ends with these, as `kubectl rollout status` does (until-done.ts)
  | "PROGRESS_DEADLINE_EXCEEDED"
  | "DELETED";

export interface FieldError {
  field: string;
  message: string;
}

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export function badInput(fieldErrors: FieldError[]): GraphQLError {
  const summary = fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return apiError("BAD_USER_INPUT", `invalid input: ${summary}`, { fieldErrors });
}

export function notFound(kind: string, namespace: string, name: string): GraphQLError {
  return apiError("NOT_FOUND", `${kind} "${name}" not found in namespace "${namespace}"`);
}
