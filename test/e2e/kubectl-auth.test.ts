// The real kubectl against the REST facade with auth on: the same tokens, roles and namespaces as
// GraphQL, refused the way a real server refuses (Unauthorized, Forbidden). kubectl (client-go)
// sends a bearer token only over TLS, so the server serves HTTPS here (TLS_CERT / TLS_KEY) with a
// certificate made for the test.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenStore } from "../../src/auth/tokens.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { ensureDebianTool } from "../helpers/system-tools.ts";

const KUBECTL = ensureDebianTool("/usr/bin/kubectl", "kubectl");
const BOOT = "bootstrap-secret-for-kubectl-tests-0123";
let app: TestApp;
let db: Db;
let server: string;
const tokens: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), "kubectl-tls-"));
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");

function kubectl(token: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ["--server", server, "--certificate-authority", cert, "--token", token, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, KUBECONFIG: "/nonexistent" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  app = await startTestApp({ auth: true, bootstrapToken: BOOT, simulator: false, tlsCert: cert, tlsKey: key });
  server = app.url.replace(/\/graphql$/, "");
  expect(server).toMatch(/^https:/);
  db = createDb(app.databaseUrl);
  const store = new TokenStore(db);
  tokens.viewer = (await store.create({ name: "viewer", role: "viewer" })).secret;
  tokens.teamA = (await store.create({ name: "team-a-editor", role: "editor", namespaces: ["team-a"] })).secret;
  const manifest = join(dir, "web.json");
  writeFileSync(manifest, JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "team-a" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } } } }));
  expect(await kubectl(BOOT, "apply", "-f", manifest)).toMatchObject({ code: 0, stdout: "deployment.apps/web created\n" });
});
afterAll(async () => {
  await db?.$disconnect();
  await app?.stop();
});

describe("kubectl with auth on", () => {
  it("refuses a bad token as Unauthorized", async () => {
    const run = await kubectl("dpl_not-a-token", "get", "deploy", "-n", "team-a");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: You must be logged in to the server \(Unauthorized\)$/m);
  });

  it("lets a viewer read and refuses its writes as Forbidden", async () => {
    const get = await kubectl(tokens.viewer, "get", "deploy", "-n", "team-a", "-o", "name");
    expect(get).toMatchObject({ code: 0, stdout: "deployment.apps/web\n" });
    const scale = await kubectl(tokens.viewer, "scale", "deploy/web", "-n", "team-a", "--replicas=2");
    expect(scale.code).toBe(1);
    expect(scale.stderr).toMatch(/^Error from server \(Forbidden\): .*viewer.*may not write/m);
  });

  it("keeps a namespaced token inside its namespaces", async () => {
    expect(await kubectl(tokens.teamA, "scale", "deploy/web", "-n", "team-a", "--replicas=2")).toMatchObject({ code: 0, stdout: "deployment.apps/web scaled\n" });
    const elsewhere = await kubectl(tokens.teamA, "get", "deploy", "-n", "team-b");
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/Forbidden.*namespace "team-b"/);
    const everywhere = await kubectl(tokens.teamA, "get", "deploy", "-A");
    expect(everywhere.code).toBe(1);
    expect(everywhere.stderr).toMatch(/Forbidden.*across all namespaces/);
  });
});
