// The real kubectl (Debian's package, v1.32) against the REST facade: its output lines and exit
// codes, the way a user runs it (`kubectl --server http://127.0.0.1:PORT`).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { ensureDebianTool } from "../helpers/system-tools.ts";
import { waitFor } from "../helpers/wait.ts";

const KUBECTL = ensureDebianTool("/usr/bin/kubectl", "kubectl");
let app: TestApp;
let server: string;
const dir = mkdtempSync(join(tmpdir(), "kubectl-"));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** kubectl, asynchronously (the server runs in this process). */
function kubectl(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ["--server", server, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, KUBECONFIG: join(dir, "none") } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const run = await kubectl(...args);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

const lines = (text: string) => text.trimEnd().split("\n").map((l) => l.trimEnd().split(/\s{2,}/));

function manifest(name: string, o: { image?: string; replicas?: number; env?: Record<string, string>; namespace?: string; grace?: number } = {}): string {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
  const container: Record<string, unknown> = { name: "nginx", image: o.image ?? "nginx:1.25", ports: [{ containerPort: 80 }] };
  if (o.env) container.env = Object.entries(o.env).map(([k, v]) => ({ name: k, value: v }));
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: o.namespace ?? "team-a", labels: { app: name } },
      spec: { replicas: o.replicas ?? 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container], terminationGracePeriodSeconds: o.grace } } },
    }),
  );
  return file;
}

async function getJson(...args: string[]): Promise<any> {
  return JSON.parse(await ok("get", ...args, "-o", "json"));
}

beforeAll(async () => {
  app = await startTestApp({ podStartupMs: 50 });
  server = app.url.replace(/\/graphql$/, "");
});
afterAll(async () => {
  await app?.stop();
});

describe("discovery", () => {
  it("version, api-versions and api-resources with kinds, verbs and short names", async () => {
    expect(await ok("version")).toMatch(/Server Version: v1\.32\.0-deploye/);
    expect((await ok("api-versions")).trim().split("\n")).toEqual(["apps/v1", "v1"]);
    const resources = lines(await ok("api-resources", "-o", "wide"));
    expect(resources[0]).toEqual(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]);
    expect(resources).toContainEqual(["deployments", "deploy", "apps/v1", "true", "Deployment", "create,delete,get,list,patch,update,watch", "all"]);
    expect(resources).toContainEqual(["replicasets", "rs", "apps/v1", "true", "ReplicaSet", "create,delete,get,list,patch,update,watch", "all"]);
    expect(resources).toContainEqual(["pods", "po", "v1", "true", "Pod", "delete,get,list,watch", "all"]);
    expect(resources).toContainEqual(["events", "ev", "v1", "true", "Event", "get,list,watch"]);
  });
});

describe("OpenAPI v3", () => {
  it("explain deploy.spec.strategy", async () => {
    const out = (await ok("explain", "deploy.spec.strategy")).split("\n").map((l) => l.trimEnd());
    expect(out.slice(0, 4)).toEqual(["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1", ""]);
    expect(out).toContain("FIELD: strategy <DeploymentStrategy>");
    expect(out).toContain("    The deployment strategy to use to replace existing pods with new ones.");
    expect(out).toContain("  rollingUpdate\t<RollingUpdateDeployment>");
    expect(out).toContain("  type\t<string>");
    expect(out).toContain("  enum: Recreate, RollingUpdate");
    const unknown = await kubectl("explain", "deploy.spec.nope");
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'error: field "nope" does not exist']);
  });
});

