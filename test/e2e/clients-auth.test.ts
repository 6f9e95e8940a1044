// The client examples against a server with auth on: the `viewer` query (who the token is), and
// rollout-status and ci-deploy run with DEPLOYE_TOKEN, their one line and exit code for a missing,
// bad or read-only token. (The dashboard's token prompt: dashboard.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { killExamples, runToEnd } from "../helpers/cli.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { createDeployment, getDeployment, setImage, type Api } from "../helpers/rollout.ts";
import { waitFor } from "../helpers/wait.ts";

const BOOT = "bootstrap-secret-for-clients-0123456789";
const VIEWER = `{ viewer { authenticated name role namespaces expiresAt } }`;
let database: TestDatabase;
let app: TestApp;
/** the bootstrap admin's API */
let admin: Api;
const secrets: Record<"editor" | "reader" | "teamA", string> = { editor: "", reader: "", teamA: "" };
const EXPIRES = "2099-01-01T00:00:00.000Z";

const as = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

beforeAll(async () => {
  database = await createTestDatabase();
  // pods become ready by themselves (the simulator's default behaviour), so rollouts finish alone
  app = await startTestApp({ auth: true, bootstrapToken: BOOT, podStartupMs: 10, resyncMs: 3_600_000 }, database);
  admin = {
    async data(query, variables) {
      const body = await app.gql(query, variables, as(BOOT));
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
  const create = async (name: string, role: string, namespaces: string[] | null, expiresAt: string | null = null) =>
    (
      await admin.data(`mutation($n: String!, $r: ApiTokenRole!, $ns: [String!], $e: DateTime) { createApiToken(name: $n, role: $r, namespaces: $ns, expiresAt: $e) { secret } }`, {
        n: name,
        r: role,
        ns: namespaces,
        e: expiresAt,
      })
    ).createApiToken.secret as string;
  secrets.editor = await create("ci", "editor", ["default"], EXPIRES);
  secrets.reader = await create("reader", "viewer", null);
  secrets.teamA = await create("team-a", "editor", ["team-a"]);
}, 60_000);

afterAll(async () => {
  killExamples();
  await app?.stop();
  await database?.drop();
});

const doneRollout = (name: string) => waitFor(() => getDeployment(admin, name), (d) => d.rolloutStatus.done, { what: `${name} rolled out` });

describe("viewer", () => {
  it("answers who the token is, and UNAUTHENTICATED without a valid one", async () => {
    expect((await app.gql(VIEWER, {}, as(secrets.editor))).data).toEqual({ viewer: { authenticated: true, name: "ci", role: "editor", namespaces: ["default"], expiresAt: EXPIRES } });
    expect((await app.gql(VIEWER, {}, as(secrets.reader))).data).toEqual({ viewer: { authenticated: true, name: "reader", role: "viewer", namespaces: null, expiresAt: null } });
    expect((await app.gql(VIEWER, {}, as(BOOT))).data.viewer).toMatchObject({ name: "bootstrap", role: "admin", namespaces: null });
    for (const token of [null, "dpl_" + "A".repeat(43)]) expect((await app.gql(VIEWER, {}, as(token))).errors?.map((e) => e.extensions.code)).toEqual(["UNAUTHENTICATED"]);
  });

  it("is an anonymous admin with auth off", async () => {
    const open = await startTestApp({ auth: false, controllers: false, simulator: false }, database);
    try {
      expect(await open.data(VIEWER)).toEqual({ viewer: { authenticated: false, name: "anonymous", role: "admin", namespaces: null, expiresAt: null } });
    } finally {
      await open.stop();
    }
  });
});

describe("rollout-status with DEPLOYE_TOKEN", () => {
  const args = (name: string) => [`deployment/${name}`, "--server", app.url];

  it("follows a rollout with a viewer token", async () => {
    await createDeployment(admin, "watched", { replicas: 2, behavior: "ready" });
    await doneRollout("watched");
    await setImage(admin, "watched", "nginx:2");
    const result = await runToEnd("rollout-status", args("watched"), { DEPLOYE_TOKEN: secrets.reader });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.lines.at(-1)).toBe(`deployment "watched" successfully rolled out`);
  });

  it("says in one line that a token is missing or refused, and exits 1", async () => {
    expect(await runToEnd("rollout-status", args("watched"))).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `error: the server at ${app.url} wants a token: pass --token or set DEPLOYE_TOKEN\n`,
    });
    expect(await runToEnd("rollout-status", args("watched"), { DEPLOYE_TOKEN: "dpl_not-a-token" })).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `error: the server at ${app.url} refused the token of --token or DEPLOYE_TOKEN: it is unknown, revoked or expired\n`,
    });
  });
});

describe("ci-deploy with DEPLOYE_TOKEN", () => {
  const deploy = (token: string | null) => runToEnd("ci-deploy", ["deployment/shipped", "--server", app.url, "--container", "app", "--image", "nginx:1.27"], token ? { DEPLOYE_TOKEN: token } : {});

  it("deploys with an editor token", async () => {
    await createDeployment(admin, "shipped", { replicas: 2, behavior: "ready" });
    await doneRollout("shipped");
    const result = await deploy(secrets.editor);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.lines.at(-1)).toBe(`ci-deploy: deployment "shipped" revision 2 (nginx:1.27) rolled out`);
  });

  it("refuses up front, in one line and with exit 4, a token that may not change the Deployment", async () => {
    await setImage(admin, "shipped", "nginx:1.26");
    await doneRollout("shipped");
    const unchanged = async () => expect((await getDeployment(admin, "shipped")).spec.template.spec.containers[0].image).toBe("nginx:1.26");
    expect(await deploy(secrets.reader)).toMatchObject({
      code: 4,
      stdout: "",
      stderr: `error: the token "reader" has the role viewer, which may only read: ci-deploy needs an editor token for namespace "default"\n`,
    });
    expect(await deploy(secrets.teamA)).toMatchObject({
      code: 4,
      stdout: "",
      stderr: `error: the token "team-a" is limited to the namespaces team-a: ci-deploy needs an editor token for namespace "default"\n`,
    });
    expect(await deploy(null)).toMatchObject({ code: 4, stdout: "", stderr: `error: the server at ${app.url} wants a token: pass --token or set DEPLOYE_TOKEN\n` });
    expect(await deploy("dpl_revoked")).toMatchObject({ code: 4, stderr: `error: the server at ${app.url} refused the token of --token or DEPLOYE_TOKEN: it is unknown, revoked or expired\n` });
    await unchanged();
  });
});
