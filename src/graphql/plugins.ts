// The yoga/envelop plugins every transport runs: error codes for malformed requests and the query
// shape limits. server.ts only lists them.
import { GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { queryShapeLimits } from "./limits.ts";

/** A malformed request (document or variables) is the client's input error: BAD_USER_INPUT. */
export function asBadUserInput(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
  });
}

/**
 * Errors of coercing variables come out of execute with neither a path nor a code; an argument
 * literal whose variables give it a value its type refuses (`labels: { n: $int }`), with a path.
 */
const isVariableError = (error: GraphQLError) =>
  error.extensions?.code === undefined && (error.path === undefined || /^Argument "\w+" has invalid value /.test(error.message));

/** Refuses documents that could make a response explode (src/graphql/limits.ts), on every transport. */
export const useQueryShapeLimits: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(queryShapeLimits),
};

export const useBadUserInputCode: Plugin = {
  onValidate: () => ({ result, setResult }) => {
    if (result.length) setResult(result.map((e) => asBadUserInput(e as GraphQLError)));
  },
  onExecute: () => ({
    onExecuteDone: ({ result, setResult }) => {
      if (isAsyncIterable(result) || !result.errors?.some(isVariableError)) return;
      setResult({ ...result, errors: result.errors.map((e) => (isVariableError(e) ? asBadUserInput(e) : e)) });
    },
  }),
};