describe("field validation", () => {
  // in its own namespace: the get tests count what team-a holds
  const withUnknownField = (name = "strict") => {
    const file = manifest(name, { replicas: 1, namespace: "team-v" });
    const o = JSON.parse(readFileSync(file, "utf8"));
    o.spec.foo = "bar";
    writeFileSync(file, JSON.stringify(o));
    return file;
  };

  it("kubectl apply sends fieldValidation=Strict: an unknown field is refused on create and on patch", async () => {
    const file = withUnknownField();
    const created = await kubectl("apply", "-f", file);
    expect([created.code, created.stderr.trim()]).toEqual([1, `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`]);
    expect((await kubectl("get", "deploy", "strict", "-n", "team-v")).code).toBe(1);
    expect((await ok("apply", "-f", manifest("strict", { replicas: 1, namespace: "team-v" }))).trim()).toBe("deployment.apps/strict created");
    const patched = await kubectl("apply", "-f", file);
    expect(patched.code).toBe(1);
    expect(patched.stderr.trim().split("\n").at(-1)).toBe(`for: "${file}": error when patching "${file}": strict decoding error: unknown field "spec.foo"`);
  });

  it("--validate=warn: the field is dropped and kubectl prints the server's warning; --validate=false drops it silently", async () => {
    const warned = await kubectl("apply", "--validate=warn", "-f", withUnknownField());
    expect([warned.code, warned.stdout.trim(), warned.stderr.trim()]).toEqual([0, "deployment.apps/strict configured", 'Warning: unknown field "spec.foo"']);
    expect((await getJson("deploy", "strict", "-n", "team-v")).spec.foo).toBeUndefined();
    const ignored = await kubectl("create", "--validate=false", "-f", withUnknownField("ignored"));
    expect([ignored.code, ignored.stdout.trim(), ignored.stderr]).toEqual([0, "deployment.apps/ignored created", ""]);
    expect((await getJson("deploy", "ignored", "-n", "team-v")).spec.foo).toBeUndefined();
  });
});

