// Property-based fuzzing of every mutation family through the real schema and a real Postgres
// (in-process execution against one server, many inputs at a time, no controllers): whatever
// well-typed input a client sends, the answer is success or ONE typed error with a contract code
// (BAD_USER_INPUT with its field errors, NOT_FOUND, ALREADY_EXISTS, CONFLICT), never an internal
// error or an unhandled exception. Inputs mix plausible and hostile values (NUL characters,
// unpaired surrogates, int32 extremes, over-long names) so that both success and refusal paths run.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../../src/db/rows.ts";
import { startApiServer, deploymentSpec, type ApiServer, type GqlResult } from "./mutations-helpers.ts";

const INPUTS_PER_FAMILY = 2000;
const BATCH = 25;
const CODES = ["BAD_USER_INPUT", "NOT_FOUND", "ALREADY_EXISTS", "CONFLICT"];

let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer();
});
afterAll(async () => {
  await api.stop();
});

// ---------------------------------------------------------------------------------------------
// Generators: small, and biased towards values the rules care about.

const hostile = ["", " x", "A", "-a", "a..b", "a/b/c", "x\u0000y", "\ud800", "\udc00x", "a".repeat(64), "a".repeat(254), "é"];
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("web", "app", "side", "nginx:1.25", "v2", "tier", "example.com/team", "25%", "0%", "100%", "101%", "1") },
  { weight: 2, arbitrary: fc.constantFrom(...hostile) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);
const int = fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(-2147483648, 2147483647, 600, 10000, 10001, 65535, 65536));
// the IntOrString scalar takes -(2^31-1) .. 2^31-1
const intOrString = fc.oneof(int.filter((n) => n !== -2147483648), text);
const map = fc.dictionary(text, text, { maxKeys: 3, noNullPrototype: true });
const labelName = fc.constantFrom("web", "api", "db");
const optional = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { requiredKeys: [] });

// issue 10 §6: quantities (upstream's grammar, negative values) and env var names (syntax, duplicates)
const quantities = fc.dictionary(
  fc.constantFrom("cpu", "memory", "ephemeral-storage"),
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom("100m", "1.5Gi", "1e3", ".5", "-0", "+1", "-1Gi", "-100m", "lots", "1K", "1 Gi", "1e", "") }, { weight: 1, arbitrary: text }),
  { maxKeys: 2, noNullPrototype: true },
);
const envName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom("A", "MY.VAR-2", "_x", "1 bad", "1abc", "a=b") }, { weight: 1, arbitrary: text });

const container = fc.record(
  {
    name: fc.oneof(fc.constantFrom("app", "side", "app"), text),
    image: fc.oneof(fc.constantFrom("nginx:1.25", "busybox"), text),
    command: fc.array(text, { maxLength: 2 }),
    args: fc.array(text, { maxLength: 2 }),
    env: fc.array(fc.record({ name: envName, value: text }), { maxLength: 3 }),
    ports: fc.array(optional({ name: text, containerPort: int, protocol: fc.constantFrom("TCP", "UDP", "SCTP", "HTTP") }).map((p) => ({ containerPort: 80, ...p })), { maxLength: 2 }),
    resources: optional({ requests: fc.oneof(quantities, map), limits: fc.oneof(quantities, map) }),
  },
  { requiredKeys: ["name", "image"] },
);

const selector = optional({
  matchLabels: map,
  matchExpressions: fc.array(
    fc.record({ key: text, operator: fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist"), values: fc.array(text, { maxLength: 2 }) }, { requiredKeys: ["key", "operator"] }),
    { maxLength: 2 },
  ),
});

const strategy = optional({
  type: fc.constantFrom("RollingUpdate", "Recreate"),
  rollingUpdate: optional({ maxSurge: intOrString, maxUnavailable: intOrString }),
});

const specFields = {
  replicas: int,
  strategy,
  minReadySeconds: int,
  revisionHistoryLimit: int,
  progressDeadlineSeconds: int,
  paused: fc.boolean(),
};

/** Anything the GraphQL types allow. */
const arbitrarySpec = fc
  .record({
    selector,
    template: fc.record({
      metadata: optional({ labels: map, annotations: map }),
      spec: fc.record({ containers: fc.array(container, { maxLength: 3 }), terminationGracePeriodSeconds: int }, { requiredKeys: ["containers"] }),
    }),
    optionals: optional(specFields),
  })
  .map(({ optionals, ...spec }) => ({ ...spec, ...optionals }));

/** A consistent selector and template with random extras: sometimes valid. */
const plausibleSpec = fc
  .record({ app: labelName, containers: fc.array(container, { minLength: 1, maxLength: 2 }), optionals: optional(specFields), annotations: map })
  .map(({ app, containers, optionals, annotations }) => ({
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app }, annotations }, spec: { containers } },
    ...optionals,
  }));

