// The yoga/envelop plugins every transport runs: contract codes for malformed requests and the
// query shape limits. server.ts only lists them.
import { GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import { contractError, contractResult } from "./contract-errors.ts";
import { queryShapeLimits } from "./limits.ts";
import { isUnexpected } from "./unexpected-errors.ts";

/** Refuses documents that could make a response explode (src/graphql/limits.ts), on every transport. */
export const useQueryShapeLimits: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(queryShapeLimits),
};

/**
 * Every error a client caused carries a contract code and a bounded message (contract-errors.ts):
 * validation errors and execution errors on every transport (variables that do not coerce, a
 * Pothos "Invalid global ID"), and whatever yoga answers over HTTP and its SSE (its request
 * parser's and parse errors). Unexpected errors are left to unexpected-errors.ts.
 */
export const useContractCodes: Plugin = {
  onValidate: () => ({ result, setResult }) => {
    if (result.length) setResult(result.map((e) => contractError(e as GraphQLError)));
  },
  onExecute: () => ({
    onExecuteDone: ({ result, setResult }) => {
      if (isAsyncIterable(result) || !result.errors?.length) return;
      setResult({ ...result, errors: result.errors.map((e) => (isUnexpected(e) ? e : contractError(e))) });
    },
  }),
  onResultProcess: ({ result, setResult }) => {
    if (!isAsyncIterable(result)) setResult(contractResult(result));
  },
};