describe("get", () => {
  beforeAll(async () => {
    await ok("apply", "-f", manifest("web", { replicas: 3 }));
    await ok("rollout", "status", "deploy/web", "-n", "team-a", "--timeout=30s");
  });

  it("prints upstream's columns for deploy,rs,pods", async () => {
    const out = lines(await ok("get", "deploy,rs,pods", "-n", "team-a"));
    expect(out[0]).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(out[1].slice(0, 4)).toEqual(["deployment.apps/web", "3/3", "3", "3"]);
    const rsHeader = out.findIndex((l) => l[1] === "DESIRED");
    expect(out[rsHeader]).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
    expect(out[rsHeader + 1][0]).toMatch(/^replicaset\.apps\/web-[a-z0-9]+$/);
    expect(out[rsHeader + 1].slice(1, 4)).toEqual(["3", "3", "3"]);
    const podHeader = out.findIndex((l) => l[2] === "STATUS");
    expect(out[podHeader]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    const pods = out.slice(podHeader + 1);
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p.slice(1, 4)).toEqual(["1/1", "Running", "0"]);
  });

  it("-o wide, -A, -l and --field-selector metadata.name", async () => {
    const wide = lines(await ok("get", "deploy", "-n", "team-a", "-o", "wide"));
    expect(wide[0]).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
    expect(wide[1].slice(5)).toEqual(["nginx", "nginx:1.25", "app=web"]);
    const all = lines(await ok("get", "deploy", "-A", "-l", "app=web", "--field-selector", "metadata.name=web"));
    expect(all[0].slice(0, 2)).toEqual(["NAMESPACE", "NAME"]);
    expect(all.slice(1).map((l) => l.slice(0, 2))).toEqual([["team-a", "web"]]);
    expect((await kubectl("get", "deploy", "-A", "-l", "app=other")).stderr.trim()).toBe("No resources found");
    expect((await kubectl("get", "pods", "-n", "team-a", "--field-selector", "metadata.name=nope")).stderr.trim()).toBe("No resources found in team-a namespace.");
  });

  it("-o json and -o yaml carry the stored object with GraphQL's resourceVersion", async () => {
    const d = await getJson("deploy", "web", "-n", "team-a");
    const { deployment } = await app.data(`{ deployment(namespace: "team-a", name: "web") { metadata { uid resourceVersion generation } status { observedGeneration readyReplicas } } }`);
    expect(d.metadata.uid).toBe(deployment.metadata.uid);
    expect(d.metadata.resourceVersion).toBe(deployment.metadata.resourceVersion);
    expect(d.status.readyReplicas).toBe(3);
    expect(d.status.observedGeneration).toBe(d.metadata.generation);
    const yaml = await ok("get", "deploy", "web", "-n", "team-a", "-o", "yaml");
    expect(yaml).toContain(`resourceVersion: "${d.metadata.resourceVersion}"`);
    expect(yaml).toMatch(/^kind: Deployment$/m);
  });

  it("answers errors as kube-apiserver words them", async () => {
    const missing = await kubectl("get", "deploy", "nope", "-n", "team-a");
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'Error from server (NotFound): deployments.apps "nope" not found']);
    const again = await kubectl("create", "-f", manifest("web"));
    expect([again.code, again.stderr.trim()]).toEqual([1, `Error from server (AlreadyExists): error when creating "${again.stderr.match(/"(\/[^"]+)"/)![1]}": deployments.apps "web" already exists`]);
    const bad = await kubectl("apply", "-f", manifest("bad", { replicas: -1, image: "" }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Deployment "bad" is invalid: ');
    expect(bad.stderr).toContain("spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    expect(bad.stderr).toContain("spec.template.spec.containers[0].image: Required value");
    const d = await getJson("deploy", "web", "-n", "team-a");
    const stale = join(dir, "stale.json");
    writeFileSync(stale, JSON.stringify({ ...d, metadata: { ...d.metadata, resourceVersion: "1" } }));
    const conflict = await kubectl("replace", "-f", stale);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Error from server (Conflict): error when replacing');
    expect(conflict.stderr).toContain('Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  });

  it("-w streams changes until interrupted", async () => {
    const child = spawn(KUBECTL, ["--server", server, "get", "deploy", "web", "-n", "team-a", "-w", "--no-headers"], { env: { ...process.env, KUBECONFIG: join(dir, "none") } });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(async () => out, (o) => /^web\s+3\/3/m.test(o), { what: "the first row" });
      await ok("scale", "deploy/web", "--replicas=4", "-n", "team-a");
      await waitFor(async () => out, (o) => /^web\s+\d\/4/m.test(o), { what: "a row after the scale" });
    } finally {
      child.kill("SIGINT");
    }
    await ok("scale", "deploy/web", "--replicas=3", "-n", "team-a");
  });
});

describe("writes", () => {
  it("create deployment (kubectl sends the object in protobuf)", async () => {
    const created = await kubectl("create", "deployment", "made", "--image=nginx:1.25", "--replicas=3", "--port=8080", "-n", "team-a");
    expect([created.code, created.stdout.trim(), created.stderr]).toEqual([0, "deployment.apps/made created", ""]);
    const d = await getJson("deploy", "made", "-n", "team-a");
    expect([d.spec.replicas, d.spec.selector.matchLabels, d.spec.template.metadata.labels, d.metadata.labels]).toEqual([3, { app: "made" }, { app: "made" }, { app: "made" }]);
    const [c] = d.spec.template.spec.containers;
    expect([c.name, c.image, c.ports]).toEqual(["nginx", "nginx:1.25", [{ containerPort: 8080, protocol: "TCP" }]]);
    await ok("rollout", "status", "deploy/made", "-n", "team-a", "--timeout=30s");
    expect(lines(await ok("get", "deploy", "made", "-n", "team-a", "--no-headers"))[0].slice(0, 4)).toEqual(["made", "3/3", "3", "3"]);
    const dry = await kubectl("create", "deployment", "dry", "--image=nginx:1.25", "-n", "team-a", "--dry-run=server");
    expect([dry.code, dry.stdout.trim()]).toEqual([0, "deployment.apps/dry created (server dry run)"]);
    expect((await kubectl("get", "deploy", "dry", "-n", "team-a")).code).toBe(1);
    const again = await kubectl("create", "deployment", "made", "--image=nginx:1.25", "-n", "team-a");
    expect([again.code, again.stderr.trim()]).toEqual([1, 'error: failed to create deployment: deployments.apps "made" already exists']);
  });

  it("apply after an edit: containers merge by name, the last-applied annotation is kept", async () => {
    expect((await ok("apply", "-f", manifest("site"))).trim()).toBe("deployment.apps/site created");
    const first = await getJson("deploy", "site", "-n", "team-a");
    expect(JSON.parse(first.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).spec.replicas).toBe(2);
    expect((await ok("apply", "-f", manifest("site", { image: "nginx:1.26", env: { MODE: "blue" } }))).trim()).toBe("deployment.apps/site configured");
    const second = await getJson("deploy", "site", "-n", "team-a");
    const [c] = second.spec.template.spec.containers;
    expect([c.name, c.image, c.env, c.ports]).toEqual(["nginx", "nginx:1.26", [{ name: "MODE", value: "blue" }], [{ containerPort: 80, protocol: "TCP" }]]);
    expect(JSON.parse(second.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).spec.template.spec.containers[0].image).toBe("nginx:1.26");
    expect(second.metadata.generation).toBe(first.metadata.generation + 1);
    expect((await ok("apply", "-f", manifest("site", { image: "nginx:1.26", env: { MODE: "blue" } }))).trim()).toBe("deployment.apps/site unchanged");
  });

  it("dry-run=server writes nothing", async () => {
    expect((await ok("apply", "--dry-run=server", "-f", manifest("ghost"))).trim()).toBe("deployment.apps/ghost created (server dry run)");
    expect((await kubectl("get", "deploy", "ghost", "-n", "team-a")).code).toBe(1);
    expect((await ok("scale", "deploy/site", "--replicas=7", "-n", "team-a", "--dry-run=server")).trim()).toBe("deployment.apps/site scaled (server dry run)");
    expect((await getJson("deploy", "site", "-n", "team-a")).spec.replicas).toBe(2);
    // kubectl diff: the apply patch with dryRun=All, compared with the live object (exit 1: differences)
    const diff = await kubectl("diff", "-f", manifest("site", { image: "nginx:1.26", env: { MODE: "blue" }, replicas: 5 }));
    expect(diff.code).toBe(1);
    expect(diff.stdout.split("\n").filter((l) => /^[-+] /.test(l)).map((l) => l.replace(/\s+/g, " "))).toEqual(["- generation: 2", "+ generation: 3", "- replicas: 2", "+ replicas: 5"]);
    expect((await getJson("deploy", "site", "-n", "team-a")).spec.replicas).toBe(2);
  });

  it("scale through /scale, set image, and the rollout commands", async () => {
    await ok("apply", "-f", manifest("app", { replicas: 2 }));
    expect((await ok("scale", "deploy/app", "--replicas=3", "-n", "team-a")).trim()).toBe("deployment.apps/app scaled");
    expect((await ok("rollout", "status", "deploy/app", "-n", "team-a", "--timeout=30s")).trim().split("\n").at(-1)).toBe('deployment "app" successfully rolled out');
    expect((await ok("set", "image", "deploy/app", "nginx=nginx:1.27", "-n", "team-a")).trim()).toBe("deployment.apps/app image updated");
    const status = await ok("rollout", "status", "deploy/app", "-n", "team-a", "--timeout=30s");
    expect(status.trim().split("\n").at(-1)).toBe('deployment "app" successfully rolled out');
    expect(lines(await ok("rollout", "history", "deploy/app", "-n", "team-a"))).toEqual([["deployment.apps/app"], ["REVISION", "CHANGE-CAUSE"], ["1", "<none>"], ["2", "<none>"]]);
    expect(await ok("rollout", "history", "deploy/app", "-n", "team-a", "--revision=2")).toContain("Image:\tnginx:1.27");
    expect((await ok("rollout", "undo", "deploy/app", "-n", "team-a", "--to-revision=1")).trim()).toBe("deployment.apps/app rolled back");
    await ok("rollout", "status", "deploy/app", "-n", "team-a", "--timeout=30s");
    expect((await getJson("deploy", "app", "-n", "team-a")).spec.template.spec.containers[0].image).toBe("nginx:1.25");
    expect(lines(await ok("rollout", "history", "deploy/app", "-n", "team-a")).slice(2)).toEqual([["2", "<none>"], ["3", "<none>"]]);
    expect((await ok("rollout", "pause", "deploy/app", "-n", "team-a")).trim()).toBe("deployment.apps/app paused");
    expect((await getJson("deploy", "app", "-n", "team-a")).spec.paused).toBe(true);
    expect((await ok("rollout", "resume", "deploy/app", "-n", "team-a")).trim()).toBe("deployment.apps/app resumed");
    expect((await ok("rollout", "restart", "deploy/app", "-n", "team-a")).trim()).toBe("deployment.apps/app restarted");
    const restarted = await getJson("deploy", "app", "-n", "team-a");
    expect(restarted.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).toMatch(/^\d{4}-/);
    await ok("rollout", "status", "deploy/app", "-n", "team-a", "--timeout=30s");
    expect(restarted.metadata.annotations["deployment.kubernetes.io/revision"]).toBeDefined();
  });

  it("rollout status exits 1 at --timeout when the rollout is stalled", async () => {
    await ok("apply", "-f", manifest("stuck", { replicas: 1 }));
    await ok("rollout", "status", "deploy/stuck", "-n", "team-a", "--timeout=30s");
    await ok("rollout", "pause", "deploy/stuck", "-n", "team-a");
    await ok("set", "image", "deploy/stuck", "nginx=nginx:1.27", "-n", "team-a");
    const stalled = await kubectl("rollout", "status", "deploy/stuck", "-n", "team-a", "--timeout=2s");
    expect(stalled.code).toBe(1);
    expect(stalled.stderr.trim()).toBe("error: timed out waiting for the condition");
  });

  it("describe shows the Deployment's events", async () => {
    const out = await ok("describe", "deploy/app", "-n", "team-a");
    expect(out).toMatch(/^Name:\s+app$/m);
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set app-/);
    // rollout undo --to-revision=1 above: the REST patch went through the rollback edit
    expect(out).toMatch(/Normal\s+DeploymentRollback\s+\S+\s+deployment-controller\s+Rolled back deployment "app" to revision 1$/m);
  });

  it("delete with the three cascades, and a pod with --grace-period=0 --force", async () => {
    for (const name of ["bg", "fg", "or"]) await ok("apply", "-f", manifest(name, { replicas: 1, grace: 1 }));
    for (const name of ["bg", "fg", "or"]) await ok("rollout", "status", `deploy/${name}`, "-n", "team-a", "--timeout=30s");
    expect((await ok("delete", "deploy/bg", "-n", "team-a", "--cascade=background")).trim()).toBe('deployment.apps "bg" deleted');
    expect((await ok("delete", "deploy/or", "-n", "team-a", "--cascade=orphan")).trim()).toBe('deployment.apps "or" deleted');
    expect((await ok("delete", "deploy/fg", "-n", "team-a", "--cascade=foreground", "--wait=false")).trim()).toBe('deployment.apps "fg" deleted');
    await waitFor(() => kubectl("get", "deploy", "fg", "-n", "team-a"), (r) => r.code === 1, { what: "the foreground deletion to finish", timeoutMs: 40_000 });
    await waitFor(() => getJson("rs", "-n", "team-a", "-l", "app=bg"), (l) => l.items.length === 0, { what: "the background deletion's ReplicaSets to go" });
    const orphans = await getJson("rs", "-n", "team-a", "-l", "app=or");
    expect(orphans.items).toHaveLength(1);
    expect(orphans.items[0].metadata.ownerReferences).toBeUndefined();
    const [pod] = (await getJson("pods", "-n", "team-a", "-l", "app=or")).items;
    const gone = await ok("delete", "pod", pod.metadata.name, "-n", "team-a", "--grace-period=0", "--force");
    expect(gone).toContain(`pod "${pod.metadata.name}" force deleted`);
    expect((await kubectl("get", "pod", pod.metadata.name, "-n", "team-a")).stderr.trim()).toBe(`Error from server (NotFound): pods "${pod.metadata.name}" not found`);
  }, 90_000);
});
