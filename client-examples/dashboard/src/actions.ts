// The editor actions, each a mutation behind a confirmation (ui.tsx ConfirmDialog).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { request, type Target } from "../../lib/connection.ts";
import { RollbackMutation, SetImageMutation } from "../../lib/operations.ts";
import { PauseMutation, RestartMutation, ResumeMutation, ScaleMutation } from "./operations.ts";
import type { PendingAction } from "./ui.tsx";

type Named = { name: string; namespace: string };

function simple(target: Target, document: TypedDocumentNode<unknown, Named>, title: string, d: Named): PendingAction {
  return { title, run: () => request(target, document, { name: d.name, namespace: d.namespace }) };
}

export const actions = {
  scale: (target: Target, d: Named, replicas: number): PendingAction => ({
    title: `Scale ${d.name}`,
    input: { label: "replicas", value: String(replicas), numeric: true },
    run: (value) => request(target, ScaleMutation, { ...d, replicas: Number(value) }),
  }),
  setImage: (target: Target, d: Named, container: string, image: string): PendingAction => ({
    title: `Set the image of container "${container}" of ${d.name}`,
    input: { label: "image", value: image },
    run: (value) => request(target, SetImageMutation, { ...d, container, image: value, changeCause: `dashboard: ${container}=${value}` }),
  }),
  pause: (target: Target, d: Named) => simple(target, PauseMutation, `Pause the rollout of ${d.name}?`, d),
  resume: (target: Target, d: Named) => simple(target, ResumeMutation, `Resume the rollout of ${d.name}?`, d),
  restart: (target: Target, d: Named) => simple(target, RestartMutation, `Restart every pod of ${d.name} (a new rollout)?`, d),
  rollback: (target: Target, d: Named, toRevision: number): PendingAction => ({
    title: `Roll ${d.name} back to revision ${toRevision}?`,
    run: () => request(target, RollbackMutation, { ...d, toRevision }),
  }),
};
