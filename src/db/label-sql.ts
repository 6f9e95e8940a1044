// Label requirements as a Postgres boolean expression over a JSONB labels column (NOT NULL).
// Every operator is a GIN (jsonb_ops) operator, so an index on the column serves the query:
//   =       col @> $n::jsonb                 ({"key":"value"})
//   in      col @> ANY($n::jsonb[])          (one {"key":"value"} per value; a bitmap index scan)
//   !=      NOT (col @> $n::jsonb)           (true when the key is missing, as `matches` says)
//   notin   NOT (col @> ANY($n::jsonb[]))
//   exists  col ? $n
//   !       NOT (col ? $n)
// Keys and values travel only as parameters; one parameter per requirement keeps a selector far
// below Postgres' 65535-parameter limit. No requirements give TRUE (a selector that matches all).

import type { Requirement } from "../domain/labels.ts";

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

// A column reference such as `labels`, `p.labels` or `"Pod"."labels"`: never a value.
const COLUMN_RE = /^("[A-Za-z_][A-Za-z0-9_]*"|[A-Za-z_][A-Za-z0-9_]*)(\.("[A-Za-z_][A-Za-z0-9_]*"|[A-Za-z_][A-Za-z0-9_]*))?$/;

function pair(key: string, value: string): string {
  return JSON.stringify({ [key]: value });
}

export function requirementsToSql(
  requirements: readonly Requirement[],
  column: string,
  firstParamIndex: number,
): SqlFragment {
  if (!COLUMN_RE.test(column)) throw new Error(`not a column reference: ${JSON.stringify(column)}`);
  if (requirements.length === 0) return { sql: "TRUE", params: [] };
  const params: unknown[] = [];
  const clauses = requirements.map(({ key, operator, values }) => {
    const n = `$${firstParamIndex + params.length}`;
    switch (operator) {
      case "=":
        params.push(pair(key, values[0]));
        return `${column} @> ${n}::jsonb`;
      case "!=":
        params.push(pair(key, values[0]));
        return `NOT (${column} @> ${n}::jsonb)`;
      case "in":
        params.push(values.map((v) => pair(key, v)));
        return `${column} @> ANY(${n}::jsonb[])`;
      case "notin":
        params.push(values.map((v) => pair(key, v)));
        return `NOT (${column} @> ANY(${n}::jsonb[]))`;
      case "exists":
        params.push(key);
        return `${column} ? ${n}`;
      case "!":
        params.push(key);
        return `NOT (${column} ? ${n})`;
    }
  });
  return { sql: clauses.map((c) => `(${c})`).join(" AND "), params };
}
