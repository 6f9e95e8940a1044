// Every timer of the server goes through here. Node clamps a delay above 2³¹−1 ms (~24.8 days) to
// 1 ms with a TimeoutOverflowWarning, so a far-future wake-up (a grace period of 2147483647 s, a
// startup of 3e9 ms) became a timer firing every millisecond: a core spun and the log filled
// (issue 10 §4). `setTimer` waits the longest delay Node allows and re-arms for the rest, so any
// delay fires once, at its time; a negative or NaN delay fires at once. Intervals are clamped too.

export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Timer {
  clear(): void;
}

/** What the helper arms; tests pass fakes (the default is Node's). */
export interface TimerHost {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: TimerHost = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const clampDelay = (ms: number) => (Number.isNaN(ms) ? 0 : Math.min(Math.max(ms, 0), MAX_TIMER_MS));

/** Calls `callback` once after `ms` (any size); `unref`: do not keep the process alive for it. */
export function setTimer(callback: () => void, ms: number, options: { unref?: boolean; host?: TimerHost } = {}): Timer {
  const host = options.host ?? systemTimers;
  const dueAt = host.now() + (Number.isNaN(ms) ? 0 : Math.max(ms, 0));
  let handle: unknown;
  const arm = () => {
    const left = dueAt - host.now();
    handle = host.setTimeout(left > MAX_TIMER_MS ? arm : callback, clampDelay(left));
    if (options.unref) (handle as { unref?: () => void }).unref?.();
  };
  arm();
  return { clear: () => host.clearTimeout(handle) };
}

/** Calls `callback` every `ms`, clamped to 1 ms..MAX_TIMER_MS; `unref` as for setTimer. */
export function setRepeatingTimer(callback: () => void, ms: number, options: { unref?: boolean } = {}): Timer {
  const handle = setInterval(callback, Math.max(1, clampDelay(ms)));
  if (options.unref) handle.unref();
  return { clear: () => clearInterval(handle) };
}
