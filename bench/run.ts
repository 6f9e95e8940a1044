// `npm run bench`: every benchmark in turn, each its own process (its own Postgres, fresh databases,
// its floor in the same run), with the flags given passed through to each (a flag a benchmark does
// not know is ignored). `--only rollout,query` picks some. Tables print as they finish; JSON goes
// to bench/results/<name>.json.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { flag } from "./lib.ts";

const ALL = ["rollout", "write-path", "fanout", "watch-latency", "query", "store"];
const only = flag("only")?.split(",") ?? ALL;
const unknown = only.filter((b) => !ALL.includes(b));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; choose from ${ALL.join(", ")}`);
  process.exit(2);
}
const passThrough = process.argv.slice(2);
let failed = 0;
for (const name of only) {
  console.log(`\n=== ${name} ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), ...passThrough], { stdio: "inherit" });
  console.log(`=== ${name}: ${r.status === 0 ? "done" : `FAILED (${r.status ?? r.signal})`} in ${Math.round((performance.now() - t0) / 1000)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
