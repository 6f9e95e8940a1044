// The apps/v1 + core/v1 REST facade (what kubectl speaks), one route on the GraphQL port: request
// decoding (path, query, body, content negotiation), then the verbs of objects.ts / watch.ts, and
// every failure as a Status. Authentication and authorisation are the one `authorize` call at the
// entry (auth.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChangeFeed } from "../db/change-feed.ts";
import type { Db } from "../db/client.ts";
import { isPageKey } from "../db/pages.ts";
import type { DeletionPropagation } from "../domain/deletion.ts";
import { FieldSelectorError, parseFieldSelector } from "../domain/fields.ts";
import { parseSelector, SelectorParseError } from "../domain/labels.ts";
import { bodyRefusal, MAX_BODY_BYTES, sendJson } from "../http/respond.ts";
import type { Auth } from "../auth/plugin.ts";
import type { Logger } from "../log.ts";
import { authorize } from "./auth.ts";
import { apiVersionOf, RESOURCES, type Obj, type Resource } from "./codec.ts";
import { discovery, namespaceJson, namespaceList } from "./discovery.ts";
import { openApiV3 } from "./openapi.ts";
import { fieldValidationOf, validateFields, type FieldValidation } from "./field-validation.ts";
import { decodeProtobuf, PROTOBUF, ProtobufError } from "./protobuf.ts";
import * as objects from "./objects.ts";
import { badRequest, methodNotAllowed, notFound, statusOf, StatusError } from "./status.ts";
import { table, type IncludeObject } from "./table.ts";
import { serveWatch, type WatchHub } from "./watch.ts";

export interface KubeServices {
  db: Db;
  feed: ChangeFeed;
  log: Logger;
  /** the same token checks as GraphQL */
  auth: Auth;
  /** the subscription hub GraphQL's watch uses: REST watches share its one feed read per batch */
  hub: WatchHub;
}

const PREFIXES = ["/api", "/apis", "/version", "/openapi"];

/** The REST facade as a server route: claims /api, /apis and /version. */
export function kubeRoute(services: KubeServices) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (!PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return false;
    void handle(services, req, res, path).catch((err) => {
      const status = err instanceof StatusError ? err : null;
      if (!status) services.log.error("kube request failed", { method: req.method, path, err: String(err) });
      const answer = status ?? new StatusError(500, "InternalError", "an internal error occurred");
      if (!res.headersSent) sendJson(res, answer.code, answer.body);
      else res.end();
    });
    return true;
  };
}

interface Target {
  resource: Resource;
  namespace: string | null;
  name: string | null;
  subresource: string | null;
}

