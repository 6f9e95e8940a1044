// OpenAPI v3 as kube-apiserver serves it, generated from the kinds' description (schema.ts):
// `/openapi/v3` lists one document per group-version (`api/v1`, `apis/apps/v1`) with a content
// hash in its URL; each document has the paths of the served verbs and, in components.schemas,
// every type they reach under upstream's definition names with `x-kubernetes-group-version-kind`
// and the patch extensions. kubectl reads it for `explain`, for the strategic-merge metadata of
// client-side apply, and to learn that the server validates fields itself (a PATCH operation of
// the kind with a `fieldValidation` query parameter), so it leaves validation to the server.
import { createHash } from "node:crypto";
import { apiVersionOf, RESOURCES, type Obj, type Resource } from "./codec.ts";
import { VERBS, VERSION } from "./discovery.ts";
import { closure, SCALAR_DEFINITIONS, typeOfKind, type Field, type FieldType, type Scalar, type TypeDef } from "./schema.ts";

const REF = "#/components/schemas/";
const refTo = (name: string) => ({ $ref: `${REF}${name}` });

function scalarSchema(type: Scalar): Obj {
  const defined = SCALAR_DEFINITIONS[type];
  if (defined) return { allOf: [refTo(defined.name)] };
  if (type === "boolean") return { type: "boolean" };
  if (type === "int32" || type === "int64") return { type: "integer", format: type };
  return { type: "string" };
}

function itemSchema(item: Scalar | { ref: string }): Obj {
  if (typeof item === "string") return { ...scalarSchema(item), default: item === "string" ? "" : undefined };
  return { allOf: [refTo(item.ref)], default: {} };
}

function typeSchema(type: FieldType): Obj {
  if (typeof type === "string") return scalarSchema(type);
  if ("ref" in type) return { allOf: [refTo(type.ref)], default: {} };
  if ("array" in type) return { type: "array", items: itemSchema(type.array) };
  return { type: "object", additionalProperties: type.map === "string" ? { type: "string", default: "" } : itemSchema("quantity") };
}

function property(f: Field): Obj {
  const schema: Obj = { ...typeSchema(f.type), description: f.description };
  if (f.pointer && typeof f.type === "object" && "ref" in f.type) delete schema.default;
  if (f.enum) Object.assign(schema, { enum: f.enum });
  if (f.listType) schema["x-kubernetes-list-type"] = f.listType;
  if (f.listMapKeys) schema["x-kubernetes-list-map-keys"] = f.listMapKeys;
  if (f.mergeKey) schema["x-kubernetes-patch-merge-key"] = f.mergeKey;
  if (f.patchStrategy) schema["x-kubernetes-patch-strategy"] = f.patchStrategy;
  return schema;
}

function definition(t: TypeDef): Obj {
  const required = t.fields.filter((f) => f.required).map((f) => f.name);
  return {
    description: t.description,
    type: "object",
    ...(required.length ? { required } : {}),
    properties: Object.fromEntries(t.fields.map((f) => [f.name, property(f)])),
    ...(t.gvk ? { "x-kubernetes-group-version-kind": [t.gvk] } : {}),
  };
}

const scalarDefinitions = (): Obj =>
  Object.fromEntries(
    Object.entries(SCALAR_DEFINITIONS).map(([type, d]) => [
      d!.name,
      type === "quantity" ? { description: d!.description, oneOf: [{ type: "string" }, { type: "number" }] } : { description: d!.description, type: "string", format: type === "intOrString" ? "int-or-string" : "date-time" },
    ]),
  );

// ---------------------------------------------------------------------------------------------
// paths

