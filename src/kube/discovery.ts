// Discovery in the legacy (unaggregated) format that kubectl falls back to when the server answers
// plain application/json: /version, /api, /api/v1, /apis, /apis/apps, /apis/apps/v1.
import type { Db } from "../db/client.ts";
import { readNamespaces } from "../db/pages.ts";
import { apiVersionOf, RESOURCES, type Obj, type Resource } from "./codec.ts";

export const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-deploye", gitCommit: "", gitTreeState: "clean", buildDate: "", goVersion: "", compiler: "deploye", platform: "linux/amd64" };

export const VERBS: Record<string, string[]> = {
  Deployment: ["create", "delete", "get", "list", "patch", "update", "watch"],
  ReplicaSet: ["create", "delete", "get", "list", "patch", "update", "watch"],
  Pod: ["delete", "get", "list", "watch"],
  Event: ["get", "list", "watch"],
};
const SCALED = new Set(["Deployment", "ReplicaSet"]);

function resourceList(groupVersion: string, resources: readonly Resource[]): Obj {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: resources.flatMap((r) => [
      { name: r.plural, singularName: r.singular, namespaced: true, kind: r.kind, verbs: VERBS[r.kind], shortNames: r.shortNames, ...(r.kind === "Event" ? {} : { categories: ["all"] }) },
      ...(SCALED.has(r.kind) ? [{ name: `${r.plural}/scale`, singularName: "", namespaced: true, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] }] : []),
    ]),
  };
}

const APPS_GROUP = { name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } };

/** The discovery document at `path`, or null when `path` is not one. */
export function discovery(path: string): Obj | null {
  switch (path) {
    case "/version":
      return VERSION;
    case "/api":
      return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }] };
    case "/api/v1": {
      const list = resourceList("v1", RESOURCES.filter((r) => apiVersionOf(r) === "v1"));
      return { ...list, resources: [NAMESPACES, ...(list.resources as Obj[])] };
    }
    case "/apis":
      return { kind: "APIGroupList", apiVersion: "v1", groups: [APPS_GROUP] };
    case "/apis/apps":
      return { kind: "APIGroup", apiVersion: "v1", ...APPS_GROUP };
    case "/apis/apps/v1":
      return resourceList("apps/v1", RESOURCES.filter((r) => apiVersionOf(r) === "apps/v1"));
    default:
      return null;
  }
}

// Namespaces exist implicitly (any valid name holds objects): every one is Active, so kubectl's
// namespace checks pass; the list is the namespaces that hold objects.
const NAMESPACES = { name: "namespaces", singularName: "namespace", namespaced: false, kind: "Namespace", verbs: ["get", "list"], shortNames: ["ns"] };

export function namespaceJson(name: string): Obj {
  return { kind: "Namespace", apiVersion: "v1", metadata: { name }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
}

export async function namespaceList(db: Db): Promise<Obj> {
  return { kind: "NamespaceList", apiVersion: "v1", metadata: {}, items: (await readNamespaces(db)).map(namespaceJson) };
}
