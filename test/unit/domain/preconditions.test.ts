// DeleteOptions.preconditions: a delete goes ahead only on the object it names.
import { describe, expect, it } from "vitest";
import { checkDeletePreconditions, Refusal, type Preconditions } from "../../../src/domain/refusals.ts";

describe("checkDeletePreconditions", () => {
  const stored = { uid: "u-1", resourceVersion: "7" };
  it.each<[string, Preconditions | undefined, string | null]>([
    ["none given", undefined, null],
    ["empty", {}, null],
    ["nulls are unset", { uid: null, resourceVersion: null }, null],
    ["both met", { uid: "u-1", resourceVersion: "7" }, null],
    ["another uid (the name was reused)", { uid: "u-0" }, 'Operation cannot be fulfilled on deployments.apps "web": Precondition failed: UID in precondition: u-0, UID in object meta: u-1'],
    ["an older resourceVersion", { resourceVersion: "6" }, 'Operation cannot be fulfilled on deployments.apps "web": Precondition failed: ResourceVersion in precondition: 6, ResourceVersion in object meta: 7'],
  ])("%s", (_name, preconditions, message) => {
    const run = () => checkDeletePreconditions("Deployment", "web", stored, preconditions);
    if (message === null) return expect(run).not.toThrow();
    expect(run).toThrow(Refusal);
    expect(run).toThrow(message);
  });
});
