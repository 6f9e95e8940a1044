// Decoding and defaulting: the GraphQL input (or any JSON-ish value) becomes a typed object with
// the contract's defaults applied; a value of the wrong JSON type is reported and replaced by its
// default. The rules then run on the typed object (validation.ts).
import { invalid, type FieldError } from "./field-errors.ts";
import type {
  Container,
  DeploymentSpec,
  DeploymentStrategy,
  IntOrString,
  LabelSelector,
  LabelSelectorOperator,
  PodTemplateSpec,
  ReplicaSetSpec,
  RollingUpdateDeployment,
  StringMap,
} from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Input shapes: the GraphQL input types; optional fields take the contract's defaults.

export interface ObjectMetaInput {
  name: string;
  namespace?: string | null;
  labels?: StringMap | null;
  annotations?: StringMap | null;
}
export interface LabelSelectorRequirementInput {
  key: string;
  operator: string;
  values?: string[] | null;
}
export interface LabelSelectorInput {
  matchLabels?: StringMap | null;
  matchExpressions?: LabelSelectorRequirementInput[] | null;
}
export interface EnvVarInput {
  name: string;
  value: string;
}
export interface ContainerPortInput {
  name?: string | null;
  containerPort: number;
  protocol?: string | null;
}
export interface ResourceRequirementsInput {
  requests?: StringMap | null;
  limits?: StringMap | null;
}
export interface ContainerInput {
  name: string;
  image: string;
  command?: string[] | null;
  args?: string[] | null;
  env?: EnvVarInput[] | null;
  ports?: ContainerPortInput[] | null;
  resources?: ResourceRequirementsInput | null;
}
export interface PodTemplateSpecInput {
  metadata: { labels?: StringMap | null; annotations?: StringMap | null };
  spec: { containers: ContainerInput[]; terminationGracePeriodSeconds?: number | null };
}
export interface DeploymentStrategyInput {
  type?: string | null;
  rollingUpdate?: { maxSurge?: IntOrString | null; maxUnavailable?: IntOrString | null } | null;
}
export interface DeploymentSpecInput {
  replicas?: number | null;
  selector: LabelSelectorInput;
  template: PodTemplateSpecInput;
  strategy?: DeploymentStrategyInput | null;
  minReadySeconds?: number | null;
  revisionHistoryLimit?: number | null;
  progressDeadlineSeconds?: number | null;
  paused?: boolean | null;
}
export interface ReplicaSetSpecInput {
  replicas?: number | null;
  selector: LabelSelectorInput;
  template: PodTemplateSpecInput;
  minReadySeconds?: number | null;
}
export interface DeploymentInput {
  metadata: ObjectMetaInput;
  spec: DeploymentSpecInput;
}
export interface ReplicaSetInput {
  metadata: ObjectMetaInput;
  spec: ReplicaSetSpecInput;
}
export interface ContainerStatusInput {
  name: string;
  ready: boolean;
  restartCount?: number | null;
  waitingReason?: string | null;
}
export interface PodStatusInput {
  phase: string;
  ready: boolean;
  containerStatuses?: ContainerStatusInput[] | null;
  podIP?: string | null;
}

// Output shapes.

export interface NewObjectMeta {
  name: string;
  namespace: string;
  labels: StringMap;
  annotations: StringMap;
}
export interface NormalizedDeployment {
  metadata: NewObjectMeta;
  spec: DeploymentSpec;
}
export interface NormalizedReplicaSet {
  metadata: NewObjectMeta;
  spec: ReplicaSetSpec;
}
/** `value` is present exactly when `errors` is empty. */
export interface Normalized<T> {
  value?: T;
  errors: FieldError[];
}

// ---------------------------------------------------------------------------------------------
// Step 1: decode. Missing (null/undefined) means "use the default"; the validators report what a
// default cannot satisfy (an empty name, no containers, an empty selector).

type JsonObject = Record<string, unknown>;

class Decoder {
  readonly errors: FieldError[] = [];

