// While the database cannot be reached (stopped, restarting, connection lost), a request fails at
// once with `extensions.code: UNAVAILABLE` and a message that says to retry, instead of an
// anonymous INTERNAL_SERVER_ERROR. Only errors that say the connection failed count; any other
// database error stays unexpected.
import { GraphQLError } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";

export const UNAVAILABLE_MESSAGE = "the database is unavailable; retry later";

/** Prisma's connection errors: can't reach, timed out, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** The driver adapter's kinds of a failed connection. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** Node socket errors. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
/** SQLSTATE: connection exceptions (08…), shutdown and restart (57P01–57P03), too many connections. */
const isUnavailableSqlState = (code: unknown) => typeof code === "string" && (/^08/.test(code) || /^57P0[123]$/.test(code) || code === "53300");
/** pg's own messages for a connection that died or never came (it gives them no code). */
const PG_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Server has closed the connection|Client has encountered a connection error/;

type ErrorLike = { code?: unknown; message?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } }; cause?: unknown; originalError?: unknown };

/** Whether `error`, or an error it wraps, says the database could not be reached or the connection was lost. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e = error as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    const cause = e.meta?.driverAdapterError?.cause;
    if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || isUnavailableSqlState(e.code))) return true;
    if (cause && (ADAPTER_KINDS.has(cause.kind as string) || (cause.kind === "postgres" && isUnavailableSqlState(cause.code)))) return true;
    if (isUnavailableSqlState(e.meta?.code)) return true;
    if (typeof e.message === "string" && PG_MESSAGES.test(e.message)) return true;
    e = (e.originalError ?? e.cause) as ErrorLike | undefined;
  }
  return false;
}

/** The UNAVAILABLE error, at the place of `error` when given. */
export function unavailable(error?: GraphQLError): GraphQLError {
  return new GraphQLError(UNAVAILABLE_MESSAGE, { nodes: error?.nodes, source: error?.source, positions: error?.positions, path: error?.path, extensions: { code: "UNAVAILABLE" } });
}

/** Answers database connection failures with UNAVAILABLE (before the masking of unexpected errors). */
export const useUnavailableCode: Plugin = {
  onExecute: () => ({
    onExecuteDone: ({ result, setResult }) => {
      if (isAsyncIterable(result) || !result.errors?.some((e) => isDatabaseUnavailable(e.originalError))) return;
      setResult({ ...result, errors: result.errors.map((e) => (isDatabaseUnavailable(e.originalError) ? unavailable(e) : e)) });
    },
  }),
};
