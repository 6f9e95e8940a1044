// Which errors mean "the database cannot be reached" (UNAVAILABLE) and which stay unexpected. The
// shapes are those Prisma 7 with @prisma/adapter-pg and pg produce (seen in the fault campaign).
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../src/graphql/unavailable.ts";

const adapter = (cause: Record<string, unknown>, code = "P2010") => ({ code, meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["Prisma: can't reach the server", { code: "P1001", message: "Can't reach database server at 127.0.0.1:1" }, true],
    ["Prisma: the server closed the connection", { code: "P1017", message: "Server has closed the connection." }, true],
    ["adapter: connection refused in a raw query", adapter({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 }), true],
    ["adapter: connection reset", adapter({ kind: "ConnectionClosed" }), true],
    ["adapter: Postgres shutting down (57P03)", adapter({ kind: "postgres", code: "57P03", message: "the database system is shutting down" }), true],
    ["adapter: terminated by the administrator (57P01)", adapter({ kind: "postgres", code: "57P01" }), true],
    ["pg: the connection died", new Error("Connection terminated unexpectedly"), true],
    ["pg: pool connect timeout", new Error("timeout exceeded when trying to connect"), true],
    ["socket error", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), true],
    ["wrapped in a GraphQL error", { message: "wrapper", originalError: { code: "P1001" } }, true],
    ["a unique violation", adapter({ kind: "UniqueConstraintViolation" }, "P2002"), false],
    ["a syntax error in SQL", adapter({ kind: "postgres", code: "42601" }), false],
    ["a plain bug", new TypeError("cannot read properties of undefined"), false],
    ["nothing", undefined, false],
  ])("%s → %s", (_what, error, want) => {
    expect(isDatabaseUnavailable(error)).toBe(want);
  });
});
