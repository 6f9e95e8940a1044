// What a client sees of an error, decided in one place for every transport (issue 10 §5): the code
// is one of the contract's (anything else a client caused, such as yoga's GRAPHQL_PARSE_FAILED,
// BAD_REQUEST or OPERATION_RESOLUTION_FAILURE, or a code-less Pothos "Invalid global ID", is
// BAD_USER_INPUT), and a message quotes at most MAX_QUOTED_CHARS of any value and is at most
// MAX_MESSAGE_CHARS long (a 3 MB namespace came back whole in a NOT_FOUND message). Unexpected
// errors are not this module's: unexpected-errors.ts masks them.
import { GraphQLError } from "graphql";

/** the contract's codes, and the ones README documents beside them */
const CODES = new Set([
  "BAD_USER_INPUT", "NOT_FOUND", "ALREADY_EXISTS", "CONFLICT", "GONE", "UNAUTHENTICATED", "FORBIDDEN", "RESUBSCRIBE", "RATE_LIMITED",
  "QUOTA_EXCEEDED", "PROGRESS_DEADLINE_EXCEEDED", "DELETED", "UNAVAILABLE", "INTERNAL_SERVER_ERROR",
]);

export const MAX_QUOTED_CHARS = 64;
export const MAX_MESSAGE_CHARS = 1024;

/** `message` with every quoted value over MAX_QUOTED_CHARS cut short, and at most MAX_MESSAGE_CHARS in all. */
export function boundedMessage(message: string): string {
  const quoted = message.replace(/"([^"]{65,})"/g, (_all, value: string) => `"${value.slice(0, MAX_QUOTED_CHARS)}…" (${value.length} characters)`);
  return quoted.length > MAX_MESSAGE_CHARS ? `${quoted.slice(0, MAX_MESSAGE_CHARS - 1)}…` : quoted;
}

/**
 * The error as the contract has it. `http` (yoga's status and headers for its HTTP answer) is kept
 * for yoga, which strips it from what it sends, and dropped for the other transports.
 */
export function contractError(error: GraphQLError, options: { keepHttp: boolean } = { keepHttp: true }): GraphQLError {
  const { http, ...rest } = error.extensions ?? {};
  const code = typeof rest.code === "string" && CODES.has(rest.code) ? rest.code : "BAD_USER_INPUT";
  const message = boundedMessage(error.message);
  if (code === rest.code && message === error.message && (options.keepHttp || http === undefined)) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...rest, code, ...(options.keepHttp && http !== undefined ? { http } : {}) },
  });
}

/** The errors of an answer (a result, or a list of them for a batch) as the contract has them. */
export function contractResult<T>(result: T, options?: { keepHttp: boolean }): T {
  if (Array.isArray(result)) return result.map((r) => contractResult(r, options)) as T;
  const errors = (result as { errors?: readonly GraphQLError[] } | null)?.errors;
  if (!errors?.length) return result;
  return { ...result, errors: errors.map((e) => (e instanceof GraphQLError ? contractError(e, options) : e)) };
}
