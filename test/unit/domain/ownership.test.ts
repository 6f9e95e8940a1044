import { describe, it, expect } from "vitest";
import {
  adoptedOwnerReferences,
  claim,
  controllerRef,
  controllerRefTo,
  releasedOwnerReferences,
  type ClaimOwner,
} from "../../../src/domain/ownership.ts";
import type { OwnerReference, StringMap } from "../../../src/domain/types.ts";

const rs: ClaimOwner = { uid: "rs-1", kind: "ReplicaSet", name: "web-abc", deleting: false };
const otherRef: OwnerReference = { kind: "ReplicaSet", name: "other", uid: "rs-2", controller: true };
const ourRef = controllerRefTo(rs);
const selects = (labels: StringMap) => labels.app === "web";

function obj(name: string, labels: StringMap, ownerReferences: OwnerReference[], deleting = false) {
  return {
    name,
    metadata: { labels, ownerReferences, deletionTimestamp: deleting ? new Date(0) : null },
  };
}

const names = (xs: { name: string }[]) => xs.map((x) => x.name);

describe("controllerRef", () => {
  it("returns the reference with controller=true, ignoring plain owner references", () => {
    const plain: OwnerReference = { kind: "Deployment", name: "d", uid: "d-1", controller: false };
    expect(controllerRef({ ownerReferences: [plain, ourRef] })).toEqual(ourRef);
    expect(controllerRef({ ownerReferences: [plain] })).toBeNull();
    expect(controllerRef({ ownerReferences: [] })).toBeNull();
  });

  it("controllerRefTo makes a controller reference to the owner", () => {
    expect(controllerRefTo({ kind: "Deployment", name: "web", uid: "d-9" })).toEqual({
      kind: "Deployment",
      name: "web",
      uid: "d-9",
      controller: true,
    });
  });
});

describe("claim", () => {
  const candidates = [
    obj("owned-match", { app: "web" }, [ourRef]),
    obj("owned-nomatch", { app: "api" }, [ourRef]),
    obj("orphan-match", { app: "web" }, []),
    obj("orphan-nomatch", { app: "api" }, []),
    obj("orphan-match-deleting", { app: "web" }, [], true),
    obj("other-match", { app: "web" }, [otherRef]),
    obj("other-nomatch", { app: "api" }, [otherRef]),
    obj("owned-match-deleting", { app: "web" }, [ourRef], true),
  ];

  it("keeps owned+matching, releases owned+not matching, adopts matching live orphans, ignores others' objects", () => {
    const result = claim(rs, selects, candidates);
    expect(names(result.owned)).toEqual(["owned-match", "owned-match-deleting"]);
    expect(names(result.release)).toEqual(["owned-nomatch"]);
    expect(names(result.adopt)).toEqual(["orphan-match"]);
  });

  it("an owner being deleted neither adopts nor releases, but still owns what matches", () => {
    const result = claim({ ...rs, deleting: true }, selects, candidates);
    expect(names(result.owned)).toEqual(["owned-match", "owned-match-deleting"]);
    expect(result.release).toEqual([]);
    expect(result.adopt).toEqual([]);
  });

  it("a non-controller owner reference to us does not make the object ours: it is an orphan", () => {
    const plain = obj("plain-ref", { app: "web" }, [{ ...ourRef, controller: false }]);
    expect(names(claim(rs, selects, [plain]).adopt)).toEqual(["plain-ref"]);
  });
});

describe("owner reference edits", () => {
  it("adoption keeps other references and adds the controller reference", () => {
    const plain: OwnerReference = { kind: "Deployment", name: "x", uid: "x-1", controller: false };
    expect(adoptedOwnerReferences({ ownerReferences: [plain] }, rs)).toEqual([plain, ourRef]);
  });

  it("adoption replaces a stale non-controller reference to the same owner", () => {
    const stale = { ...ourRef, controller: false };
    expect(adoptedOwnerReferences({ ownerReferences: [stale] }, rs)).toEqual([ourRef]);
  });

  it("release removes only the owner's reference", () => {
    const plain: OwnerReference = { kind: "Deployment", name: "x", uid: "x-1", controller: false };
    expect(releasedOwnerReferences({ ownerReferences: [plain, ourRef] }, rs.uid)).toEqual([plain]);
  });
});
