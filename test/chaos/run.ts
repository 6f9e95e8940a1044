// `npm run chaos -- --seed S --minutes M [--deployments N] [--rounds R]`: runs the fault campaign, prints its table, and writes
// the result to bench/results/chaos-<seed>-<time>.json. Exits 1 when any check was violated or the
// campaign failed (a step past its bound or the hard deadline, named in the message).
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCampaign, type CampaignResult } from "./campaign.ts";
import { stopAllClusters } from "./cluster.ts";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`chaos: --${name} needs a non-negative number`);
    process.exit(2);
  }
  return value;
}

export function table(r: CampaignResult): string {
  const rows: [string, string][] = [
    ...Object.entries(r.faults).map(([k, n]): [string, string] => [`fault ${k}`, `${n} injections`]),
    ...Object.entries(r.violations).map(([k, n]): [string, string] => [`check ${k}`, `${n} violations`]),
    ["convergence after the last fault", `p50 ${(r.convergenceMs.p50 / 1000).toFixed(1)} s, max ${(r.convergenceMs.max / 1000).toFixed(1)} s (${r.convergenceMs.deployments} Deployments)`],
    ["quiet rollout, longest step", `${r.wakeupMaxGapMs} ms`],
    ["API while Postgres was down", `${r.outage.probes} calls, slowest failure ${r.outage.maxFailMs} ms; /readyz 200 again within ${r.outage.maxRecoveryMs} ms`],
    ["mutations", `${r.mutations.ok} acknowledged, ${r.mutations.refused} refused, ${r.mutations.unknown} unanswered`],
    ["deletes acknowledged", Object.entries(r.deletes).map(([policy, n]) => `${policy} ${n}`).join(", ")],
    ["watch", `${r.watch.events} events, ${r.watch.resumes} resumes, ${r.watch.relists} re-lists`],
    ["change-log rows checked", String(r.changes)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`seed ${r.seed}, ${r.minutes} min of faults, ${(r.durationMs / 1000).toFixed(0)} s in all`, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join("\n");
}

async function main() {
  const seed = flag("seed", Date.now() % 1_000_000);
  const minutes = flag("minutes", 5);
  const deployments = flag("deployments", 20);
  const rounds = flag("rounds", 0);
  const result = await runCampaign({ seed, minutes, rounds, deployments, log: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`) });
  console.log(table(result));
  for (const v of result.details.slice(0, 50)) console.log(`  ${v.check}: ${v.detail.split("\n")[0]}`);
  const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}chaos-${seed}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`written to ${file}`);
  process.exit(result.details.length ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // an interrupted run stops its servers and Postgres first
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAllClusters().finally(() => process.exit(130)));
  main().catch((error: Error) => {
    console.error(`chaos: ${error.message}`);
    process.exit(1);
  });
}
