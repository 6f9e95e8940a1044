// The two in-browser IDEs, working offline: every asset comes from npm packages installed with
// the server, nothing from a CDN.
// - GraphiQL on /graphql (yoga's), rendered by @graphql-yoga/render-graphiql (its JS, CSS and
//   editor workers inlined), opening on deploye's example query and the README walkthrough (one
//   document, an operation each).
// - GraphQL Playground on /playground: graphql-playground-html's page, its scripts and styles served
//   from graphql-playground-react's build. It speaks the legacy WebSocket protocol
//   (graphql/websocket.ts).
// Both pages carry a token field (TOKEN_FIELD): the token is kept in the tab's sessionStorage, sent
// as the Authorization header of the page's requests to /graphql and as
// connectionParams.authorization of its WebSocket connections, never in a URL.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { renderPlaygroundPage } from "graphql-playground-html";
import type { GraphiQLOptions } from "graphql-yoga";
import type { HttpRoute } from "../server.ts";
import { staticRoute } from "./static.ts";

export const PLAYGROUND_PATH = "/playground";

/**
 * What both IDEs open with (when they have no saved state): an example, then the README's
 * walkthrough, word for word (a test holds them to the README). Playground shows them as tabs,
 * GraphiQL as one document; each is named by its operation.
 */
export const DEFAULT_TABS: { name: string; query: string }[] = [
  {
    name: "Deployments",
    query: `# deploye: Kubernetes-style Deployments, ReplicaSets and Pods over GraphQL.
# The other tabs are the README's walkthrough. Paste a token in the field at the bottom if the
# server asks for one. Variables work everywhere, even inside label maps: { app: $app }.
query Deployments($app: String) {
  deployments(labelSelector: $app, first: 20) {
    totalCount
    edges { node { metadata { namespace name labels } spec { replicas } rolloutStatus { phase message } } }
  }
}`,
  },
  {
    name: "Create",
    query: `mutation Create {
  createDeployment(
    metadata: { name: "web" }
    spec: {
      replicas: 3
      selector: { matchLabels: { app: "web" } }
      template: {
        metadata: { labels: { app: "web" } }
        spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] }
      }
    }
  ) { metadata { name resourceVersion } }
}`,
  },
  {
    name: "List",
    query: `query List {
  deployments {
    totalCount
    edges { node { metadata { name } rolloutStatus { message } replicaSets { metadata { name } pods { metadata { name } status { phase ready } } } } }
  }
}`,
  },
  {
    name: "Follow",
    query: `subscription Follow {
  rolloutStatus(name: "web") { message done progress updatedReplicas availableReplicas }
}`,
  },
  {
    name: "RollOut",
    query: `mutation RollOut { setImage(name: "web", container: "nginx", image: "nginx:1.27", changeCause: "bump nginx") { metadata { generation } } }`,
  },
];

/**
 * The token field: a script placed before the IDE's own, so that the fetch and WebSocket the IDE
 * captures are these. Requests to the page's own /graphql get `Authorization: Bearer <token>`
 * (unless they carry one), and a connection_init on its /graphql WebSocket gets
 * `payload.authorization` (both protocols start with a message of that type).
 */
const TOKEN_FIELD = `<script>
(function () {
  var KEY = "deploye.token";
  function token() {
    var t = (sessionStorage.getItem(KEY) || "").trim();
    return t && (/^bearer /i.test(t) ? t : "Bearer " + t);
  }
  function ours(url) {
    try {
      var u = new URL(url, location.href);
      return u.host === location.host && u.pathname.indexOf("/graphql") === 0;
    } catch (e) {
      return false;
    }
  }
  var fetch0 = window.fetch;
  window.fetch = function (input, init) {
    var t = token();
    var url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!t || !ours(url)) return fetch0.call(this, input, init);
    var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
    if (!headers.has("authorization")) headers.set("authorization", t);
    return fetch0.call(this, input, Object.assign({}, init, { headers: headers }));
  };
  var send0 = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    var t = token();
    if (t && typeof data === "string" && ours(this.url.replace(/^ws/, "http"))) {
      try {
        var m = JSON.parse(data);
        if (m && m.type === "connection_init") {
          m.payload = Object.assign({ authorization: t }, m.payload);
          data = JSON.stringify(m);
        }
      } catch (e) {}
    }
    return send0.call(this, data);
  };
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.createElement("label");
    box.id = "deploye-token";
    box.title = "Sent as the Authorization header and as connectionParams.authorization; kept in this tab only. New subscriptions use it.";
    box.style.cssText = "position:fixed;right:120px;bottom:8px;z-index:2147483647;font:12px sans-serif;color:#888;background:rgba(255,255,255,.9);border:1px solid #ccc;border-radius:4px;padding:2px 6px";
    box.textContent = "token ";
    var input = document.createElement("input");
    input.type = "password";
    input.name = "deploye-token";
    input.placeholder = "Bearer token";
    input.autocomplete = "off";
    input.style.cssText = "width:12em;font:12px monospace";
    input.value = sessionStorage.getItem(KEY) || "";
    input.addEventListener("input", function () {
      sessionStorage.setItem(KEY, input.value);
    });
    box.appendChild(input);
    document.body.appendChild(box);
  });
})();
</script>`;

const withTokenField = (html: string) => html.replace("<head>", () => "<head>" + TOKEN_FIELD);

export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: "deploye GraphiQL",
  subscriptionsProtocol: "WS",
  // One document rather than defaultTabs: this GraphiQL (yoga 5.24) does not swap the editor's
  // text when another tab is chosen. The run button offers each named operation.
  defaultQuery: DEFAULT_TABS.map(({ query }) => query).join("\n\n"),
};

let graphiqlPage: { key: string; html: Promise<string> } | null = null;

/**
 * yoga's renderGraphiQL: the offline page (9 MB, with every asset inlined), rendered once per
 * options. Its module is loaded on the first request, not at start-up.
 */
export function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  if (graphiqlPage?.key !== key) graphiqlPage = { key, html: import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => withTokenField(renderGraphiQL(options))) };
  return graphiqlPage.html;
}

const PLAYGROUND_ASSETS = `${PLAYGROUND_PATH}/assets`;
const playgroundBuild = join(dirname(createRequire(import.meta.url).resolve("graphql-playground-react/package.json")), "build");

function playgroundPage(endpoint: string): string {
  const html = renderPlaygroundPage({
    endpoint,
    cdnUrl: PLAYGROUND_ASSETS,
    faviconUrl: `${PLAYGROUND_ASSETS}/graphql-playground-react/build/favicon.png`,
    title: "deploye Playground",
    settings: { "schema.polling.enable": false, "request.credentials": "same-origin" },
    tabs: DEFAULT_TABS.map(({ name, query }) => ({ endpoint, name, query })),
  });
  // the page's one outside request: web fonts (the page falls back to local ones)
  return withTokenField(html.replace(/<link href="https:\/\/fonts\.googleapis\.com[^>]*>/, ""));
}

/** /playground (the page) and /playground/assets/… (graphql-playground-react's build). */
export function playgroundRoutes(endpoint: string): HttpRoute[] {
  const html = playgroundPage(endpoint);
  return [
    (req, res, path) => {
      if (path !== PLAYGROUND_PATH && path !== `${PLAYGROUND_PATH}/`) return false;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : html);
      return true;
    },
    staticRoute(`${PLAYGROUND_ASSETS}/graphql-playground-react/build`, playgroundBuild),
  ];
}