const query = (name: string, description: string, type = "string"): Obj => ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const PATH_PARAMETERS = {
  namespace: { name: "namespace", in: "path", required: true, description: "object name and auth scope, such as for teams and projects", schema: { type: "string", uniqueItems: true } },
  name: (kind: string) => ({ name: "name", in: "path", required: true, description: `name of the ${kind}`, schema: { type: "string", uniqueItems: true } }),
};
const WRITE_PARAMETERS = [
  query("dryRun", "When present, indicates that modifications should not be persisted. The only valid value is All."),
  query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown fields: Ignore, Warn (the default) or Strict."),
];
const LIST_PARAMETERS = [
  query("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
  query("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
  query("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
  query("continue", "The continue option should be set when retrieving more results from the server."),
  query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", "boolean"),
  query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", "boolean"),
  query("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
];
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

const json = (name: string) => ({ content: { "application/json": { schema: refTo(name) } } });

function operation(id: string, action: string, gvk: TypeDef["gvk"], response: string, extra: Obj = {}): Obj {
  return {
    operationId: id,
    responses: { "200": { description: "OK", ...json(response) }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    ...extra,
  };
}

function resourcePaths(r: Resource): Obj {
  const t = typeOfKind(r.kind);
  const gvk = t.gvk!;
  const base = `/${r.group ? "apis" : "api"}/${apiVersionOf(r)}`;
  const id = (verb: string, suffix = "") => `${verb}${r.group ? "Apps" : "Core"}V1${suffix}${r.kind}`;
  const verbs = new Set(VERBS[r.kind]);
  const body = (name: string, types = ["application/json"]) => ({ requestBody: { required: true, content: Object.fromEntries(types.map((m) => [m, { schema: types.length > 1 ? { type: "object" } : refTo(name) }])) } });
  const collection: Obj = { parameters: [PATH_PARAMETERS.namespace] };
  if (verbs.has("list")) collection.get = operation(id("list", "Namespaced"), "list", gvk, `${t.name}List`, { parameters: LIST_PARAMETERS });
  if (verbs.has("create")) collection.post = operation(id("create", "Namespaced"), "post", gvk, t.name, { parameters: WRITE_PARAMETERS, ...body(t.name) });
  const item: Obj = { parameters: [PATH_PARAMETERS.name(r.kind), PATH_PARAMETERS.namespace] };
  if (verbs.has("get")) item.get = operation(id("read", "Namespaced"), "get", gvk, t.name);
  if (verbs.has("update")) item.put = operation(id("replace", "Namespaced"), "put", gvk, t.name, { parameters: WRITE_PARAMETERS, ...body(t.name) });
  if (verbs.has("patch")) item.patch = operation(id("patch", "Namespaced"), "patch", gvk, t.name, { parameters: WRITE_PARAMETERS, ...body(t.name, PATCH_TYPES) });
  if (verbs.has("delete")) item.delete = operation(id("delete", "Namespaced"), "delete", gvk, "io.k8s.apimachinery.pkg.apis.meta.v1.Status", { parameters: [WRITE_PARAMETERS[0], query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer"), query("propagationPolicy", "Whether and how garbage collection will be performed.")] });
  const paths: Obj = {
    [`${base}/${r.plural}`]: { get: operation(id("list", "ForAllNamespaces"), "list", gvk, `${t.name}List`, { parameters: LIST_PARAMETERS }) },
    [`${base}/namespaces/{namespace}/${r.plural}`]: collection,
    [`${base}/namespaces/{namespace}/${r.plural}/{name}`]: item,
  };
  if (r.group === "apps") {
    const scale = typeOfKind("Scale");
    paths[`${base}/namespaces/{namespace}/${r.plural}/{name}/scale`] = {
      parameters: [PATH_PARAMETERS.name("Scale"), PATH_PARAMETERS.namespace],
      get: operation(id("read", "Namespaced") + "Scale", "get", scale.gvk, scale.name),
      put: operation(id("replace", "Namespaced") + "Scale", "put", scale.gvk, scale.name, { parameters: WRITE_PARAMETERS, ...body(scale.name) }),
      patch: operation(id("patch", "Namespaced") + "Scale", "patch", scale.gvk, scale.name, { parameters: WRITE_PARAMETERS, ...body(scale.name, PATCH_TYPES) }),
    };
  }
  return paths;
}

/** The OpenAPI v3 document of one group-version (`v1` or `apps/v1`). */
function groupVersionDocument(groupVersion: string): Obj {
  const resources = RESOURCES.filter((r) => apiVersionOf(r) === groupVersion);
  const roots = [
    ...resources.flatMap((r) => [typeOfKind(r.kind).name, typeOfKind(`${r.kind}List`).name]),
    typeOfKind("Status").name,
    typeOfKind("DeleteOptions").name,
    ...(groupVersion === "apps/v1" ? [typeOfKind("Scale").name] : [typeOfKind("Namespace").name, typeOfKind("NamespaceList").name]),
  ];
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: VERSION.gitVersion },
    paths: Object.assign({}, ...resources.map(resourcePaths)),
    components: { schemas: { ...Object.fromEntries(closure(roots).map((t) => [t.name, definition(t)])), ...scalarDefinitions() } },
  };
}

interface Served {
  path: string;
  body: string;
  hash: string;
}

const GROUP_VERSIONS = [...new Set(RESOURCES.map(apiVersionOf))];

const served: Served[] = GROUP_VERSIONS.map((gv) => {
  const body = JSON.stringify(groupVersionDocument(gv));
  return { path: gv === "v1" ? "api/v1" : `apis/${gv}`, body, hash: createHash("sha512").update(body).digest("hex").toUpperCase() };
});

/** `/openapi/v3` (the index) or `/openapi/v3/<group-version path>`: the JSON text, or null when `path` is neither. */
export function openApiV3(path: string): string | null {
  if (path === "/openapi/v3") return JSON.stringify({ paths: Object.fromEntries(served.map((s) => [s.path, { serverRelativeURL: `/openapi/v3/${s.path}?hash=${s.hash}` }])) });
  return served.find((s) => path === `/openapi/v3/${s.path}`)?.body ?? null;
}
