import { describe, expect, it } from "vitest";
import { ownerDeletion, podDeletion } from "../../../src/domain/deletion.ts";
import { nextGeneration, pauseEdit, replaceAnnotations, restartEdit, resumeEdit, rollbackEdit, scaleEdit, setImageEdit, updateEdit, withChangeCause, type DeploymentEdit } from "../../../src/domain/edits.ts";
import { mergeFieldErrors } from "../../../src/domain/field-errors.ts";
import { reportedPodStatus } from "../../../src/domain/pod-status.ts";
import { Refusal, checkPrecondition } from "../../../src/domain/refusals.ts";
import { isStorableText, unstorableTextErrors } from "../../../src/domain/storable-text.ts";
import type { Deployment, Pod } from "../../../src/domain/types.ts";
import { at, deployment, pod, replicaSet, template } from "./deployment-fixtures.ts";

/** The refusal `edit` throws, as [code, message, fields]. */
function refusal(edit: () => unknown): [string, string, string[]] {
  try {
    edit();
  } catch (err) {
    if (err instanceof Refusal) return [err.code, err.message, err.fieldErrors.map((e) => e.field)];
    throw err;
  }
  throw new Error("expected a refusal");
}

const images = (edit: DeploymentEdit) => edit.spec.template.spec.containers.map((c) => c.image);

describe("storable text", () => {
  it.each([
    ["plain", true],
    ["emoji 🚀 (a surrogate pair)", true],
    ["nul \u0000", false],
    ["lone high \ud800", false],
    ["lone low \udc00 after text", false],
    ["reversed pair \udc00\ud800", false],
  ])("%s → storable %s", (text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });

  it("reports each bad string at its path and a bad map key at the map's path", () => {
    const input = { metadata: { annotations: { ok: "x", "k\u0000": "v", note: "\ud800" } }, spec: { containers: [{ image: "a" }, { image: "b\u0000", args: ["x", "\u0000"] }] } };
    expect(unstorableTextErrors(input, "").map((e) => e.field)).toEqual([
      "metadata.annotations",
      "metadata.annotations.note",
      "spec.containers[1].image",
      "spec.containers[1].args[1]",
    ]);
    expect(unstorableTextErrors("\u0000", "image").map((e) => e.field)).toEqual(["image"]);
    expect(unstorableTextErrors(null, "x")).toEqual([]);
  });

  it("merges extra errors only where no enclosing field is already reported", () => {
    const e = (field: string) => ({ field, message: "m" });
    const merged = mergeFieldErrors([e("metadata.labels"), e("spec.a")], [e("metadata.labels.k"), e("spec.a[0]"), e("spec.ab"), e("spec.a"), e("image")]);
    expect(merged.map((x) => x.field)).toEqual(["metadata.labels", "spec.a", "spec.ab", "image"]);
  });
});

describe("generation and metadata", () => {
  it("bumps generation only when the spec differs semantically (key order and absent-vs-empty do not count)", () => {
    const d = deployment();
    expect(nextGeneration(3, d.spec, structuredClone(d.spec))).toBe(3);
    const reordered = Object.fromEntries(Object.entries(d.spec).reverse());
    expect(nextGeneration(3, d.spec, reordered)).toBe(3);
    expect(nextGeneration(3, { a: [], b: {} }, {})).toBe(3);
    expect(nextGeneration(3, d.spec, { ...d.spec, replicas: 4 })).toBe(4);
    expect(nextGeneration(3, d.spec, { ...d.spec, paused: true })).toBe(4);
  });

  it("replaces annotations but keeps the controller's deployment.kubernetes.io/* keys as stored", () => {
    const stored = { "deployment.kubernetes.io/revision": "4", "kubectl.kubernetes.io/last-applied-configuration": "{}", old: "x" };
    expect(replaceAnnotations(stored, { new: "y", "deployment.kubernetes.io/revision": "99", "deployment.kubernetes.io/other": "z" })).toEqual({
      new: "y",
      "deployment.kubernetes.io/revision": "4",
    });
    expect(withChangeCause({ a: "b" }, "why")).toEqual({ a: "b", "kubernetes.io/change-cause": "why" });
    expect(withChangeCause({ a: "b" }, null)).toEqual({ a: "b" });
  });

  it("checks a resourceVersion precondition only when one is given", () => {
    expect(() => checkPrecondition("Deployment", "web", "7", null)).not.toThrow();
    expect(() => checkPrecondition("Deployment", "web", "7", "7")).not.toThrow();
    expect(refusal(() => checkPrecondition("ReplicaSet", "web-1", "7", "6"))).toEqual([
      "CONFLICT",
      'Operation cannot be fulfilled on replicasets.apps "web-1": the object has been modified; please apply your changes to the latest version and try again',
      [],
    ]);
  });
});

