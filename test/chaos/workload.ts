// The random workload: up to N Deployments (rolling and Recreate, healthy, crashlooping, never
// ready, or `manual` pods that this file's agent reports ready with updatePodStatus), scaled,
// updated, paused, resumed, restarted, rolled back and deleted with every propagation policy.
// Every answer is recorded: acknowledged (with the resourceVersion and the state it answered),
// refused with a code, or unknown (timeout, connection lost).
import type { Rng } from "./rng.ts";

export const BEHAVIOR = "sim.deploye.dev/behavior";
export type Behavior = "ready" | "crashloop" | "unready" | "manual";

export const DELETE_POLICIES = ["Background", "Foreground", "Orphan"] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

export interface Ack {
  op: string;
  name: string;
  at: number;
  /** ok: acknowledged; refused: a GraphQL error with a code; unknown: no answer */
  outcome: "ok" | "refused" | "unknown";
  code?: string;
  uid?: string;
  resourceVersion?: string;
  /** the spec the response showed */
  replicas?: number;
  paused?: boolean;
  image?: string;
  propagationPolicy?: string;
}

export interface Slot {
  /** current name (a new generation after each delete: names are never reused) */
  name: string;
  generation: number;
  exists: boolean;
  behavior: Behavior;
}

export interface GraphQLAnswer {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One POST with a deadline; throws on no answer. */
export async function post(url: string, query: string, variables: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<GraphQLAnswer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await res.json()) as GraphQLAnswer;
}

const DEPLOYMENT_FIELDS = "metadata { uid resourceVersion } spec { replicas paused template { spec { containers { image } } } }";

function spec(name: string, rng: Rng, behavior: Behavior) {
  const rolling = rng.chance(0.75);
  return {
    replicas: rng.int(1, 5),
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations: { [BEHAVIOR]: behavior, "sim.deploye.dev/startup-ms": String(rng.int(50, 400)) } },
      spec: { containers: [{ name: "app", image: "app:1" }], terminationGracePeriodSeconds: 0 },
    },
    strategy: rolling
      ? { type: "RollingUpdate", rollingUpdate: { maxSurge: rng.pick([0, 1, 2, "25%", "50%"]), maxUnavailable: rng.pick([1, 2, "25%", "50%"]) } }
      : { type: "Recreate" },
    progressDeadlineSeconds: 10,
    revisionHistoryLimit: rng.int(2, 5),
  };
}

export class Workload {
  readonly acks: Ack[] = [];
  readonly slots: Slot[];
  readonly #rng: Rng;
  readonly #urls: () => string[];

  constructor(rng: Rng, deployments: number, urls: () => string[]) {
    this.#rng = rng;
    this.#urls = urls;
    this.slots = Array.from({ length: deployments }, (_, i) => ({ name: `c${i}-0`, generation: 0, exists: false, behavior: "ready" as Behavior }));
  }

