// `prisma generate`, runnable offline. The Prisma 7 CLI refuses to start without its native
// schema engine, which it downloads from Prisma's servers; `generate` itself never runs it. When
// no engine is present (no network), point the CLI at an existing executable so generation works;
// with an engine installed (a normal online install) nothing is overridden.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const require = createRequire(import.meta.url);
  const enginesDir = dirname(require.resolve("@prisma/engines/package.json"));
  const hasEngine = readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
  if (!hasEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync("prisma", ["generate"], { stdio: "inherit", env, shell: process.platform === "win32" });
process.exit(result.status ?? 1);
