// Rules on a reported pod status beyond each field's own syntax.
import { invalid, type FieldError } from "./field-errors.ts";

const TERMINATED_PHASES = ["Succeeded", "Failed"];

/** A pod whose containers have all terminated (Succeeded, Failed) serves nothing: it cannot be Ready. */
export function validatePodStatusConsistency(status: { phase: string; ready: boolean }): FieldError[] {
  if (status.ready && TERMINATED_PHASES.includes(status.phase)) {
    return [invalid("status.ready", true, `a pod in phase ${status.phase} has terminated and cannot be ready`)];
  }
  return [];
}
