// The three patch types of the Kubernetes API as pure functions over JSON values:
// - JSON merge patch (RFC 7386): maps merge, null deletes, anything else replaces;
// - JSON patch (RFC 6902): add, remove, replace, move, copy, test;
// - strategic merge patch: a merge patch where the lists that upstream's types mark with a merge
//   key merge element by element (containers by name, ...), with the directives kubectl sends
//   (`$patch: replace|delete`, `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`).
// A patch that cannot apply throws PatchError (the API answers it with 422 or 400).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export class PatchError extends Error {
  override readonly name = "PatchError";
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T extends Json>(v: T): T => structuredClone(v);

export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = jsonMergePatch(out[key] ?? null, value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON patch

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: JsonObject | Json[]; key: string } {
  let node: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
    if (next === undefined || next === null || typeof next !== "object") throw new PatchError(`path ${JSON.stringify(path)} does not exist`);
    node = next;
  }
  if (node === null || typeof node !== "object") throw new PatchError(`path ${JSON.stringify(path)} does not exist`);
  return { parent: node, key: tokens[tokens.length - 1] };
}

function arrayIndex(list: Json[], key: string, path: string, forInsert: boolean): number {
  if (forInsert && key === "-") return list.length;
  const i = Number(key);
  if (!/^(0|[1-9]\d*)$/.test(key) || i > list.length || (!forInsert && i === list.length)) throw new PatchError(`index out of range in ${JSON.stringify(path)}`);
  return i;
}

function get(doc: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, path);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, key, path, false)] : parent[key];
  if (value === undefined) throw new PatchError(`path ${JSON.stringify(path)} does not exist`);
  return value;
}

function remove(doc: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) throw new PatchError("cannot remove the whole document");
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, path, false), 1)[0];
  if (!(key in parent)) throw new PatchError(`path ${JSON.stringify(path)} does not exist`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function add(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, path, !replace);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent)) throw new PatchError(`path ${JSON.stringify(path)} does not exist`);
    parent[key] = value;
  }
  return doc;
}

export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch must be a list of operations");
  let doc = clone(target);
  for (const raw of operations as Operation[]) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") throw new PatchError("each operation needs an op and a path");
    const value = raw.value === undefined ? undefined : clone(raw.value);
    switch (raw.op) {
      case "add":
      case "replace":
        if (value === undefined) throw new PatchError(`${raw.op} needs a value`);
        doc = add(doc, raw.path, value, raw.op === "replace");
        break;
      case "remove":
        remove(doc, raw.path);
        break;
      case "move":
      case "copy": {
        if (typeof raw.from !== "string") throw new PatchError(`${raw.op} needs a from`);
        const moved = raw.op === "move" ? remove(doc, raw.from) : clone(get(doc, raw.from));
        doc = add(doc, raw.path, moved, false);
        break;
      }
      case "test":
        if (JSON.stringify(get(doc, raw.path)) !== JSON.stringify(raw.value ?? null)) throw new PatchError(`test failed at ${JSON.stringify(raw.path)}`);
        break;
      default:
        throw new PatchError(`unknown operation ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/**
 * Where a kind's strategic merge patch merges lists, by field path (list indices left out):
 * upstream's `patchMergeKey` tags (lists whose elements merge by that key) and `patchStrategy:
 * merge` on lists of scalars (merged as sets). Other lists are replaced. The REST facade derives it
 * from its description of the kinds.
 */
export interface PatchMetadata {
  mergeKeys: Readonly<Record<string, string>>;
  setLists: readonly string[];
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export function strategicMergePatch(target: Json, patch: Json, meta: PatchMetadata): Json {
  return mergeMap(isObject(target) ? target : {}, patch, "", meta);
}

function mergeMap(target: JsonObject, patch: Json, path: string, meta: PatchMetadata): Json {
  if (!isObject(patch)) throw new PatchError(`${path || "the patch"}: a strategic merge patch must be an object`);
  const directive = patch.$patch;
  if (directive === "replace") {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (directive === "delete") return null;
  if (directive !== undefined) throw new PatchError(`${path}: unknown $patch directive ${JSON.stringify(directive)}`);
  const out: JsonObject = clone(target);
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$retainKeys") continue;
    if (key.startsWith("$setElementOrder/")) continue; // applied below, after the list merged
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const list = key.slice("$deleteFromPrimitiveList/".length);
      const drop = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(out[list])) out[list] = (out[list] as Json[]).filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    const fieldPath = join(path, key);
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(Array.isArray(out[key]) ? (out[key] as Json[]) : [], value, fieldPath, meta);
    else if (isObject(value)) {
      const merged = mergeMap(isObject(out[key]) ? (out[key] as JsonObject) : {}, value, fieldPath, meta);
      if (merged === null) delete out[key];
      else out[key] = merged;
    } else out[key] = value;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith("$setElementOrder/")) continue;
    const list = key.slice("$setElementOrder/".length);
    const mergeKey = meta.mergeKeys[join(path, list)];
    if (Array.isArray(out[list]) && Array.isArray(order)) out[list] = ordered(out[list] as Json[], order, mergeKey);
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  return out;
}

const keyOf = (item: Json, mergeKey: string | undefined): string => JSON.stringify(mergeKey && isObject(item) ? item[mergeKey] : item);

/** The list in `order`'s order (by merge key), with items `order` does not name kept after them. */
function ordered(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const rank = new Map(order.map((o, i) => [keyOf(o, mergeKey), i]));
  const named = list.filter((item) => rank.has(keyOf(item, mergeKey))).sort((a, b) => rank.get(keyOf(a, mergeKey))! - rank.get(keyOf(b, mergeKey))!);
  return [...named, ...list.filter((item) => !rank.has(keyOf(item, mergeKey)))];
}

function mergeList(target: Json[], patch: Json[], path: string, meta: PatchMetadata): Json[] {
  const mergeKey = meta.mergeKeys[path];
  if (meta.setLists.includes(path)) {
    const seen = new Set(target.map((v) => JSON.stringify(v)));
    return [...target, ...patch.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  if (!mergeKey) {
    if (patch.some((item) => isObject(item) && item.$patch === "replace")) return clone(patch.filter((item) => !(isObject(item) && item.$patch)));
    return clone(patch);
  }
  if (patch.some((item) => isObject(item) && item.$patch === "replace")) {
    return clone(patch.filter((item) => !(isObject(item) && item.$patch === "replace")));
  }
  const out = clone(target);
  for (const item of patch) {
    if (!isObject(item) || !(mergeKey in item)) throw new PatchError(`${path}: every element needs its merge key ${JSON.stringify(mergeKey)}`);
    const at = out.findIndex((o) => isObject(o) && JSON.stringify(o[mergeKey]) === JSON.stringify(item[mergeKey]));
    if (item.$patch === "delete") {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = mergeMap(out[at] as JsonObject, item, path, meta);
    else out.push(mergeMap({}, item, path, meta));
  }
  return out;
}