describe("Deployment edits", () => {
  const spec = (d: Deployment) => ({ selector: d.spec.selector, template: d.spec.template, replicas: d.spec.replicas });

  it("update: normalizes the spec, replaces labels and annotations when given, and refuses a new selector", () => {
    const d = deployment({ annotations: { "deployment.kubernetes.io/revision": "2", a: "1" } });
    const kept = updateEdit(d, { spec: spec(d) });
    expect(kept.spec).toEqual(d.spec);
    expect([kept.labels, kept.annotations]).toEqual([d.metadata.labels, d.metadata.annotations]);
    const relabeled = updateEdit(d, { spec: spec(d), labels: { x: "y" }, annotations: {}, changeCause: "c" });
    expect(relabeled.labels).toEqual({ x: "y" });
    expect(relabeled.annotations).toEqual({ "deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "c" });
    const t = template("nginx:1", { app: "web", tier: "x" });
    expect(refusal(() => updateEdit(d, { spec: { selector: { matchLabels: { app: "web", tier: "x" } }, template: t } }))[2]).toEqual(["spec.selector"]);
    expect(refusal(() => updateEdit(d, { spec: { ...spec(d), replicas: -1 }, labels: { "a b": "c" }, changeCause: "\u0000" }))[2]).toEqual([
      "metadata.labels",
      "spec.replicas",
      "changeCause",
    ]);
  });

  it("setImage: changes one container, refuses an unknown one, and the same image is no edit at all", () => {
    const d = deployment({ image: "v1" });
    const edit = setImageEdit(d, "app", "v2", "bump");
    expect(images(edit)).toEqual(["v2"]);
    expect(edit.annotations["kubernetes.io/change-cause"]).toBe("bump");
    expect(images({ ...edit, spec: d.spec })).toEqual(["v1"]); // the Deployment itself is untouched
    expect(setImageEdit(d, "app", "v1", "ignored")).toEqual({ labels: d.metadata.labels, annotations: d.metadata.annotations, spec: d.spec, events: [] });
    expect(refusal(() => setImageEdit(d, "nope", "", null))).toEqual(["BAD_USER_INPUT", expect.any(String), ["container", "image"]]);
  });

  it("scale validates replicas; pause and resume refuse the state they would set", () => {
    expect(scaleEdit(deployment({ replicas: 3 }), 5).spec.replicas).toBe(5);
    expect(refusal(() => scaleEdit(deployment(), -1))[2]).toEqual(["replicas"]);
    expect(pauseEdit(deployment()).spec.paused).toBe(true);
    expect(refusal(() => pauseEdit(deployment({ paused: true })))).toEqual(["CONFLICT", 'Deployment "web" is already paused', []]);
    expect(resumeEdit(deployment({ paused: true })).spec.paused).toBe(false);
    expect(refusal(() => resumeEdit(deployment()))).toEqual(["CONFLICT", 'Deployment "web" is not paused', []]);
  });

  it("restart stamps the template with restartedAt and is refused while paused", () => {
    const edit = restartEdit(deployment(), at(90));
    expect(edit.spec.template.metadata.annotations).toEqual({ "kubectl.kubernetes.io/restartedAt": "2024-01-01T00:01:30.000Z" });
    expect(refusal(() => restartEdit(deployment({ paused: true }), at(0)))[0]).toBe("CONFLICT");
  });

  it("rollback: the target's template and annotations with a Normal event; same template skipped with an event; refusals", () => {
    const d = deployment({ image: "v2", annotations: { "deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "v2" } });
    const owned = [
      replicaSet("web-aaa", { revision: 1, image: "v1", annotations: { "kubernetes.io/change-cause": "v1" } }),
      replicaSet("web-bbb", { revision: 2, image: "v2" }),
    ];
    const back = rollbackEdit(d, owned, 0);
    expect(images(back)).toEqual(["v1"]);
    expect(back.spec.template.metadata.labels).toEqual({ app: "web" });
    expect(back.annotations).toEqual({ "deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "v1" });
    expect(back.events).toEqual([{ type: "Normal", reason: "DeploymentRollback", message: 'Rolled back deployment "web" to revision 1' }]);

    const skipped = rollbackEdit(d, owned, 2);
    expect([skipped.spec, skipped.annotations]).toEqual([d.spec, d.metadata.annotations]);
    expect(skipped.events).toEqual([
      { type: "Normal", reason: "DeploymentRollbackTemplateUnchanged", message: "skipped rollback (current template already matches revision 2)" },
    ]);

    expect(refusal(() => rollbackEdit(d, owned, 7))).toEqual(["NOT_FOUND", "unable to find specified revision 7 in history", []]);
    expect(refusal(() => rollbackEdit(d, [], 0))[0]).toBe("NOT_FOUND");
    expect(refusal(() => rollbackEdit(deployment({ paused: true }), owned, 1))).toEqual(["CONFLICT", "cannot rollback a paused deployment", []]);
  });
});

describe("deletion", () => {
  it.each([
    ["Background", null, [], { type: "remove" }],
    ["Foreground", null, [], { type: "finalize", finalizers: ["foregroundDeletion"] }],
    ["Orphan", null, ["x"], { type: "finalize", finalizers: ["x", "orphan"] }],
    ["Orphan", null, ["orphan"], { type: "finalize", finalizers: ["orphan"] }],
    ["Background", at(0), ["foregroundDeletion"], { type: "none" }],
    ["Foreground", at(0), ["orphan"], { type: "none" }],
  ] as const)("%s of an object deleting since %s with finalizers %j → %j", (policy, deletionTimestamp, finalizers, expected) => {
    expect(ownerDeletion({ deletionTimestamp, finalizers: [...finalizers] }, policy)).toEqual(expected);
  });

  const terminating = (since: number, grace: number): Pod => {
    const p = pod("p", "rs");
    p.metadata.deletionTimestamp = at(since);
    p.metadata.deletionGracePeriodSeconds = grace;
    return p;
  };

  it.each([
    ["a running pod, default grace", pod("p", "rs"), undefined, { type: "terminate", deletionTimestamp: at(10), gracePeriodSeconds: 30 }],
    ["a running pod, grace 5", pod("p", "rs"), 5, { type: "terminate", deletionTimestamp: at(10), gracePeriodSeconds: 5 }],
    ["a running pod, grace 0", pod("p", "rs"), 0, { type: "remove" }],
    ["a terminating pod, no grace given", terminating(0, 30), undefined, { type: "none" }],
    ["a terminating pod, a longer grace", terminating(0, 30), 60, { type: "none" }],
    ["a terminating pod, a grace ending at the same time", terminating(0, 30), 20, { type: "none" }],
    ["a terminating pod, a shorter grace", terminating(0, 30), 5, { type: "terminate", deletionTimestamp: at(10), gracePeriodSeconds: 5 }],
    ["a terminating pod, grace 0", terminating(0, 30), 0, { type: "remove" }],
  ] as const)("%s → %j", (_what, p, grace, expected) => {
    expect(podDeletion(p, grace, at(10))).toEqual(expected);
  });
});

describe("reportedPodStatus", () => {
  const twoContainers = (): Pod => {
    const p = pod("p", "rs", "Pending");
    p.status.ready = false;
    p.status.startTime = null;
    p.spec.containers = ["app", "side"].map((name) => ({ ...template().spec.containers[0], name, image: `${name}:1` }));
    return p;
  };

  it("first Running report: statuses for every container, Ready condition added, startTime set", () => {
    const status = reportedPodStatus(twoContainers(), { phase: "Running", ready: false, podIP: "10.0.0.1", containerStatuses: [{ name: "app", ready: true }] }, at(5));
    expect(status).toEqual({
      phase: "Running",
      ready: false,
      conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [side]", lastUpdateTime: null, lastTransitionTime: at(5) }],
      containerStatuses: [
        { name: "app", image: "app:1", ready: true, restartCount: 0, state: { waiting: null, running: { startedAt: at(5) }, terminated: null } },
        { name: "side", image: "side:1", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating", message: null }, running: null, terminated: null } },
      ],
      startTime: at(5),
      podIP: "10.0.0.1",
    });
  });

  it("keeps times while nothing flips, moves them when it does, and keeps what is not reported", () => {
    const p = twoContainers();
    p.status = reportedPodStatus(p, { phase: "Running", ready: true, podIP: "10.0.0.1", containerStatuses: [{ name: "app", ready: true, restartCount: 3 }, { name: "side", ready: true }] }, at(5));
    const again = reportedPodStatus(p, { phase: "Running", ready: true, containerStatuses: [{ name: "app", ready: true }] }, at(9));
    expect(again).toEqual(p.status);
    const flipped = reportedPodStatus(p, { phase: "Failed", ready: false, containerStatuses: [{ name: "app", ready: false }] }, at(12));
    expect(flipped.conditions[0]).toMatchObject({ status: "False", lastTransitionTime: at(12), message: "containers with unready status: [app]" });
    expect(flipped.containerStatuses[0]).toEqual({ name: "app", image: "app:1", ready: false, restartCount: 3, state: { waiting: null, running: null, terminated: { exitCode: 1, reason: "Error", finishedAt: at(12) } } });
    expect(flipped.containerStatuses[1]).toEqual(p.status.containerStatuses[1]);
    expect([flipped.startTime, flipped.podIP]).toEqual([at(5), "10.0.0.1"]);
    const waiting = reportedPodStatus(p, { phase: "Running", ready: false, containerStatuses: [{ name: "side", ready: false, waitingReason: "CrashLoopBackOff" }] }, at(20));
    expect(waiting.containerStatuses[1].state).toEqual({ waiting: { reason: "CrashLoopBackOff", message: null }, running: null, terminated: null });
  });

  it("keeps other conditions in place and a Pending pod without startTime", () => {
    const p = twoContainers();
    p.status.conditions = [{ type: "PodScheduled", status: "True", reason: null, message: null, lastUpdateTime: null, lastTransitionTime: at(1) }];
    const status = reportedPodStatus(p, { phase: "Pending", ready: false }, at(3));
    expect(status.conditions.map((c) => c.type)).toEqual(["PodScheduled", "Ready"]);
    expect(status.startTime).toBeNull();
  });
});
