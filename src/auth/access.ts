// What a principal may do: roles in order (viewer < editor < admin) and its namespaces.
import { ROLES, type Principal, type Role } from "./tokens.ts";

export const hasRole = (principal: Principal | null, role: Role) => !!principal && ROLES.indexOf(principal.role) >= ROLES.indexOf(role);

/** Whether the principal may see and touch objects of this namespace. */
export const inNamespaces = (principal: Principal, namespace: string) => principal.namespaces === null || principal.namespaces.includes(namespace);
