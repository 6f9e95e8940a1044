// Unexpected errors (anything a resolver throws that is not one of the API's coded GraphQLErrors:
// a bug, a database failure) are logged with the request id and the stack, and answered with
// INTERNAL_SERVER_ERROR and a generic message: no stack, no path, nothing of the original. The
// plugin runs on every transport (yoga's HTTP and SSE, graphql-sse, graphql-ws) and before
// yoga's own masking, which remains the net for errors outside execution.
import { GraphQLError, type ExecutionResult } from "graphql";
import { handleStreamOrSingleExecutionResult, type Plugin } from "graphql-yoga";
import type { Logger } from "../log.ts";

export const INTERNAL_MESSAGE = "internal server error: the server logged it under this request id";

export interface RequestScoped {
  requestId?: string;
}

/** The answer to an unexpected error: the code, a generic message and the request id. */
export function internalError(requestId: string | undefined): GraphQLError {
  return new GraphQLError(INTERNAL_MESSAGE, { extensions: { code: "INTERNAL_SERVER_ERROR", ...(requestId ? { requestId } : {}) } });
}

/** Thrown by code other than the API's own errors (or already marked so by yoga). */
export function isUnexpected(error: GraphQLError): boolean {
  if (error.extensions?.unexpected === true) return true;
  return error.originalError != null && !(error.originalError instanceof GraphQLError);
}

export function useUnexpectedErrors(log: Logger): Plugin<RequestScoped> {
  const report = (requestId: string | undefined, error: unknown, path?: string) => {
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    log.error("unexpected error", { requestId, path, error: original instanceof Error ? (original.stack ?? String(original)) : String(original) });
    return internalError(requestId);
  };
  const mask = (requestId: string | undefined): Parameters<typeof handleStreamOrSingleExecutionResult>[1] => ({ result, setResult }) => {
    if (!result.errors?.some(isUnexpected)) return;
    setResult({ ...result, errors: result.errors.map((e) => (isUnexpected(e) ? report(requestId, e, e.path?.join(".")) : e)) });
  };
  return {
    onExecute: ({ args }) => ({
      onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, mask(args.contextValue.requestId)),
    }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, mask(args.contextValue.requestId)),
      onSubscribeError: ({ error, setError }) => {
        if (!(error instanceof GraphQLError) || isUnexpected(error)) setError(report(args.contextValue.requestId, error));
      },
    }),
  };
}

/** yoga's own log lines (errors outside execution, which its masking answers) into ours. */
export function yogaLogger(log: Logger) {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? (a.stack ?? String(a)) : String(a))).join(" ");
  return {
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => log.warn("graphql-yoga", { detail: text(args) }),
    error: (...args: unknown[]) => log.error("unexpected error outside execution", { error: text(args) }),
  };
}
