// src/timers.ts with an injected clock: any delay fires once at its time, never through a timer
// longer than Node allows (which Node would turn into a 1 ms timer, issue 10 §4).
import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS, setTimer, type TimerHost } from "../../src/timers.ts";

/** A fake host: records every delay armed; `advance` fires what is due, in order. */
function fakeHost() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const armed: number[] = [];
  const host: TimerHost = {
    now: () => now,
    setTimeout(callback, ms) {
      armed.push(ms);
      pending.set(++next, { at: now + ms, callback });
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  };
  return { host, armed, advance, pending };
}

describe("setTimer", () => {
  it.each([
    ["a short delay", 1500, [1500]],
    ["exactly the largest delay", MAX_TIMER_MS, [MAX_TIMER_MS]],
    ["3e9 ms (sim.deploye.dev/startup-ms: 3000000000)", 3e9, [MAX_TIMER_MS, 3e9 - MAX_TIMER_MS]],
    ["a grace period of 2147483647 s", 2147483647e3, null],
    ["a negative delay", -5, [0]],
    ["NaN", NaN, [0]],
  ] as const)("%s fires once, at its time, through delays Node accepts", (_what, ms, expectedArms) => {
    const { host, armed, advance } = fakeHost();
    let fired = 0;
    setTimer(() => fired++, ms, { host });
    const due = Number.isNaN(ms) ? 0 : Math.max(ms, 0);
    if (due > 0) advance(due - 1);
    expect(fired).toBe(0);
    advance(1);
    expect(fired).toBe(1);
    advance(MAX_TIMER_MS * 3);
    expect(fired).toBe(1);
    expect(armed.every((d) => d >= 0 && d <= MAX_TIMER_MS)).toBe(true);
    if (expectedArms) expect(armed).toEqual(expectedArms);
    else expect(armed.length).toBe(Math.ceil(due / MAX_TIMER_MS));
  });

  it("clear stops it, also after it re-armed", () => {
    const { host, advance, pending } = fakeHost();
    let fired = 0;
    const timer = setTimer(() => fired++, 3 * MAX_TIMER_MS, { host });
    advance(MAX_TIMER_MS + 10);
    expect(pending.size).toBe(1);
    timer.clear();
    expect(pending.size).toBe(0);
    advance(5 * MAX_TIMER_MS);
    expect(fired).toBe(0);
  });
});
