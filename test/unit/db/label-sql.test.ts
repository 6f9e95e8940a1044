import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requirementsToSql } from "../../../src/db/label-sql.ts";
import type { Requirement } from "../../../src/domain/labels.ts";

const r = (key: string, operator: Requirement["operator"], ...values: string[]): Requirement => ({ key, operator, values });

describe("requirementsToSql", () => {
  it.each<[string, Requirement, string, unknown[]]>([
    ["=", r("app", "=", "web"), "(labels @> $1::jsonb)", ['{"app":"web"}']],
    ["!=", r("app", "!=", "web"), "(NOT (labels @> $1::jsonb))", ['{"app":"web"}']],
    ["in", r("env", "in", "a", "b"), "(labels @> ANY($1::jsonb[]))", [['{"env":"a"}', '{"env":"b"}']]],
    ["notin", r("env", "notin", "a"), "(NOT (labels @> ANY($1::jsonb[])))", [['{"env":"a"}']]],
    ["exists", r("example.com/team", "exists"), "(labels ? $1)", ["example.com/team"]],
    ["!", r("canary", "!"), "(NOT (labels ? $1))", ["canary"]],
    ["empty value", r("a", "=", ""), "(labels @> $1::jsonb)", ['{"a":""}']],
  ])("%s", (_, req, sql, params) => {
    expect(requirementsToSql([req], "labels", 1)).toEqual({ sql, params });
  });

  it("ANDs requirements and numbers parameters from firstParamIndex", () => {
    expect(requirementsToSql([r("app", "=", "web"), r("env", "in", "a"), r("canary", "!")], "p.labels", 4)).toEqual({
      sql: "(p.labels @> $4::jsonb) AND (p.labels @> ANY($5::jsonb[])) AND (NOT (p.labels ? $6))",
      params: ['{"app":"web"}', ['{"env":"a"}'], "canary"],
    });
  });

  it("is TRUE with no parameters for no requirements", () => {
    expect(requirementsToSql([], "labels", 7)).toEqual({ sql: "TRUE", params: [] });
  });

  it.each(['"Pod"."labels"', "labels", "t.labels", "_x1"])("accepts the column reference %j", (column) => {
    expect(() => requirementsToSql([], column, 1)).not.toThrow();
  });

  it.each(["labels; DROP TABLE pods", "", "a.b.c", "labels'", '"a"b"', "1abc"])("refuses %j as a column", (column) => {
    expect(() => requirementsToSql([], column, 1)).toThrow(/not a column reference/);
  });

  it("never puts a key or value into the SQL text", () => {
    const text = fc.string({ maxLength: 12 });
    const requirement = fc.record({
      key: text,
      operator: fc.constantFrom<Requirement["operator"]>("=", "!=", "in", "notin", "exists", "!"),
      values: fc.array(text, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(requirement, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 100 }), (reqs, first) => {
        const { sql, params } = requirementsToSql(reqs, "labels", first);
        expect(params).toHaveLength(reqs.length);
        const stripped = sql.replace(/\$\d+/g, "").replace(/\(|\)|::jsonb(\[\])?|@>|ANY|NOT|AND|\?|labels|\s/g, "");
        expect(stripped).toBe("");
        const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
        expect(numbers).toEqual(reqs.map((_, i) => first + i));
        params.forEach((p, i) => {
          const { key, operator, values } = reqs[i];
          if (operator === "exists" || operator === "!") expect(p).toBe(key);
          else if (operator === "in" || operator === "notin") expect(p).toEqual(values.map((v) => JSON.stringify({ [key]: v })));
          else expect(JSON.parse(p as string)).toEqual({ [key]: values[0] });
        });
      }),
      { numRuns: 300 },
    );
  });
});
