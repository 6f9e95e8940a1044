// Apollo Client 3 against the real server: without the README's typePolicies, two queries that
// select different fields of an id-less object (ObjectMeta, DeploymentSpec, …) make the cache warn
// "Cache data may be lost" and forget fields; with them, no warning and every field stays. The
// README's list of id-less types is held to the schema here. (Lists, like containers, are replaced
// by the newest result, as Apollo does with every list: the queries select a list's fields alike.)
import { readFileSync } from "node:fs";
import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client/core";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev";
import { isObjectType } from "graphql";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { schema } from "../../src/graphql/schema.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { CREATE_DEPLOYMENT, deploymentInput } from "../e2e/subscriptions-helpers.ts";

let app: TestApp;

beforeAll(async () => {
  loadDevMessages();
  loadErrorMessages();
  app = await startTestApp({ podStartupMs: 50 });
  await app.data(CREATE_DEPLOYMENT, deploymentInput("apollo", "web", { tier: "front" }, { replicas: 1 }));
});
afterAll(async () => {
  await app?.stop();
});

/** The `embedded` list of the README's Apollo setup. */
function readmeEmbedded(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  return JSON.parse(/const embedded = (\[[^\]]*\]);/.exec(readme)![1]);
}

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

it("the README lists every object type without an id, and only those", () => {
  const idless = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && !t.name.startsWith("__") && !ROOTS.has(t.name) && !("id" in t.getFields()))
    .map((t) => t.name)
    .sort();
  expect(readmeEmbedded()).toEqual(idless);
});

const FIRST = gql`query First { deployment(namespace: "apollo", name: "web") { id metadata { name } spec { replicas template { spec { containers { name } } } } rolloutStatus { phase } } }`;
const SECOND = gql`query Second { deployment(namespace: "apollo", name: "web") { id metadata { name labels } spec { template { spec { containers { name image } } } } rolloutStatus { message } } }`;
const BOTH = gql`query Both { deployment(namespace: "apollo", name: "web") { id metadata { name labels } spec { replicas template { spec { containers { name image } } } } rolloutStatus { phase message } } }`;

async function runBoth(cache: InMemoryCache) {
  const client = new ApolloClient({ link: new HttpLink({ uri: app.url, fetch }), cache });
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    await client.query({ query: FIRST, fetchPolicy: "network-only" });
    await client.query({ query: SECOND, fetchPolicy: "network-only" });
    const lost = warn.mock.calls.map((args) => args.map(String).join(" ")).filter((m) => /Cache data may be lost/.test(m));
    return { lost, both: cache.readQuery<any>({ query: BOTH }) };
  } finally {
    warn.mockRestore();
    client.stop();
  }
}

it("without the typePolicies the cache warns and loses fields (the case the policies are for)", async () => {
  const { lost, both } = await runBoth(new InMemoryCache());
  expect(lost.length).toBeGreaterThan(0);
  expect(lost.join("\n")).toContain("Deployment.spec");
  expect(both).toBeNull();
});

it("with the README's typePolicies: no warning, and the fields of both queries are in the cache", async () => {
  const cache = new InMemoryCache({ typePolicies: Object.fromEntries(readmeEmbedded().map((type) => [type, { merge: true }])) });
  const { lost, both } = await runBoth(cache);
  expect(lost).toEqual([]);
  expect(both.deployment).toMatchObject({
    metadata: { name: "web", labels: { app: "web", tier: "front" } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: "app", image: "nginx:1.25" }] } } },
    rolloutStatus: { phase: expect.any(String), message: expect.any(String) },
  });
});
