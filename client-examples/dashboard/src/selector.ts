// A Deployment's selector as the `labelSelector` string the API takes (kubectl's syntax), so that
// one Deployment's view watches its own ReplicaSets and pods, not the whole namespace's.
import type { DeploymentFieldsFragment } from "../../lib/gql/graphql.ts";

type Selector = DeploymentFieldsFragment["spec"]["selector"];

export function selectorString({ matchLabels, matchExpressions }: Selector): string {
  const labels = Object.entries(matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  const expressions = matchExpressions.map(({ key, operator, values }) => {
    switch (operator) {
      case "In":
        return `${key} in (${values.join(",")})`;
      case "NotIn":
        return `${key} notin (${values.join(",")})`;
      case "Exists":
        return key;
      case "DoesNotExist":
        return `!${key}`;
    }
  });
  return [...labels, ...expressions].join(",");
}
