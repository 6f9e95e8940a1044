// The layering of docs/design.md, read from the sources: every import arrow of src/ between parts
// must be one the design allows, and the parts above src/db/ issue no SQL and name no column.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

type Part = "domain" | "support" | "db" | "auth" | "graphql" | "kube" | "http" | "controller" | "kubelet" | "composition" | "generated";

/** What each part may import (besides itself, node builtins and npm packages). */
const ALLOWED: Record<Part, Part[]> = {
  domain: [],
  support: [],
  db: ["domain", "support", "generated"],
  // auth and graphql are the API layer together: the rules read the GraphQL context and answer its
  // error codes, and the resolvers ask auth which namespaces a caller sees
  auth: ["db", "domain", "support", "graphql"],
  graphql: ["auth", "db", "domain", "support", "generated"],
  kube: ["auth", "db", "domain", "support", "generated", "http"], // http: body bounds; auth: the same tokens
  http: ["support", "composition"], // static.ts: the route type of server.ts
  controller: ["db", "domain", "support"],
  kubelet: ["db", "domain", "support"],
  composition: ["domain", "support", "db", "auth", "graphql", "kube", "http", "controller", "kubelet"],
  generated: [],
};

function partOf(file: string): Part {
  const [top] = relative(SRC, file).split("/");
  if (["domain", "db", "auth", "graphql", "kube", "http", "controller", "kubelet", "generated"].includes(top)) return top as Part;
  if (["app.ts", "main.ts", "server.ts", "metrics.ts", "rollout-tracker.ts"].includes(top)) return "composition"; // wiring and what observes it
  return "support"; // config.ts, log.ts, workqueue.ts
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

/** The relative imports of a source file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]).filter((spec) => spec.startsWith(".")).map((spec) => resolve(dirname(file), spec));
}

const files = sources(SRC);
const text = (file: string) => readFileSync(file, "utf8");
const rel = (file: string) => relative(SRC, file);

describe("the import graph of src/", () => {
  it("finds the sources and their imports", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importsOf(join(SRC, "app.ts")).map(rel)).toContain("kubelet/agent.ts");
  });

  it("has only the arrows the layering allows", () => {
    const forbidden = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => partOf(target) !== partOf(file) && !ALLOWED[partOf(file)].includes(partOf(target)))
        .map((target) => `${rel(file)} → ${rel(target)}`),
    );
    expect(forbidden).toEqual([]);
  });

  it.each([
    ["domain", ["db", "graphql", "controller", "kubelet"]],
    ["kubelet", ["controller"]],
  ] as const)("src/%s/ imports nothing from %j", (part, parts) => {
    const arrows = files.filter((f) => partOf(f) === part).flatMap((f) => importsOf(f).filter((t) => (parts as readonly Part[]).includes(partOf(t))).map((t) => `${rel(f)} → ${rel(t)}`));
    expect(arrows).toEqual([]);
  });
});

// SQL and columns: raw statements, Prisma's SQL template tag, and Prisma model delegates
// (`db.pod.…`, `tx.replicaSet.…`) belong to src/db/ only.
const SQL = /\$(?:queryRaw|executeRaw)(?:Unsafe)?\b|Prisma\.sql\b/;
const COLUMNS = /\b(?:db|tx)\.(?:deployment|replicaSet|pod|event|changeLog)\.\w+\(/;

describe("SQL and columns live in src/db/", () => {
  it.each(["graphql", "kube", "controller", "kubelet", "domain"] as const)("src/%s/ issues no SQL", (part) => {
    const offenders = files.filter((f) => partOf(f) === part && SQL.test(text(f))).map(rel);
    expect(offenders).toEqual([]);
  });

  it.each(["kube", "controller", "kubelet", "domain"] as const)("src/%s/ names no column (no Prisma model calls)", (part) => {
    const offenders = files.filter((f) => partOf(f) === part && COLUMNS.test(text(f))).map(rel);
    expect(offenders).toEqual([]);
  });

  it("the checks see what they look for", () => {
    expect(SQL.test(text(join(SRC, "db/claims.ts")))).toBe(true);
    expect(COLUMNS.test(text(join(SRC, "db/node-writes.ts")))).toBe(true);
  });
});
