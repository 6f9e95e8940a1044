// The deploye dashboard: a namespace overview, one Deployment live (chart, conditions, events,
// pods, strategy, editor actions) and its rollout history. Routes live in the URL's hash
// (routes.ts); the token never does.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { editRefusal, type Caller } from "../../lib/caller.ts";
import { ApiError, request } from "../../lib/connection.ts";
import { ViewerQuery } from "../../lib/operations.ts";
import type { DeploymentFieldsFragment } from "../../lib/gql/graphql.ts";
import { DeploymentView } from "./deployment.tsx";
import { HistoryView } from "./history.tsx";
import { liveWatch, type ConnectionState } from "./live.ts";
import { CountsQuery, NamespacesQuery, WatchDeployments } from "./operations.ts";
import { Overview } from "./overview.tsx";
import { href, parseRoute } from "./routes.ts";
import { connect, savedToken, saveToken, targetFor, type Link } from "./session.ts";
import "./style.css";

function TokenPrompt({ onToken }: { onToken(token: string): void }) {
  const [value, setValue] = useState("");
  return (
    <form class="token" onSubmit={(e) => (e.preventDefault(), onToken(value.trim()))}>
      <p>This server wants a token. It is kept in this tab only (sessionStorage).</p>
      <input type="password" data-testid="token" placeholder="token" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">Use token</button>
    </form>
  );
}

function App() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  const [token, setToken] = useState(savedToken());
  const [needToken, setNeedToken] = useState(false);
  const [link, setLink] = useState<Link>("connecting");
  const [watchState, setWatchState] = useState<ConnectionState>({ state: "connecting" });
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [deployments, setDeployments] = useState<Map<string, DeploymentFieldsFragment> | null>(null);
  const [caller, setCaller] = useState<Caller | null>(null);
  const target = useMemo(() => targetFor(token), [token]);
  const client = useMemo(() => connect(target, setLink), [target]);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => () => void client.dispose(), [client]);

  // who the token is, so that actions it may not take are disabled up front
  useEffect(() => {
    if (link !== "live") return;
    request(target, ViewerQuery, {}).then(
      (data) => setCaller(data.viewer),
      (err) => err instanceof ApiError && err.code === "UNAUTHENTICATED" && setNeedToken(true),
    );
  }, [target, link]);

  useEffect(() => {
    request(target, NamespacesQuery, {}).then(
      (data) => setNamespaces(data.namespaces),
      (err) => err instanceof ApiError && err.code === "UNAUTHENTICATED" && setNeedToken(true),
    );
  }, [target, deployments?.size]);

  useEffect(() => {
    setDeployments(null);
    const watch = liveWatch(client, WatchDeployments, { namespace: route.namespace }, setDeployments, (s) => {
      setWatchState(s);
      if (s.state === "error" && s.code === "UNAUTHENTICATED") setNeedToken(true);
    }, () => request(target, CountsQuery, { namespace: route.namespace }).then((c) => c.deployments.totalCount));
    return () => watch.stop();
  }, [client, route.namespace]);

  const useToken = (t: string) => {
    saveToken(t || undefined);
    setToken(t || undefined);
    setCaller(null);
    setNeedToken(false);
  };
  const allNamespaces = [...new Set([...namespaces, route.namespace])].sort();
  const deployment = route.name ? [...(deployments?.values() ?? [])].find((d) => d.metadata.name === route.name) : undefined;
  const refusal = caller ? editRefusal(caller, route.namespace) : "checking what the token may do…";
  const shown = link === "live" && watchState.state !== "error" ? "live" : watchState.state === "error" ? "error" : link;

  return (
    <div class="app">
      <header>
        <a class="brand" href={href({ namespace: route.namespace })}>
          deploye
        </a>
        <label>
          namespace{" "}
          <select data-testid="namespace" value={route.namespace} onChange={(e) => (location.hash = href({ namespace: (e.target as HTMLSelectElement).value }))}>
            {allNamespaces.map((ns) => (
              <option value={ns}>{ns}</option>
            ))}
          </select>
        </label>
        <span class={`connection ${shown}`} data-testid="connection" title={watchState.state === "reconnecting" || watchState.state === "error" ? watchState.reason : undefined}>
          {shown === "reconnecting" ? "connection lost: reconnecting…" : shown === "error" ? `error: ${watchState.state === "error" ? watchState.reason : ""}` : shown}
        </span>
        {caller?.authenticated && (
          <span class="caller" data-testid="caller">
            {caller.name} ({caller.role})
          </span>
        )}
        <button class="link" onClick={() => setNeedToken(true)}>
          {token ? "change token" : "token"}
        </button>
      </header>
      {needToken && <TokenPrompt onToken={useToken} />}
      <main>
        {!route.name ? (
          <Overview namespace={route.namespace} deployments={deployments} />
        ) : deployments && !deployment ? (
          <p class="empty">
            No Deployment "{route.name}" in namespace "{route.namespace}". <a href={href({ namespace: route.namespace })}>Back to the overview</a>
          </p>
        ) : !deployment ? (
          <p class="empty">Loading…</p>
        ) : route.history ? (
          <HistoryView target={target} deployment={deployment} editRefusal={refusal} onUnauthenticated={() => setNeedToken(true)} />
        ) : (
          <DeploymentView target={target} client={client} deployment={deployment} editRefusal={refusal} onUnauthenticated={() => setNeedToken(true)} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById("app")!);