  /** One random mutation on one of `slots` (a worker's own: one Deployment's mutations never overlap), recorded. */
  async step(slots: Slot[]): Promise<void> {
    const rng = this.#rng;
    const slot = rng.pick(slots);
    const urls = this.#urls();
    if (urls.length === 0) return;
    const url = rng.pick(urls);
    if (!slot.exists) {
      const behavior: Behavior = rng.pick(["ready", "ready", "ready", "ready", "manual", "crashloop", "unready"] as const);
      const s = spec(slot.name, rng, behavior);
      const ack = await this.#call(url, "create", slot.name, `mutation($m: ObjectMetaInput!, $s: DeploymentSpecInput!) { r: createDeployment(metadata: $m, spec: $s) { ${DEPLOYMENT_FIELDS} } }`, { m: { name: slot.name }, s });
      if (ack.outcome !== "refused" || ack.code === "ALREADY_EXISTS") {
        // unknown: it may exist; the next create answers ALREADY_EXISTS and we go on with it
        slot.exists = true;
        slot.behavior = behavior;
      }
      return;
    }
    const name = slot.name;
    const choice = rng.int(0, 99);
    if (choice < 25) {
      await this.#call(url, "setImage", name, `mutation($n: String!, $i: String!) { r: setImage(name: $n, container: "app", image: $i) { ${DEPLOYMENT_FIELDS} } }`, { n: name, i: `app:${rng.int(1, 9)}` });
    } else if (choice < 45) {
      await this.#call(url, "scale", name, `mutation($n: String!, $r: Int!) { r: scaleDeployment(name: $n, replicas: $r) { ${DEPLOYMENT_FIELDS} } }`, { n: name, r: rng.int(0, 6) });
    } else if (choice < 55) {
      await this.#call(url, "pause", name, `mutation($n: String!) { r: pauseRollout(name: $n) { ${DEPLOYMENT_FIELDS} } }`, { n: name });
    } else if (choice < 68) {
      await this.#call(url, "resume", name, `mutation($n: String!) { r: resumeRollout(name: $n) { ${DEPLOYMENT_FIELDS} } }`, { n: name });
    } else if (choice < 78) {
      await this.#call(url, "restart", name, `mutation($n: String!) { r: restartRollout(name: $n) { ${DEPLOYMENT_FIELDS} } }`, { n: name });
    } else if (choice < 88) {
      await this.#call(url, "rollback", name, `mutation($n: String!) { r: rollbackDeployment(name: $n) { ${DEPLOYMENT_FIELDS} } }`, { n: name });
    } else {
      const policy = rng.pick(DELETE_POLICIES);
      const ack = await this.#call(url, "delete", name, `mutation($n: String!, $p: DeletionPropagation) { r: deleteDeployment(name: $n, propagationPolicy: $p) { ${DEPLOYMENT_FIELDS} } }`, { n: name, p: policy });
      ack.propagationPolicy = policy;
      if (ack.outcome === "ok" || ack.code === "NOT_FOUND") {
        slot.generation++;
        slot.name = `${name.split("-")[0]}-${slot.generation}`;
        slot.exists = false;
      }
    }
  }

  /** The external node agent: every not-ready pod of a `manual` Deployment is reported Running and ready (until `stopping`). */
  async agent(stopping: () => boolean): Promise<void> {
    const urls = this.#urls();
    if (urls.length === 0) return;
    const url = this.#rng.pick(urls);
    let answer: GraphQLAnswer;
    try {
      answer = await post(url, `{ pods(first: 500) { edges { node { metadata { name deletionTimestamp annotations } status { ready } } } } }`);
    } catch {
      return;
    }
    const pods = (answer.data?.pods?.edges ?? []).map((e: any) => e.node);
    for (const pod of pods) {
      if (stopping()) return;
      if (pod.status.ready || pod.metadata.deletionTimestamp) continue;
      const slot = this.slots.find((s) => pod.metadata.name.startsWith(`${s.name}-`) && s.behavior === "manual");
      if (!slot) continue;
      await this.#call(url, "updatePodStatus", pod.metadata.name, `mutation($n: String!) { r: updatePodStatus(name: $n, status: { phase: Running, ready: true }) { metadata { uid resourceVersion } } }`, { n: pod.metadata.name });
    }
  }

  async #call(url: string, op: string, name: string, query: string, variables: Record<string, unknown>): Promise<Ack> {
    const ack: Ack = { op, name, at: Date.now(), outcome: "unknown" };
    this.acks.push(ack);
    try {
      const answer = await post(url, query, variables);
      const r = answer.data?.r;
      if (r) {
        ack.outcome = "ok";
        ack.uid = r.metadata.uid;
        ack.resourceVersion = r.metadata.resourceVersion;
        if (r.spec) {
          ack.replicas = r.spec.replicas;
          ack.paused = r.spec.paused;
          ack.image = r.spec.template.spec.containers[0].image;
        }
      } else {
        ack.code = answer.errors?.[0]?.extensions?.code ?? "NO_CODE";
        ack.outcome = "refused";
      }
    } catch {
      ack.outcome = "unknown";
    }
    return ack;
  }
}
