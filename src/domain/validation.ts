// The API server's rules (controller-semantics.md §8 plus object-meta, container and size rules).
//
// Creating an object is two steps, both here:
//   1. decode: the GraphQL input (or any JSON-ish value) becomes a typed object with the contract's
//      defaults applied; a value of the wrong JSON type is reported and replaced by its default;
//   2. validate: every rule runs on the typed object and ALL violations are returned at once.
// The validate* functions are exported so that mutations which edit a stored spec (setImage,
// scale, rollback) can check the result with the same rules.

import { isIP } from "node:net";
import {
  type FieldError,
  LABEL_LIMITS,
  duplicate,
  forbidden,
  invalid,
  isEmptySelector,
  labelKeyErrors,
  matches,
  notSupported,
  required,
  selectorToRequirements,
  tooLong,
  tooMany,
  validateLabelSelector,
  validateLabels,
} from "./labels.ts";
import { dns1123LabelErrors, dns1123SubdomainErrors, regexError } from "./names.ts";
import { validateEnvVarNames } from "./env-vars.ts";
import { validatePodStatusConsistency } from "./pod-status-rules.ts";
import { validateResourceQuantities } from "./quantity.ts";
import { validateSimulatorAnnotations } from "./simulator-annotations.ts";
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

export type { FieldError } from "./labels.ts";

/**
 * Upper bounds on everything a client can make the server store or work through. Kubernetes
 * bounds objects mainly by etcd's 1.5 MiB request size; here every list, map and string has an
 * explicit bound, and the text of a whole spec is capped, so one request costs bounded memory,
 * rows and validation work.
 */
export const LIMITS = {
  ...LABEL_LIMITS,
  /**
   * spec.replicas (and scale). Every replica is a Pod row, copied from the template and written
   * to the change log on every status change, and the ReplicaSet controller creates at most 500
   * per sync: 10 000 is already far beyond a useful simulation of one workload, and keeps a typo
   * (replicas: 1000000) from filling the database.
   */
  replicas: 10_000,
  /** containers in a pod template (also container statuses in one pod status report) */
  containers: 64,
  envPerContainer: 256,
  portsPerContainer: 128,
  /** entries of `command`, and separately of `args` */
  commandEntries: 1024,
  /** entries of resources.requests, and separately of resources.limits */
  resourceEntries: 32,
  /** UTF-8 bytes of any single free-text string (image, command/args entry, env name/value, ...) */
  stringBytes: 64 * 1024,
  /** UTF-8 bytes of all annotation keys and values of one object (upstream's limit) */
  annotationBytes: 256 * 1024,
  /** UTF-8 bytes of all the text (field names, keys, strings) of one spec */
  specBytes: 1024 * 1024,
  /** any other integer field (seconds, revisionHistoryLimit, restartCount, percentages): int32 */
  int32: 2 ** 31 - 1,
} as const;

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
// Entry points.

export function normalizeDeployment(input: DeploymentInput): Normalized<NormalizedDeployment> {
  const d = new Decoder();
  const root = d.object(input, "");
  const metadata = decodeMetadata(d, root.metadata);
  const spec = decodeDeploymentSpec(d, root.spec);
  return result([...d.errors, ...validateObjectMeta(metadata, "metadata"), ...validateDeploymentSpec(spec, "spec")], {
    metadata,
    spec,
  });
}

export function normalizeReplicaSet(input: ReplicaSetInput): Normalized<NormalizedReplicaSet> {
  const d = new Decoder();
  const root = d.object(input, "");
  const metadata = decodeMetadata(d, root.metadata);
  const spec = decodeReplicaSetSpec(d, root.spec);
  return result([...d.errors, ...validateObjectMeta(metadata, "metadata"), ...validateReplicaSetSpec(spec, "spec")], {
    metadata,
    spec,
  });
}