/** Valid by construction (bar the odd both-zero rolling update), so that writes happen. */
const validMap = fc.dictionary(fc.constantFrom("team", "tier", "example.com/owner"), fc.constantFrom("a", "b", ""), { maxKeys: 2, noNullPrototype: true });
const validSpec = fc
  .record({
    app: labelName,
    containers: fc.uniqueArray(fc.record({ name: fc.constantFrom("app", "side", "web"), image: fc.constantFrom("nginx:1.25", "busybox", "v2") }), { minLength: 1, maxLength: 2, selector: (c) => c.name }),
    annotations: validMap,
    optionals: optional({
      replicas: fc.integer({ min: 0, max: 5 }),
      paused: fc.boolean(),
      minReadySeconds: fc.integer({ min: 0, max: 5 }),
      strategy: fc.oneof(
        fc.constant({ type: "Recreate" }),
        fc.record({ rollingUpdate: optional({ maxSurge: fc.constantFrom(0, 1, "25%", "0%"), maxUnavailable: fc.constantFrom(0, 1, "25%", "100%") }) }),
      ),
    }),
  })
  .map(({ app, containers, annotations, optionals }) => ({
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app }, annotations }, spec: { containers } },
    ...optionals,
  }));

const spec = fc.oneof({ weight: 3, arbitrary: validSpec }, { weight: 1, arbitrary: plausibleSpec }, { weight: 1, arbitrary: arbitrarySpec });
const deploymentName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("d0", "d1", "d2", "d3") }, { weight: 1, arbitrary: fc.constant("missing") }, { weight: 1, arbitrary: text });
/** valid names, mostly not taken yet */
const freshName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const namespace = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("default", "other", "Bad", "\u0000") });
const labelsOrAnnotations = fc.option(fc.oneof({ weight: 3, arbitrary: validMap }, { weight: 1, arbitrary: map }));
const metadata = (names: fc.Arbitrary<string>) => fc.record({ name: names, namespace, labels: labelsOrAnnotations, annotations: labelsOrAnnotations }, { requiredKeys: ["name"] });
const resourceVersion = fc.option(fc.oneof(fc.constantFrom("0", "1", "abc", "\u0000"), fc.bigInt({ min: 1n, max: 5000n }).map(String)), { freq: 2 });
const policy = fc.option(fc.constantFrom("Background", "Foreground", "Orphan"));

interface Request {
  query: string;
  variables: Record<string, unknown>;
}
const request = (query: string) => (variables: Record<string, unknown>): Request => ({ query, variables });
const FIELDS = "metadata { name namespace resourceVersion generation deletionTimestamp }";

// ---------------------------------------------------------------------------------------------
// Families.

const createDeployment = fc
  .record({ metadata: metadata(fc.oneof(deploymentName, freshName)), spec, dryRun: fc.option(fc.boolean()) })
  .map(request(`mutation($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!, $dryRun: Boolean) { createDeployment(metadata: $metadata, spec: $spec, dryRun: $dryRun) { ${FIELDS} } }`));

const updateDeployment = fc
  .record({
    namespace,
    name: deploymentName,
    spec,
    labels: labelsOrAnnotations,
    annotations: labelsOrAnnotations,
    resourceVersion,
    changeCause: fc.option(text),
    dryRun: fc.option(fc.boolean()),
  })
  .map(
    request(`mutation($namespace: String, $name: String!, $spec: DeploymentSpecInput!, $labels: StringMap, $annotations: StringMap, $resourceVersion: String, $changeCause: String, $dryRun: Boolean) {
      updateDeployment(namespace: $namespace, name: $name, spec: $spec, labels: $labels, annotations: $annotations, resourceVersion: $resourceVersion, changeCause: $changeCause, dryRun: $dryRun) { ${FIELDS} } }`),
  );

