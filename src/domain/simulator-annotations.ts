// The simulated kubelet's annotations (src/domain/kubelet.ts) take values in sane ranges: upstream
// caps nothing, but `sim.deploye.dev/startup-ms: "99999999999999999999"` gave a start time past what
// a Date holds (startedAt 1970-01-01, a pod Ready at once), issue 10 §4.
import { invalid, type FieldError } from "./field-errors.ts";
import { isStartupMs, MAX_STARTUP_MS, STARTUP_MS_ANNOTATION } from "./kubelet.ts";
import type { StringMap } from "./types.ts";

export function validateSimulatorAnnotations(annotations: StringMap, path: string): FieldError[] {
  const value = annotations[STARTUP_MS_ANNOTATION];
  if (value === undefined || isStartupMs(value)) return [];
  return [invalid(`${path}[${STARTUP_MS_ANNOTATION}]`, value, `must be a whole number of milliseconds between 0 and ${MAX_STARTUP_MS}`)];
}
