// Typed GraphQL errors. Every failure a client can cause carries `extensions.code` (the contract's
// list); validation failures also carry `extensions.fieldErrors: [{ field, message }]`. One code is
// beyond the contract's list: RESUBSCRIBE ends a subscription the server could not keep up
// (the client fell too far behind, or the server lost its change feed); `extensions.resourceVersion`
// says where a watch resumes exactly (null: subscribe afresh).
import { GraphQLError } from "graphql";
import type { FieldError } from "../domain/field-errors.ts";
import type { Refusal } from "../domain/refusals.ts";

export type ErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "ALREADY_EXISTS" | "CONFLICT" | "GONE" | "RESUBSCRIBE" | "UNAUTHENTICATED" | "FORBIDDEN" | "RATE_LIMITED" | "QUOTA_EXCEEDED"
  // rolloutStatus(untilDone: true) ends with these, as `kubectl rollout status` does (until-done.ts)
  | "PROGRESS_DEADLINE_EXCEEDED"
  | "DELETED";

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export function badInput(fieldErrors: FieldError[]): GraphQLError {
  const summary = fieldErrors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return apiError("BAD_USER_INPUT", `invalid input: ${summary}`, { fieldErrors });
}

/** The typed error of a refusal (src/domain/refusals.ts). */
export function refusalError(refusal: Refusal): GraphQLError {
  return refusal.code === "BAD_USER_INPUT" ? badInput(refusal.fieldErrors) : apiError(refusal.code, refusal.message);
}
