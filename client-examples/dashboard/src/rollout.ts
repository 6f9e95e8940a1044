// A Deployment's rollout phase and kubectl's line, computed from the watched version of it.
import { verdict } from "../../lib/rollout.ts";
import type { DeploymentFieldsFragment } from "../../lib/gql/graphql.ts";

export type Phase = "Progressing" | "Complete" | "Paused" | "Failed";

export function phaseOf(d: DeploymentFieldsFragment): { phase: Phase; line: string } {
  const v = verdict(d);
  if ("kind" in v) return { phase: "Failed", line: v.message };
  return { phase: v.done ? "Complete" : d.spec.paused ? "Paused" : "Progressing", line: v.line };
}
