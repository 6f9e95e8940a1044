// The REST facade's one authentication and authorisation seam, called first for every request:
// the same tokens, roles, namespaces and mutation rate limit as GraphQL (src/auth/). Reads need
// a viewer, writes an editor; a namespaced token reaches only its namespaces (a cluster-wide list
// is Forbidden to it, as a RoleBinding-only user finds with a real cluster).
import type { IncomingMessage } from "node:http";
import { hasRole, inNamespaces } from "../auth/access.ts";
import type { Auth } from "../auth/plugin.ts";
import { StatusError } from "./status.ts";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The Status that refuses this request, or null to serve it. `namespace`: the request's (null: all). */
export async function authorize(auth: Auth, req: IncomingMessage, namespace: string | null, discovery: boolean): Promise<StatusError | null> {
  const { principal } = await auth.authenticate(req.headers.authorization ?? null);
  if (!principal) return new StatusError(401, "Unauthorized", "Unauthorized");
  const write = !READS.has(req.method ?? "GET");
  const verb = write ? "write" : "read";
  if (!hasRole(principal, write ? "editor" : "viewer")) {
    return new StatusError(403, "Forbidden", `the token "${principal.name}" (role ${principal.role}) may not ${verb} here`);
  }
  if (!discovery && principal.namespaces && (namespace === null || !inNamespaces(principal, namespace))) {
    return new StatusError(403, "Forbidden", `the token "${principal.name}" may not ${verb} ${namespace === null ? "across all namespaces" : `in namespace "${namespace}"`}`);
  }
  if (write) {
    const retryAfterSeconds = auth.takeMutation(principal, req.socket.remoteAddress);
    if (retryAfterSeconds) return new StatusError(429, "TooManyRequests", `too many writes: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
  return null;
}