  private wrongType(path: string, value: unknown, expected: string) {
    this.errors.push(invalid(path, value, `must be ${expected}`));
  }

  object(value: unknown, path: string): JsonObject {
    if (value === null || value === undefined) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value as JsonObject;
    this.wrongType(path, value, "an object");
    return {};
  }

  nullableObject(value: unknown, path: string): JsonObject | null {
    return value === null || value === undefined ? null : this.object(value, path);
  }

  string(value: unknown, path: string, fallback = ""): string {
    if (value === null || value === undefined) return fallback;
    if (typeof value === "string") return value;
    this.wrongType(path, value, "a string");
    return fallback;
  }

  int(value: unknown, path: string, fallback: number): number {
    if (value === null || value === undefined) return fallback;
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    this.wrongType(path, value, "an integer");
    return fallback;
  }

  intOrString(value: unknown, path: string, fallback: IntOrString): IntOrString {
    if (value === null || value === undefined) return fallback;
    if (typeof value === "number" || typeof value === "string") return value;
    this.wrongType(path, value, "an integer or a percentage string");
    return fallback;
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === null || value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.wrongType(path, value, "a boolean");
    return fallback;
  }

  list<T>(value: unknown, path: string, item: (value: unknown, path: string) => T): T[] {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((v, i) => item(v, `${path}[${i}]`));
    this.wrongType(path, value, "a list");
    return [];
  }

  stringList(value: unknown, path: string): string[] {
    return this.list(value, path, (v, p) => this.string(v, p));
  }

  /** Entries whose value is not a string are reported and dropped. */
  stringMap(value: unknown, path: string): StringMap {
    const entries = Object.entries(this.object(value, path)).filter(([key, v]) => {
      if (typeof v === "string") return true;
      this.wrongType(path, { [key]: v }, "a map of strings to strings");
      return false;
    });
    return Object.fromEntries(entries) as StringMap;
  }
}

/** The typed object an input decodes to, with the contract's defaults, and the wrongly typed values. */
function decodeObject<S>(input: unknown, decodeSpec: (d: Decoder, value: unknown) => S): { errors: FieldError[]; value: { metadata: NewObjectMeta; spec: S } } {
  const d = new Decoder();
  const root = d.object(input, "");
  const metadata = decodeMetadata(d, root.metadata);
  const spec = decodeSpec(d, root.spec);
  return { errors: d.errors, value: { metadata, spec } };
}

export function decodeDeployment(input: DeploymentInput): { errors: FieldError[]; value: NormalizedDeployment } {
  return decodeObject(input, decodeDeploymentSpec);
}

export function decodeReplicaSet(input: ReplicaSetInput): { errors: FieldError[]; value: NormalizedReplicaSet } {
  return decodeObject(input, decodeReplicaSetSpec);
}

function decodeMetadata(d: Decoder, value: unknown): NewObjectMeta {
  const m = d.object(value, "metadata");
  return {
    name: d.string(m.name, "metadata.name"),
    namespace: d.string(m.namespace, "metadata.namespace", "default"),
    labels: d.stringMap(m.labels, "metadata.labels"),
    annotations: d.stringMap(m.annotations, "metadata.annotations"),
  };
}

function decodeSelector(d: Decoder, value: unknown, path: string): LabelSelector {
  const s = d.object(value, path);
  return {
    matchLabels: d.stringMap(s.matchLabels, `${path}.matchLabels`),
    matchExpressions: d.list(s.matchExpressions, `${path}.matchExpressions`, (v, p) => {
      const e = d.object(v, p);
      return {
        key: d.string(e.key, `${p}.key`),
        // checked by validateLabelSelector, like every other rule
        operator: d.string(e.operator, `${p}.operator`) as LabelSelectorOperator,
        values: d.stringList(e.values, `${p}.values`),
      };
    }),
  };
}

