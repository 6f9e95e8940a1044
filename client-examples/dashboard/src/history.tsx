// The rollout history: each revision with its change-cause and images, and a rollback button.
import { useEffect, useState } from "preact/hooks";
import { request, type Target } from "../../lib/connection.ts";
import type { DeploymentFieldsFragment, HistoryQuery as History } from "../../lib/gql/graphql.ts";
import { actions } from "./actions.ts";
import { HistoryQuery } from "./operations.ts";
import { href } from "./routes.ts";
import { Empty, useActions } from "./ui.tsx";

export function HistoryView({ target, deployment: d, editRefusal, onUnauthenticated }: { target: Target; deployment: DeploymentFieldsFragment; editRefusal: string | null; onUnauthenticated(): void }) {
  const named = { name: d.metadata.name, namespace: d.metadata.namespace };
  const [history, setHistory] = useState<NonNullable<History["deployment"]>["history"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { dialog, button, notice } = useActions(onUnauthenticated, editRefusal);
  // read again whenever the Deployment changes revision
  useEffect(() => {
    request(target, HistoryQuery, named).then(
      (data) => setHistory(data.deployment?.history ?? []),
      (err) => setError((err as Error).message),
    );
  }, [target, d.metadata.uid, d.revision]);
  return (
    <section>
      <h2>
        <a href={href({ namespace: named.namespace, name: named.name })}>{named.name}</a>: rollout history
      </h2>
      {notice}
      {error && <p class="error">{error}</p>}
      {!history ? (
        <Empty>Loading…</Empty>
      ) : history.length === 0 ? (
        <Empty>No revisions yet.</Empty>
      ) : (
        <table data-testid="history">
          <thead>
            <tr>
              <th>revision</th>
              <th>change-cause</th>
              <th>images</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {[...history].reverse().map((r) => (
              <tr key={r.revision} data-testid={`revision-${r.revision}`}>
                <td>{r.revision}</td>
                <td>{r.changeCause ?? "<none>"}</td>
                <td>{r.template.spec.containers.map((c) => c.image).join(", ")}</td>
                <td>{r.revision === d.revision ? <span class="current">current</span> : button("Roll back", actions.rollback(target, named, r.revision), `rollback-${r.revision}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog}
    </section>
  );
}