/** /api/v1/… or /apis/apps/v1/…: [namespaces/NS/]PLURAL[/NAME[/SUB]] */
function target(path: string): Target | null {
  const m = /^\/(?:api\/v1|apis\/apps\/v1)\/(.+)$/.exec(path);
  if (!m) return null;
  const groupVersion = path.startsWith("/apis/") ? "apps/v1" : "v1";
  let parts = m[1].split("/").map(decodeURIComponent);
  let namespace: string | null = null;
  if (parts[0] === "namespaces" && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  if (parts.length > 3) return null;
  const resource = RESOURCES.find((r) => r.plural === parts[0] && apiVersionOf(r) === groupVersion);
  if (!resource) return null;
  return { resource, namespace, name: parts[1] ?? null, subresource: parts[2] ?? null };
}

const JSON_TYPES = ["application/json", ...objects.PATCH_TYPES];

/** The body's bytes, within the body cap, and its media type. */
async function readBytes(req: IncomingMessage): Promise<{ type: string; bytes: Buffer }> {
  const type = (req.headers["content-type"] ?? "application/json").split(";")[0].trim();
  if (type !== PROTOBUF && type !== "application/json" && !type.endsWith("+json")) {
    throw new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${[...JSON_TYPES, PROTOBUF].join(", ")}`);
  }
  const refusal = bodyRefusal(req);
  if (refusal) throw new StatusError(refusal.status, refusal.status === 413 ? "RequestEntityTooLarge" : "BadRequest", refusal.message);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new StatusError(413, "RequestEntityTooLarge", `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return { type, bytes: Buffer.concat(chunks) };
}

/** A body of `kind` in JSON or protobuf, with the paths of the fields the kinds' description does not know. */
async function readBody(req: IncomingMessage, kind: string): Promise<{ value: unknown; unknown: string[] }> {
  const { type, bytes } = await readBytes(req);
  if (type === PROTOBUF) {
    try {
      const { object, unknown } = decodeProtobuf(bytes, kind);
      return { value: object, unknown };
    } catch (err) {
      if (err instanceof ProtobufError) throw badRequest(`the request body is not a ${kind} in protobuf: ${err.message}`);
      throw err;
    }
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") return { value: null, unknown: [] };
  try {
    return { value: JSON.parse(text), unknown: [] };
  } catch {
    throw badRequest("the request body is not JSON");
  }
}

/** A JSON body that is not an object of a kind: a patch. */
async function readPatch(req: IncomingMessage): Promise<unknown> {
  const { type, bytes } = await readBytes(req);
  if (type === PROTOBUF) throw new StatusError(415, "UnsupportedMediaType", `a patch is JSON: ${objects.PATCH_TYPES.join(", ")}`);
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw badRequest("the patch is not JSON");
  }
}

function listOptions(q: URLSearchParams, r: Resource, namespace: string | null): objects.ListQuery {
  let labels;
  try {
    labels = parseSelector(q.get("labelSelector") ?? "");
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(`unable to parse requirement: ${err.message}`);
    throw err;
  }
  let fields;
  try {
    fields = parseFieldSelector(q.get("fieldSelector") ?? "");
  } catch (err) {
    if (err instanceof FieldSelectorError) throw badRequest(err.message);
    throw err;
  }
  objects.checkFields(r, fields);
  const limit = Number(q.get("limit") ?? objects.MAX_LIST);
  if (!Number.isSafeInteger(limit) || limit < 0) throw badRequest("limit must be a non-negative integer");
  return { namespace, labels, fields, limit: Math.min(limit || objects.MAX_LIST, objects.MAX_LIST), after: continueToken(q.get("continue"), r) };
}

/** A list's `continue`: the last key listed and how many objects the pages so far held. */
const encodeContinue = (after: objects.After) => Buffer.from(JSON.stringify(after)).toString("base64url");

function continueToken(token: string | null, r: Resource): objects.After | null {
  if (!token) return null;
  try {
    const after = JSON.parse(Buffer.from(token, "base64url").toString()) as objects.After;
    if (isPageKey(r.kind, after.key) && Number.isSafeInteger(after.listed) && after.listed >= 0) return after;
  } catch {
    // fall through
  }
  throw badRequest("continue is not a token returned by this list");
}

/** `application/json;as=Table;v=v1;g=meta.k8s.io` first in Accept (kubectl's server-side printing). */
function wantsTable(req: IncomingMessage): boolean {
  const first = (req.headers.accept ?? "").split(",")[0];
  return /as=Table/.test(first) && /g=meta\.k8s\.io/.test(first) && /v=v1(;|$)/.test(first.replace(/\s/g, ""));
}

const INCLUDE: Record<string, IncludeObject> = { None: "None", Metadata: "Metadata", Object: "Object" };

async function handle(services: KubeServices, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const openapi = openApiV3(path);
  const doc = openapi === null ? discovery(path) : null;
  const t = doc || openapi !== null ? null : target(path);
  const namespaceOfPath = /^\/api\/v1\/namespaces\/([^/]+)/.exec(path);
  const denied = await authorize(services.auth, req, t?.namespace ?? (namespaceOfPath ? decodeURIComponent(namespaceOfPath[1]) : null), doc !== null || (t === null && namespaceOfPath === null));
  if (denied) return sendJson(res, denied.code, denied.body);
  if (openapi !== null) {
    if (req.method !== "GET") throw methodNotAllowed(`${req.method} is not supported on ${path}`);
    res.writeHead(200, { "content-type": "application/json" });
    return void res.end(openapi);
  }
  if (doc) {
    if (req.method !== "GET") throw methodNotAllowed(`${req.method} is not supported on ${path}`);
    return sendJson(res, 200, doc);
  }
  const namespace = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(path);
  if (namespace && req.method === "GET") return sendJson(res, 200, namespace[1] ? namespaceJson(decodeURIComponent(namespace[1])) : await namespaceList(services.db));
  if (!t) return sendJson(res, 404, new StatusError(404, "NotFound", "the server could not find the requested resource").body);
  const { resource: r } = t;
  const url = new URL(req.url ?? "/", "http://localhost");
  const q = url.searchParams;
  const dryRun = q.getAll("dryRun").includes("All");
  if (q.has("dryRun") && !dryRun) throw badRequest(`unsupported dryRun: ${q.get("dryRun")}`);
  const now = new Date();
  const asTable = wantsTable(req);
  const include = INCLUDE[q.get("includeObject") ?? ""] ?? "Metadata";
  const render = (o: Obj) => (asTable ? table(r.kind, [o], { resourceVersion: (o.metadata as Obj).resourceVersion }, include, now) : o);
  const name = t.name ?? "";
  const key = { namespace: t.namespace ?? "", name };
  const write: WriteContext = { dryRun, validation: fieldValidationOf(q), warnings: [] };
  const send = (status: number, body: unknown) => {
    if (write.warnings.length) res.setHeader("Warning", write.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    sendJson(res, status, body);
  };
  try {
    if (t.name === null) {
      if (req.method === "GET") {
        const options = listOptions(q, r, t.namespace);
        if (q.get("watch") === "1" || q.get("watch") === "true") {
          return serveWatch(services, req, res, {
            resource: r,
            namespace: t.namespace,
            labels: options.labels,
            fields: options.fields,
            resourceVersion: q.get("resourceVersion") ?? undefined,
            bookmarks: q.get("allowWatchBookmarks") === "true",
            timeoutSeconds: Number(q.get("timeoutSeconds") ?? 1800) || 1800,
            encode: (o) => (asTable ? table(r.kind, [o], {}, include, new Date()) : o),
          });
        }
        const page = await objects.list(services.db, r, options);
        const listMeta = {
          resourceVersion: page.resourceVersion,
          ...(page.next ? { continue: encodeContinue(page.next) } : {}),
          ...(page.remaining !== null ? { remainingItemCount: page.remaining } : {}),
        };
        if (asTable) return sendJson(res, 200, table(r.kind, page.items, listMeta, include, now));
        return sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: listMeta, items: page.items });
      }
      if (req.method === "POST" && t.namespace !== null) {
        const body = checked(r.kind, await readBody(req, r.kind), write) as { metadata?: { name?: string } } | null;
        key.name = body?.metadata?.name ?? "";
        return send(201, render(await objects.create(services.db, r, t.namespace, body, { dryRun })));
      }
      throw methodNotAllowed(`${req.method} is not supported on the collection ${path}`);
    }
    if (t.namespace === null) throw notFound(r, name);
    if (t.subresource === "scale" && (r.kind === "Deployment" || r.kind === "ReplicaSet")) return await scale(services, req, send, r, key, write);
    if (t.subresource !== null) return sendJson(res, 404, new StatusError(404, "NotFound", "the server could not find the requested resource").body);
    switch (req.method) {
      case "GET":
        return sendJson(res, 200, render(await objects.get(services.db, r, key)));
      case "PUT":
        return send(200, render(await objects.update(services.db, r, key, checked(r.kind, await readBody(req, r.kind), write), { dryRun })));
      case "PATCH": {
        const type = patchType(req);
        const body = await readPatch(req);
        const revision = r.kind === "Deployment" && !dryRun ? await objects.rollbackRevision(services.db, key, type, body) : null;
        if (revision !== null) return send(200, render(await objects.rollback(services.db, key, revision)));
        const written = await objects.patch(services.db, r, key, type, body, (o) => objects.update(services.db, r, key, checked(r.kind, { value: o, unknown: [] }, write, "patched"), { dryRun }));
        return send(200, render(written));
      }
      case "DELETE": {
        const body = ((await readBody(req, "DeleteOptions")).value ?? {}) as { propagationPolicy?: string; gracePeriodSeconds?: number; dryRun?: string[] };
        const policy = (q.get("propagationPolicy") ?? body.propagationPolicy ?? "Background") as DeletionPropagation;
        if (!["Background", "Foreground", "Orphan"].includes(policy)) throw badRequest(`unsupported propagationPolicy: ${policy}`);
        const grace = q.get("gracePeriodSeconds") ?? body.gracePeriodSeconds;
        const options = { propagationPolicy: policy, gracePeriodSeconds: grace == null ? null : Number(grace), dryRun: dryRun || (body.dryRun ?? []).includes("All") };
        const still = await objects.remove(services.db, r, key, options);
        if (still) return sendJson(res, 200, still);
        return sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, group: r.group || undefined, kind: r.plural } });
      }
      default:
        throw methodNotAllowed(`${req.method} is not supported`);
    }
  } catch (err) {
    throw statusOf(err, r, key.name) ?? err;
  }
}