function result<T>(errors: FieldError[], value: T): Normalized<T> {
  return errors.length === 0 ? { value, errors } : { errors };
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
    replicas: d.int(s.replicas, "spec.replicas", 1),
    selector: decodeSelector(d, s.selector, "spec.selector"),
    template: decodeTemplate(d, s.template, "spec.template"),
    strategy: decodeStrategy(d, s.strategy, "spec.strategy"),
    minReadySeconds: d.int(s.minReadySeconds, "spec.minReadySeconds", 0),
    revisionHistoryLimit: d.int(s.revisionHistoryLimit, "spec.revisionHistoryLimit", 10),
    progressDeadlineSeconds: d.int(s.progressDeadlineSeconds, "spec.progressDeadlineSeconds", 600),
    paused: d.boolean(s.paused, "spec.paused", false),
  };
}

function decodeReplicaSetSpec(d: Decoder, value: unknown): ReplicaSetSpec {
  const s = d.object(value, "spec");
  return {
    replicas: d.int(s.replicas, "spec.replicas", 1),
    selector: decodeSelector(d, s.selector, "spec.selector"),
    template: decodeTemplate(d, s.template, "spec.template"),
    minReadySeconds: d.int(s.minReadySeconds, "spec.minReadySeconds", 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Step 2: the rules, on typed objects.

function validateIntRange(value: number, path: string, max: number): FieldError[] {
  if (value < 0) return [invalid(path, value, "must be greater than or equal to 0")];
  if (value > max) return [invalid(path, value, `must be less than or equal to ${max}`)];
  return [];
}

/** Integer fields with no rule of their own: 0 ≤ n ≤ 2^31-1 (seconds, toRevision, ...). */
export function validateNonNegativeInt(value: number, path: string): FieldError[] {
  return validateIntRange(value, path, LIMITS.int32);
}

/** spec.replicas and the scale mutations: 0 ≤ n ≤ LIMITS.replicas. */
export function validateReplicas(value: number, path: string): FieldError[] {
  return validateIntRange(value, path, LIMITS.replicas);
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Free text: bounded by LIMITS.stringBytes. */
function validateText(text: string, path: string): FieldError[] {
  return utf8Bytes(text) > LIMITS.stringBytes ? [tooLong(path, LIMITS.stringBytes)] : [];
}

function validateCount(items: { length: number }, max: number, path: string): FieldError[] {
  return items.length > max ? [tooMany(path, items.length, max)] : [];
}

export function validateImage(image: string, path: string): FieldError[] {
  if (image === "") return [required(path)];
  if (image.trim() !== image) return [invalid(path, image, "must not have leading or trailing whitespace")];
  return validateText(image, path);
}

export function validateObjectMeta(meta: NewObjectMeta, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (meta.name === "") errors.push(required(`${path}.name`, "name or generateName is required"));
  else errors.push(...dns1123SubdomainErrors(meta.name).map((m) => invalid(`${path}.name`, meta.name, m)));
  if (meta.namespace === "") errors.push(required(`${path}.namespace`));
  else errors.push(...dns1123LabelErrors(meta.namespace).map((m) => invalid(`${path}.namespace`, meta.namespace, m)));
  errors.push(...validateLabels(meta.labels, `${path}.labels`));
  errors.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  return errors;
}

/** Keys are qualified names (checked lower-cased, as upstream); keys+values ≤ 256 KiB in total. */
export function validateAnnotations(annotations: StringMap, path: string): FieldError[] {
  const entries = Object.entries(annotations);
  const total = entries.reduce((n, [k, v]) => n + utf8Bytes(k) + utf8Bytes(v), 0);
  if (total > LIMITS.annotationBytes) return [tooLong(path, LIMITS.annotationBytes)];
  return entries.flatMap(([key]) => labelKeyErrors(key.toLowerCase()).map((m) => invalid(path, key, m)));
}

export function validateDeploymentSpec(spec: DeploymentSpec, path: string): FieldError[] {
  const errors = [
    ...validateReplicas(spec.replicas, `${path}.replicas`),
    ...validateSelectorAndTemplate(spec.selector, spec.template, path, "deployment"),
    ...validateStrategy(spec.strategy, `${path}.strategy`),
    ...validateNonNegativeInt(spec.minReadySeconds, `${path}.minReadySeconds`),
    ...validateNonNegativeInt(spec.revisionHistoryLimit, `${path}.revisionHistoryLimit`),
    ...validateNonNegativeInt(spec.progressDeadlineSeconds, `${path}.progressDeadlineSeconds`),
  ];
  if (spec.progressDeadlineSeconds <= spec.minReadySeconds) {
    errors.push(
      invalid(`${path}.progressDeadlineSeconds`, spec.progressDeadlineSeconds, "must be greater than minReadySeconds"),
    );
  }
  return [...errors, ...validateSpecSize(spec, path)];
}

export function validateReplicaSetSpec(spec: ReplicaSetSpec, path: string): FieldError[] {
  return [
    ...validateReplicas(spec.replicas, `${path}.replicas`),
    ...validateSelectorAndTemplate(spec.selector, spec.template, path, "replicaset"),
    ...validateNonNegativeInt(spec.minReadySeconds, `${path}.minReadySeconds`),
    ...validateSpecSize(spec, path),
  ];
}

/** Upstream's apps/v1 update strategy: the selector of a Deployment never changes. */
export function validateDeploymentUpdate(old: DeploymentSpec, next: DeploymentSpec): FieldError[] {
  return sameSelector(old.selector, next.selector) ? [] : [invalid("spec.selector", next.selector, "field is immutable")];
}

function sameSelector(a: LabelSelector, b: LabelSelector): boolean {
  const canonical = (s: LabelSelector) =>
    JSON.stringify([Object.entries(s.matchLabels).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)), s.matchExpressions]);
  return canonical(a) === canonical(b);
}

function validateSpecSize(spec: DeploymentSpec | ReplicaSetSpec, path: string): FieldError[] {
  return textBytes(spec) > LIMITS.specBytes ? [tooLong(path, LIMITS.specBytes)] : [];
}

function textBytes(value: unknown): number {
  if (typeof value === "string") return utf8Bytes(value);
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textBytes(v), 0);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).reduce((n, [k, v]) => n + utf8Bytes(k) + textBytes(v), 0);
  }
  return 0;
}

