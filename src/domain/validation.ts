// The API server's rules (controller-semantics.md §8 plus object-meta, container and size rules).
//
// Creating an object is two steps:
//   1. decode (decoding.ts): the GraphQL input (or any JSON-ish value) becomes a typed object with
//      the contract's defaults applied; a value of the wrong JSON type is reported and replaced by
//      its default;
//   2. validate (here): every rule runs on the typed object and ALL violations are returned at once.
// The validate* functions are exported so that mutations which edit a stored spec (setImage,
// scale, rollback) can check the result with the same rules.

import { isIP } from "node:net";
import { decodeDeployment, decodeReplicaSet, type DeploymentInput, type NewObjectMeta, type Normalized, type NormalizedDeployment, type NormalizedReplicaSet, type PodStatusInput, type ReplicaSetInput } from "./decoding.ts";
import { duplicate, forbidden, invalid, notSupported, required, tooLong, tooMany, type FieldError } from "./field-errors.ts";
import { LABEL_LIMITS, isEmptySelector, labelKeyErrors, matches, selectorToRequirements, validateLabelSelector, validateLabels } from "./labels.ts";
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
  PodTemplateSpec,
  ReplicaSetSpec,
  RollingUpdateDeployment,
  StringMap,
} from "./types.ts";

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
// Entry points.

export function normalizeDeployment(input: DeploymentInput): Normalized<NormalizedDeployment> {
  const { errors, value } = decodeDeployment(input);
  return result([...errors, ...validateObjectMeta(value.metadata, "metadata"), ...validateDeploymentSpec(value.spec, "spec")], value);
}

export function normalizeReplicaSet(input: ReplicaSetInput): Normalized<NormalizedReplicaSet> {
  const { errors, value } = decodeReplicaSet(input);
  return result([...errors, ...validateObjectMeta(value.metadata, "metadata"), ...validateReplicaSetSpec(value.spec, "spec")], value);
}

function result<T>(errors: FieldError[], value: T): Normalized<T> {
  return errors.length === 0 ? { value, errors } : { errors };
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
