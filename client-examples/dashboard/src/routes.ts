// The dashboard's routes live in the URL's hash: #/NAMESPACE, #/NAMESPACE/NAME, #/NAMESPACE/NAME/history.
export interface Route {
  namespace: string;
  name?: string;
  history?: boolean;
}

export function parseRoute(hash: string): Route {
  const [namespace, name, page] = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { namespace: namespace || "default", name: name || undefined, history: page === "history" };
}

export function href(route: Route): string {
  return "#/" + [route.namespace, route.name, route.history ? "history" : undefined].filter(Boolean).map((s) => encodeURIComponent(s!)).join("/");
}
