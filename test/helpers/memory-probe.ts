// Loaded into a child server for memory tests (`node --expose-gc --import tsx --import
// ./test/helpers/memory-probe.ts src/main.ts`): on SIGUSR2 it collects garbage and prints one line
// `memory-probe {"heap":…,"external":…,"rss":…}` on stdout. Test code only: the server has no such hook.
process.on("SIGUSR2", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("memory-probe needs node --expose-gc");
  gc();
  gc();
  const m = process.memoryUsage();
  process.stdout.write(`memory-probe ${JSON.stringify({ heap: m.heapUsed, external: m.external, rss: m.rss })}\n`);
});