const byName = "$namespace: String, $name: String!";
const args = "namespace: $namespace, name: $name";
const deploymentOps = fc.oneof(
  fc
    .record({ namespace, name: deploymentName, container: fc.oneof(fc.constantFrom("app", "side"), text), image: text, resourceVersion, changeCause: fc.option(text) })
    .map(request(`mutation(${byName}, $container: String!, $image: String!, $resourceVersion: String, $changeCause: String) { setImage(${args}, container: $container, image: $image, resourceVersion: $resourceVersion, changeCause: $changeCause) { ${FIELDS} } }`)),
  fc.record({ namespace, name: deploymentName, replicas: int }).map(request(`mutation(${byName}, $replicas: Int!) { scaleDeployment(${args}, replicas: $replicas) { ${FIELDS} } }`)),
  fc.record({ namespace, name: deploymentName }).map(request(`mutation(${byName}) { pauseRollout(${args}) { ${FIELDS} } }`)),
  fc.record({ namespace, name: deploymentName }).map(request(`mutation(${byName}) { resumeRollout(${args}) { ${FIELDS} } }`)),
  fc.record({ namespace, name: deploymentName }).map(request(`mutation(${byName}) { restartRollout(${args}) { ${FIELDS} } }`)),
  fc
    .record({ namespace, name: deploymentName, toRevision: fc.option(fc.oneof(fc.integer({ min: -2, max: 5 }), int)) })
    .map(request(`mutation(${byName}, $toRevision: Int) { rollbackDeployment(${args}, toRevision: $toRevision) { ${FIELDS} events { reason } } }`)),
  fc.record({ namespace, name: deploymentName, policy }).map(request(`mutation(${byName}, $policy: DeletionPropagation) { deleteDeployment(${args}, propagationPolicy: $policy) { ${FIELDS} } }`)),
);

const replicaSetName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("r0", "r1", "r2") }, { weight: 1, arbitrary: fc.constant("missing") }, { weight: 1, arbitrary: text });
const replicaSetSpec = spec.map(({ selector, template, replicas, minReadySeconds }) => ({ selector, template, replicas, minReadySeconds }));
const replicaSetOps = fc.oneof(
  fc.record({ metadata: metadata(fc.oneof(replicaSetName, freshName)), spec: replicaSetSpec }).map(request(`mutation($metadata: ObjectMetaInput!, $spec: ReplicaSetSpecInput!) { createReplicaSet(metadata: $metadata, spec: $spec) { ${FIELDS} } }`)),
  fc.record({ namespace, name: replicaSetName, replicas: int }).map(request(`mutation(${byName}, $replicas: Int!) { scaleReplicaSet(${args}, replicas: $replicas) { ${FIELDS} } }`)),
  fc.record({ namespace, name: replicaSetName, policy }).map(request(`mutation(${byName}, $policy: DeletionPropagation) { deleteReplicaSet(${args}, propagationPolicy: $policy) { ${FIELDS} } }`)),
);

const POD_NAMES = ["p0", "p1", "p2", "p3", "p4", "p5"];
const podName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...POD_NAMES, "missing") }, { weight: 1, arbitrary: text });
const podStatus = fc.record(
  {
    // with ready: true, a terminated phase (Succeeded, Failed) is refused (issue 10 §6)
    phase: fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Unknown"),
    ready: fc.boolean(),
    containerStatuses: fc.array(
      fc.record({ name: fc.oneof(fc.constantFrom("app", "side"), text), ready: fc.boolean(), restartCount: fc.option(int), waitingReason: fc.option(text) }, { requiredKeys: ["name", "ready"] }),
      { maxLength: 3 },
    ),
    podIP: fc.option(fc.oneof(fc.constantFrom("10.0.0.1", "::1", "fe80::1%eth0", "999.1.1.1", "1.2.3"), text)),
  },
  { requiredKeys: ["phase", "ready"] },
);
const podOps = fc.oneof(
  fc.record({ namespace, name: podName, grace: fc.option(int) }).map(request(`mutation(${byName}, $grace: Int) { deletePod(${args}, gracePeriodSeconds: $grace) { ${FIELDS} } }`)),
  fc.record({ namespace, name: podName, status: podStatus }).map(
    request(`mutation(${byName}, $status: PodStatusInput!) { updatePodStatus(${args}, status: $status) { ${FIELDS} status { phase ready conditions { type status } containerStatuses { name state { waiting { reason } } } } } }`),
  ),
);

// ---------------------------------------------------------------------------------------------
// Fixtures the families act on, restored before every batch (deletions remove them).

let generation = 0;