function decodeContainer(d: Decoder, value: unknown, path: string): Container {
  const c = d.object(value, path);
  const resources = d.object(c.resources, `${path}.resources`);
  return {
    name: d.string(c.name, `${path}.name`),
    image: d.string(c.image, `${path}.image`),
    command: d.stringList(c.command, `${path}.command`),
    args: d.stringList(c.args, `${path}.args`),
    env: d.list(c.env, `${path}.env`, (v, p) => {
      const e = d.object(v, p);
      return { name: d.string(e.name, `${p}.name`), value: d.string(e.value, `${p}.value`) };
    }),
    ports: d.list(c.ports, `${path}.ports`, (v, p) => {
      const port = d.object(v, p);
      const name = d.string(port.name, `${p}.name`);
      return {
        name: name === "" ? null : name,
        containerPort: d.int(port.containerPort, `${p}.containerPort`, 0),
        protocol: d.string(port.protocol, `${p}.protocol`, "TCP"),
      };
    }),
    resources: {
      requests: d.stringMap(resources.requests, `${path}.resources.requests`),
      limits: d.stringMap(resources.limits, `${path}.resources.limits`),
    },
  };
}

function decodeTemplate(d: Decoder, value: unknown, path: string): PodTemplateSpec {
  const t = d.object(value, path);
  const meta = d.object(t.metadata, `${path}.metadata`);
  const spec = d.object(t.spec, `${path}.spec`);
  return {
    metadata: {
      labels: d.stringMap(meta.labels, `${path}.metadata.labels`),
      annotations: d.stringMap(meta.annotations, `${path}.metadata.annotations`),
    },
    spec: {
      containers: d.list(spec.containers, `${path}.spec.containers`, (v, p) => decodeContainer(d, v, p)),
      terminationGracePeriodSeconds: d.int(
        spec.terminationGracePeriodSeconds,
        `${path}.spec.terminationGracePeriodSeconds`,
        30,
      ),
    },
  };
}

/** RollingUpdate gets its rollingUpdate block defaulted (25%/25%); Recreate keeps what was sent. */
function decodeStrategy(d: Decoder, value: unknown, path: string): DeploymentStrategy {
  const s = d.object(value, path);
  const type = d.string(s.type, `${path}.type`, "RollingUpdate") as DeploymentStrategy["type"];
  const given = d.nullableObject(s.rollingUpdate, `${path}.rollingUpdate`);
  const block = type === "RollingUpdate" ? (given ?? {}) : given;
  const rollingUpdate: RollingUpdateDeployment | null = block && {
    maxSurge: d.intOrString(block.maxSurge, `${path}.rollingUpdate.maxSurge`, "25%"),
    maxUnavailable: d.intOrString(block.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`, "25%"),
  };
  return { type, rollingUpdate };
}

function decodeDeploymentSpec(d: Decoder, value: unknown): DeploymentSpec {
  const s = d.object(value, "spec");
  return {
    ...decodeSharedSpec(d, s),
    strategy: decodeStrategy(d, s.strategy, "spec.strategy"),
    revisionHistoryLimit: d.int(s.revisionHistoryLimit, "spec.revisionHistoryLimit", 10),
    progressDeadlineSeconds: d.int(s.progressDeadlineSeconds, "spec.progressDeadlineSeconds", 600),
    paused: d.boolean(s.paused, "spec.paused", false),
  };
}

function decodeReplicaSetSpec(d: Decoder, value: unknown): ReplicaSetSpec {
  return decodeSharedSpec(d, d.object(value, "spec"));
}

/** The fields a Deployment's spec shares with a ReplicaSet's. */
function decodeSharedSpec(d: Decoder, s: JsonObject): ReplicaSetSpec {
  return {
    replicas: d.int(s.replicas, "spec.replicas", 1),
    selector: decodeSelector(d, s.selector, "spec.selector"),
    template: decodeTemplate(d, s.template, "spec.template"),
    minReadySeconds: d.int(s.minReadySeconds, "spec.minReadySeconds", 0),
  };
}

