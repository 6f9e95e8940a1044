// Prints the tables of bench/results/*.json as markdown (for bench/README.md), each with the
// machine, load average and flags of its run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { markdownTable, ROOT } from "./lib.ts";

const dir = join(ROOT, "bench/results");
for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const r = JSON.parse(readFileSync(join(dir, file), "utf8"));
  console.log(`${markdownTable(r.title, r.rows)}\n`);
  console.log(`\`${file}\`: ${r.at}, ${r.machine.cpus} × ${r.machine.cpuModel}, load average ${r.machine.loadavg.join(" / ")}, flags \`${r.argv.join(" ") || "(defaults)"}\`\n`);
}