async function ensureDeployments() {
  for (const name of ["d0", "d1", "d2", "d3"]) {
    if (await api.db.deployment.findUnique({ where: { namespace_name: { namespace: "default", name } } })) continue;
    const created = await api.execute(
      `mutation($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) { createDeployment(metadata: $metadata, spec: $spec) { metadata { uid } } }`,
      { metadata: { name }, spec: deploymentSpec("web") },
    );
    const owner = created.data!.createDeployment.metadata;
    generation++;
    for (const [revision, image] of [[1, "v1"], [2, "nginx:1.25"], [3, "v3"]] as const) {
      const labels = { app: "web", "pod-template-hash": `h${generation}r${revision}` };
      await api.db.replicaSet.create({
        data: {
          namespace: "default",
          name: `${name}-${labels["pod-template-hash"]}`,
          labels,
          annotations: { "deployment.kubernetes.io/revision": String(revision) },
          ownerReferences: json([{ kind: "Deployment", name, uid: owner.uid, controller: true }]),
          replicas: 0,
          selector: json({ matchLabels: labels, matchExpressions: [] }),
          template: json({ metadata: { labels, annotations: {} }, spec: { containers: [{ name: "app", image }], terminationGracePeriodSeconds: 30 } }),
          minReadySeconds: 0,
        },
      });
    }
  }
}

async function ensurePods() {
  const spec = { containers: ["app", "side"].map((name) => ({ name, image: "x", command: [], args: [], env: [], ports: [], resources: { requests: {}, limits: {} } })), terminationGracePeriodSeconds: 30 };
  await api.db.pod.createMany({ skipDuplicates: true, data: POD_NAMES.map((name) => ({ namespace: "default", name, labels: { app: "web" }, spec: json(spec) })) });
}

/** What is wrong with one response, or null when it is a success or one typed error. */
function problem(result: GqlResult): string | null {
  if (!result.errors) return result.data && Object.values(result.data).every((v) => v !== null) ? null : "no data and no errors";
  if (result.errors.length !== 1) return "more than one error";
  const { extensions } = result.errors[0];
  if (!extensions?.code || !CODES.includes(extensions.code)) return `untyped error: ${result.errors[0].message}`;
  if (result.data != null) return "an error with data";
  if (extensions.code === "BAD_USER_INPUT") {
    const fieldErrors = extensions.fieldErrors ?? [];
    if (fieldErrors.length === 0) return "BAD_USER_INPUT without field errors";
    if (!fieldErrors.every((e) => typeof e.field === "string" && e.field !== "" && typeof e.message === "string" && e.message !== "")) return "a malformed field error";
  }
  return null;
}

async function fuzz(family: fc.Arbitrary<Request>, prepare: () => Promise<void>) {
  const outcomes = new Map<string, number>();
  let inputs = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.array(family, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await prepare();
      const results = await Promise.all(batch.map((r) => api.execute(r.query, r.variables)));
      inputs += batch.length;
      results.forEach((result, i) => {
        const wrong = problem(result);
        if (wrong) throw new Error(`${wrong}\nrequest: ${JSON.stringify(batch[i])}\nresponse: ${JSON.stringify(result)}`);
        const outcome = result.errors?.[0].extensions?.code ?? "success";
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      });
    }),
    { numRuns: INPUTS_PER_FAMILY / BATCH },
  );
  return { inputs, outcomes: Object.fromEntries(outcomes), ms: Date.now() - started };
}

describe("fuzzing: every outcome is a success or one typed error", () => {
  it.each([
    ["createDeployment", createDeployment, ["success", "BAD_USER_INPUT", "ALREADY_EXISTS"]],
    ["updateDeployment", updateDeployment, ["success", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT"]],
    ["setImage, scale, pause, resume, restart, rollback, delete", deploymentOps, ["success", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT"]],
    ["ReplicaSet mutations", replicaSetOps, ["success", "BAD_USER_INPUT", "NOT_FOUND", "ALREADY_EXISTS"]],
    ["pod mutations", podOps, ["success", "BAD_USER_INPUT", "NOT_FOUND"]],
  ] as const)("%s", { timeout: 60_000 }, async (family, arbitrary, expected) => {
    const prepare = async () => {
      await ensureDeployments();
      await ensurePods();
    };
    const { inputs, outcomes, ms } = await fuzz(arbitrary, prepare);
    console.log(`${family}: ${inputs} inputs in ${ms} ms, outcomes ${JSON.stringify(outcomes)}`);
    expect(inputs).toBeGreaterThanOrEqual(INPUTS_PER_FAMILY);
    // the generators reach the outcomes that matter (so the property is not vacuous)
    for (const outcome of expected) expect(outcomes[outcome] ?? 0, outcome).toBeGreaterThan(0);
  });
});
