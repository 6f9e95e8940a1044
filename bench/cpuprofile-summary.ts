// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file, and
// inclusive time of the project's own functions. Usage: cpuprofile-summary.ts <file> [--top 25]
import { readFileSync } from "node:fs";
import { flag } from "./lib.ts";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const file = process.argv[2];
const top = Number(flag("top") ?? 25);
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes("/src/")) return url.slice(url.indexOf("/src/") + 1);
  return url ? url.replace(/^.*\//, "") : "";
};
const label = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url)}${n.callFrame.url.includes("/src/") ? `:${n.callFrame.lineNumber + 1}` : ""}`;

const sum = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const selfByFn = new Map<string, number>();
const selfByWhere = new Map<string, number>();
const inclusiveOwn = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  sum(selfByFn, label(n), us);
  sum(selfByWhere, where(n.callFrame.url) || `${n.callFrame.functionName} (native)`, us);
  // inclusive: every distinct project function on the stack
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur)!;
    if (c.callFrame.url.includes("/src/") && !c.callFrame.url.includes("node_modules")) {
      const l = label(c);
      if (!seen.has(l)) {
        seen.add(l);
        sum(inclusiveOwn, l, us);
      }
    }
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`profile ${(total / 1e6).toFixed(1)} s sampled (wall ${((p.endTime - p.startTime) / 1e6).toFixed(1)} s)`);
show("self time by package / file", selfByWhere);
show("self time by function", selfByFn);
show("inclusive time of the project's functions", inclusiveOwn);
