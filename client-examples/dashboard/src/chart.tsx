// New vs old ReplicaSet sizes (spec.replicas) over time: the staircase of a rolling update (uPlot).
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** [seconds, new, old] columns */
export type Samples = [number[], number[], number[]];

export function SizeChart({ samples }: { samples: Samples }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    plot.current = new uPlot(
      {
        width: Math.max(320, box.current!.clientWidth),
        height: 220,
        scales: { x: { time: true } },
        series: [{}, { label: "new ReplicaSet", stroke: "#2f7d32", width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }, { label: "old ReplicaSets", stroke: "#b26a00", width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }],
        axes: [{}, { label: "pods" }],
      },
      samples,
      box.current!,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => plot.current?.setData(samples), [samples]);
  return <div class="chart" data-testid="chart" data-samples={samples[0].length} ref={box} />;
}
