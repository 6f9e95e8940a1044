// Every Deployment of the namespace with its live counts, rollout phase and message, images and age.
import type { DeploymentFieldsFragment } from "../../lib/gql/graphql.ts";
import { href } from "./routes.ts";
import { phaseOf } from "./rollout.ts";
import { age } from "./session.ts";
import { Empty } from "./ui.tsx";

export function Overview({ namespace, deployments }: { namespace: string; deployments: Map<string, DeploymentFieldsFragment> | null }) {
  if (!deployments) return <Empty>Loading Deployments…</Empty>;
  if (deployments.size === 0) return <Empty>No Deployments in namespace "{namespace}" yet.</Empty>;
  const rows = [...deployments.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const now = Date.now();
  return (
    <table class="overview" data-testid="overview">
      <thead>
        <tr>
          <th>name</th>
          <th>ready</th>
          <th>up-to-date</th>
          <th>available</th>
          <th>phase</th>
          <th>message</th>
          <th>images</th>
          <th>age</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => {
          const { phase, line } = phaseOf(d);
          return (
            <tr key={d.metadata.uid} data-testid={`deployment-${d.metadata.name}`}>
              <td>
                <a href={href({ namespace, name: d.metadata.name })}>{d.metadata.name}</a>
              </td>
              <td data-testid="ready">
                {d.status.readyReplicas}/{d.spec.replicas}
              </td>
              <td data-testid="updated">{d.status.updatedReplicas}</td>
              <td data-testid="available">{d.status.availableReplicas}</td>
              <td>
                <span class={`phase ${phase}`}>{phase}</span>
              </td>
              <td class="message">{line}</td>
              <td>{d.spec.template.spec.containers.map((c) => c.image).join(", ")}</td>
              <td>{age(d.metadata.creationTimestamp, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
