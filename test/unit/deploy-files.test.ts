// docker-compose.yml and the env-file example set only variables that src/config.ts reads, and the
// compose file runs two API replicas on one
// database. Docker is not on this machine: the files are checked as data.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig, OPTIONS } from "../../src/config.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}/${file}`, "utf8");

const known = (name: string) => OPTIONS.some((o) => o.env === name);

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  env_file?: { path: string }[];
  ports?: string[];
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
const apis = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe("docker-compose.yml", () => {
  it("runs two API replicas built from this repository, on one database, on two ports", () => {
    expect(apis.map(([name]) => name)).toHaveLength(2);
    expect(new Set(apis.map(([, s]) => s.environment?.DATABASE_URL)).size).toBe(1);
    expect(apis.map(([, s]) => s.ports?.[0].split(":")[0])).toEqual(["4000", "4001"]);
    for (const [, s] of apis) expect(s.environment?.AUTH).toBe("on");
  });

  it("sets only variables the server reads, and each to a value config.ts accepts", () => {
    for (const [name, service] of apis) {
      const env = service.environment ?? {};
      expect(Object.keys(env).filter((v) => !known(v)), name).toEqual([]);
      // the ones config.ts knows parse (loadConfig throws on a bad value)
      const ours = Object.fromEntries(Object.entries(env).filter(([k]) => OPTIONS.some((o) => o.env === k)));
      expect(Object.keys(ours).length).toBeGreaterThan(10);
      expect(() => loadConfig(ours)).not.toThrow();
    }
  });

  it("takes the bootstrap token from an env file whose example sets only known variables", () => {
    for (const [, service] of apis) expect(service.env_file?.map((f) => f.path)).toEqual(["./deploye.env"]);
    const names = read("deploye.env.example")
      .split("\n")
      .filter((l) => /^\s*[A-Z_]+=/.test(l))
      .map((l) => l.split("=")[0].trim());
    expect(names).toEqual(["DEPLOYE_BOOTSTRAP_TOKEN"]);
    expect(names.filter((v) => !known(v))).toEqual([]);
  });
});

describe("Dockerfile", () => {
  const stages = read("Dockerfile").split("\n").filter((l) => l.startsWith("FROM "));
  it("builds on Node 24 and runs node on the build output as a non-root user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of stages) expect(from).toMatch(/^FROM node:24-bookworm-slim\b/);
    const text = read("Dockerfile");
    const final = text.slice(text.lastIndexOf("FROM "));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(text).toMatch(/npm ci --omit=dev --omit=optional/);
  });
});