function validateSelectorAndTemplate(
  selector: LabelSelector,
  template: PodTemplateSpec,
  path: string,
  kind: "deployment" | "replicaset",
): FieldError[] {
  const selectorPath = `${path}.selector`;
  const errors = validateLabelSelector(selector, selectorPath);
  if (isEmptySelector(selector)) {
    errors.push(invalid(selectorPath, selector, `empty selector is invalid for ${kind}`));
  } else if (errors.length === 0 && !matches(selectorToRequirements(selector), template.metadata.labels)) {
    errors.push(
      invalid(`${path}.template.metadata.labels`, template.metadata.labels, "`selector` does not match template `labels`"),
    );
  }
  return [...errors, ...validatePodTemplate(template, `${path}.template`)];
}

function validatePodTemplate(template: PodTemplateSpec, path: string): FieldError[] {
  const { containers, terminationGracePeriodSeconds } = template.spec;
  const containersPath = `${path}.spec.containers`;
  const errors = [
    ...validateLabels(template.metadata.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template.metadata.annotations, `${path}.metadata.annotations`),
    ...validateSimulatorAnnotations(template.metadata.annotations, `${path}.metadata.annotations`),
    ...validateNonNegativeInt(terminationGracePeriodSeconds, `${path}.spec.terminationGracePeriodSeconds`),
  ];
  if (containers.length === 0) return [...errors, required(containersPath)];
  if (containers.length > LIMITS.containers) return [...errors, tooMany(containersPath, containers.length, LIMITS.containers)];
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    const at = `${containersPath}[${i}]`;
    if (container.name !== "" && seen.has(container.name)) errors.push(duplicate(`${at}.name`, container.name));
    seen.add(container.name);
    errors.push(...validateContainer(container, at));
  });
  return errors;
}

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validateContainer(c: Container, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (c.name === "") errors.push(required(`${path}.name`));
  else errors.push(...dns1123LabelErrors(c.name).map((m) => invalid(`${path}.name`, c.name, m)));
  errors.push(...validateImage(c.image, `${path}.image`));
  for (const field of ["command", "args"] as const) {
    const list = c[field];
    const tooManyEntries = validateCount(list, LIMITS.commandEntries, `${path}.${field}`);
    errors.push(...tooManyEntries);
    if (tooManyEntries.length === 0) list.forEach((s, i) => errors.push(...validateText(s, `${path}.${field}[${i}]`)));
  }
  const tooManyEnv = validateCount(c.env, LIMITS.envPerContainer, `${path}.env`);
  errors.push(...tooManyEnv);
  if (tooManyEnv.length === 0) {
    c.env.forEach((e, i) => {
      const at = `${path}.env[${i}]`;
      if (e.name === "") errors.push(required(`${at}.name`));
      errors.push(...validateText(e.name, `${at}.name`), ...validateText(e.value, `${at}.value`));
    });
    errors.push(...validateEnvVarNames(c.env, `${path}.env`));
  }
  const tooManyPorts = validateCount(c.ports, LIMITS.portsPerContainer, `${path}.ports`);
  errors.push(...tooManyPorts);
  if (tooManyPorts.length === 0) {
    const names = new Set<string>();
    c.ports.forEach((port, i) => {
      const at = `${path}.ports[${i}]`;
      if (port.name !== null) {
        errors.push(...portNameErrors(port.name).map((m) => invalid(`${at}.name`, port.name, m)));
        if (names.has(port.name)) errors.push(duplicate(`${at}.name`, port.name));
        names.add(port.name);
      }
      if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
        errors.push(invalid(`${at}.containerPort`, port.containerPort, "must be between 1 and 65535, inclusive"));
      }
      if (port.protocol === "") errors.push(required(`${at}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) errors.push(notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
    });
  }
  for (const field of ["requests", "limits"] as const) {
    const at = `${path}.resources.${field}`;
    const entries = Object.entries(c.resources[field]);
    const tooManyEntries = validateCount(entries, LIMITS.resourceEntries, at);
    errors.push(...tooManyEntries);
    if (tooManyEntries.length === 0) entries.forEach(([k, v]) => errors.push(...validateText(k, at), ...validateText(v, at)));
    if (tooManyEntries.length === 0) errors.push(...validateResourceQuantities(c.resources[field], at));
  }
  return errors;
}

/** Upstream IsValidPortName: an IANA service name. */
function portNameErrors(name: string): string[] {
  if (name.length > 15) return ["must be no more than 15 characters"];
  const errors: string[] = [];
  if (!/^[-a-z0-9]+$/.test(name)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errors.push("must contain at least one letter (a-z)");
  if (name.includes("--")) errors.push("must not contain consecutive hyphens");
  if (name.startsWith("-") || name.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

function validateStrategy(strategy: DeploymentStrategy, path: string): FieldError[] {
  switch (strategy.type) {
    case "Recreate":
      return strategy.rollingUpdate === null
        ? []
        : [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")];
    case "RollingUpdate":
      return strategy.rollingUpdate === null
        ? [required(`${path}.rollingUpdate`, "this should be defaulted and never be null")]
        : validateRollingUpdate(strategy.rollingUpdate, `${path}.rollingUpdate`);
    default:
      return [notSupported(`${path}.type`, strategy.type, ["Recreate", "RollingUpdate"])];
  }
}

const PERCENT_RE = /^[0-9]+%$/;

/** An int ≥ 0 or `^[0-9]+%$`; returns the number (of units or percent) when valid. */
function intOrPercent(value: IntOrString, path: string): { amount?: number; errors: FieldError[] } {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { errors: [invalid(path, value, "must be an integer or percentage (e.g '5%')")] };
    const errors = validateNonNegativeInt(value, path);
    return errors.length > 0 ? { errors } : { amount: value, errors };
  }
  if (!PERCENT_RE.test(value)) {
    return {
      errors: [
        invalid(
          path,
          value,
          regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"),
        ),
      ],
    };
  }
  const amount = Number(value.slice(0, -1));
  if (amount > LIMITS.int32) return { errors: [invalid(path, value, `must be less than or equal to ${LIMITS.int32}%`)] };
  return { amount, errors: [] };
}

function validateRollingUpdate(rollingUpdate: RollingUpdateDeployment, path: string): FieldError[] {
  const surge = intOrPercent(rollingUpdate.maxSurge, `${path}.maxSurge`);
  const unavailable = intOrPercent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`);
  const errors = [...unavailable.errors, ...surge.errors];
  if (surge.amount === 0 && unavailable.amount === 0) {
    errors.push(invalid(`${path}.maxUnavailable`, rollingUpdate.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
  }
  if (typeof rollingUpdate.maxUnavailable === "string" && unavailable.amount !== undefined && unavailable.amount > 100) {
    errors.push(invalid(`${path}.maxUnavailable`, rollingUpdate.maxUnavailable, "must not be greater than 100%"));
  }
  // deploye's bound, not upstream's: the surge is created as pod rows (proportional scaling can
  // hand all of replicas + maxSurge to one ReplicaSet), so it is held to the replicas limit.
  if (surge.amount !== undefined) {
    const percent = typeof rollingUpdate.maxSurge === "string";
    if (surge.amount > (percent ? 100 : LIMITS.replicas)) {
      errors.push(invalid(`${path}.maxSurge`, rollingUpdate.maxSurge, percent ? "must not be greater than 100%" : `must be less than or equal to ${LIMITS.replicas}`));
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Mutations that are not whole-object writes.

/** `kubectl set image`: the container must exist in the template, the image must be valid. */
export function validateSetImage(template: PodTemplateSpec, container: string, image: string): FieldError[] {
  const exists = template.spec.containers.some((c) => c.name === container);
  return [
    ...(exists ? [] : [invalid("container", container, "no container with this name in the pod template")]),
    ...validateImage(image, "image"),
  ];
}

const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
/** The longest textual IP address (IPv4-mapped IPv6); longer input is not parsed at all. */
const IP_TEXT_MAX_LENGTH = 45;

/** What a node agent may report for a pod whose containers are `containerNames`. */
export function validatePodStatusInput(input: PodStatusInput, containerNames: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!POD_PHASES.includes(input.phase)) errors.push(notSupported("status.phase", input.phase, POD_PHASES));
  errors.push(...validatePodStatusConsistency(input));
  const statuses = input.containerStatuses ?? [];
  const statusesPath = "status.containerStatuses";
  if (statuses.length > LIMITS.containers) {
    errors.push(tooMany(statusesPath, statuses.length, LIMITS.containers));
  } else {
    const seen = new Set<string>();
    statuses.forEach((s, i) => {
      const at = `${statusesPath}[${i}]`;
      if (!containerNames.includes(s.name)) {
        errors.push(invalid(`${at}.name`, s.name, "must be the name of a container in the pod"));
      } else if (seen.has(s.name)) {
        errors.push(duplicate(`${at}.name`, s.name));
      }
      seen.add(s.name);
      errors.push(...validateNonNegativeInt(s.restartCount ?? 0, `${at}.restartCount`));
      errors.push(...validateText(s.waitingReason ?? "", `${at}.waitingReason`));
    });
  }
  const ip = input.podIP;
  if (ip !== null && ip !== undefined && (ip.length > IP_TEXT_MAX_LENGTH || ip.includes("%") || isIP(ip) === 0)) {
    errors.push(invalid("status.podIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }
  return errors;
}
