// Prometheus text-format parsing for tests (parse-prometheus-text-format ships no types). That
// parser folds the series of a labelled histogram into one, so a histogram's per-label counts are
// read from its `_count` lines.
// @ts-expect-error: the package has no type declarations
import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Sample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
export interface MetricFamily {
  name: string;
  help: string;
  type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: Sample[];
}

export const parsePrometheus = parsePrometheusTextFormat as (text: string) => MetricFamily[];

export interface Scrape {
  families: Map<string, MetricFamily>;
  text: string;
}

/** GET /metrics, parsed. */
export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(new URL("/metrics", baseUrl), { headers });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  return { families: new Map(parsePrometheus(text).map((f) => [f.name, f])), text };
}

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** A histogram's observation counts, one per label set, from its `_count` lines. */
function histogramCounts(text: string, name: string): Sample[] {
  const line = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`, "gm");
  return [...text.matchAll(line)].map((m) => ({ labels: Object.fromEntries([...(m[1] ?? "").matchAll(LABEL)].map((l) => [l[1], l[2]])), value: m[2] }));
}

/** The sum of a metric's samples (a histogram's counts) whose labels include `labels`. */
export function total({ families, text }: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  const samples = family.type === "HISTOGRAM" ? histogramCounts(text, name) : family.metrics;
  return samples.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value ?? 0), 0);
}