interface WriteContext {
  dryRun: boolean;
  validation: FieldValidation;
  /** Warning headers of the answer (Warn: one per unknown field dropped) */
  warnings: string[];
}

/** A written object of `kind` under the request's field validation: unknown fields refused, or dropped. */
function checked(kind: string, body: { value: unknown; unknown: string[] }, write: WriteContext, source: "decoded" | "patched" = "decoded"): unknown {
  const result = validateFields(kind, body.value, write.validation, source, body.unknown);
  write.warnings.push(...result.warnings);
  return result.body;
}

function patchType(req: IncomingMessage): objects.PatchType {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
  if ((objects.PATCH_TYPES as readonly string[]).includes(type)) return type as objects.PatchType;
  throw new StatusError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${objects.PATCH_TYPES.join(", ")}`);
}

async function scale(services: KubeServices, req: IncomingMessage, send: (status: number, body: unknown) => void, r: Resource, key: { namespace: string; name: string }, write: WriteContext): Promise<void> {
  const current = () => objects.get(services.db, r, key).then(objects.scaleJson);
  const { dryRun } = write;
  switch (req.method) {
    case "GET":
      return send(200, await current());
    case "PUT":
      return send(200, await objects.writeScale(services.db, r, key, checked("Scale", await readBody(req, "Scale"), write), { dryRun }));
    case "PATCH": {
      const type = patchType(req);
      const body = await readPatch(req);
      const before = await current();
      const patched = checked("Scale", { value: objects.applyPatch(type, before, body), unknown: [] }, write, "patched") as { metadata?: { resourceVersion?: string } };
      // the version read is a precondition only when the patch set it (status writes move it all the time)
      if (patched.metadata?.resourceVersion === (before.metadata as Obj).resourceVersion) delete patched.metadata!.resourceVersion;
      return send(200, await objects.writeScale(services.db, r, key, patched, { dryRun }));
    }
    default:
      throw methodNotAllowed(`${req.method} is not supported on scale`);
  }
}
