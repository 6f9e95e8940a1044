// Variables inside StringMap literals (`matchLabels: { app: $name }`) and IntOrString positions,
// as GraphQL allows inside any input; a wrong variable value is a BAD_USER_INPUT that changes nothing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ controllers: false, simulator: false });
});
afterAll(async () => {
  await app?.stop();
});

const CREATE = `mutation($name: String!, $tier: String, $surge: IntOrString) {
  createDeployment(
    metadata: { namespace: "vars", name: $name, labels: { app: $name, tier: $tier }, annotations: { owner: "team-a" } }
    spec: {
      replicas: 2
      selector: { matchLabels: { app: $name } }
      strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: $surge, maxUnavailable: "0%" } }
      template: { metadata: { labels: { app: $name } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } }
    }
  ) { metadata { name labels annotations } spec { selector { matchLabels } strategy { rollingUpdate { maxSurge maxUnavailable } } template { metadata { labels } } } }
}`;

it("takes variables inside StringMap literals and in IntOrString positions", async () => {
  const { createDeployment } = await app.data(CREATE, { name: "web", tier: "front", surge: "50%" });
  expect(createDeployment).toEqual({
    metadata: { name: "web", labels: { app: "web", tier: "front" }, annotations: { owner: "team-a" } },
    spec: {
      selector: { matchLabels: { app: "web" } },
      strategy: { rollingUpdate: { maxSurge: "50%", maxUnavailable: "0%" } },
      template: { metadata: { labels: { app: "web" } } },
    },
  });
  const second = await app.data(CREATE, { name: "api", tier: "back", surge: 2 });
  expect(second.createDeployment.spec.strategy.rollingUpdate.maxSurge).toBe(2);
  const { deployments } = await app.data(`query($app: String!) { deployments(namespace: "vars", labelSelector: $app) { totalCount } }`, { app: "app=api" });
  expect(deployments.totalCount).toBe(1);
});

it("leaves out a key whose variable is unset or null, and refuses a value of another type with BAD_USER_INPUT", async () => {
  for (const [name, tier] of [["unset", undefined], ["null", null]]) {
    const { createDeployment } = await app.data(CREATE, { name, tier });
    expect(createDeployment.metadata.labels).toEqual({ app: name });
  }
  const body = await app.gql(`mutation($n: Int) { createDeployment(metadata: { namespace: "vars", name: "int", labels: { n: $n } }, spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "a", image: "b" }] } } }) { metadata { name } } }`, { n: 3 });
  expect(body.errors).toEqual([expect.objectContaining({ path: ["createDeployment"], extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
  const { deployments } = await app.data(`{ deployments(namespace: "vars") { totalCount } }`);
  expect(deployments.totalCount).toBe(4);
});

it("still checks literals without variables when the document is validated", async () => {
  const literal = await app.gql(`mutation { createDeployment(metadata: { name: "bad", labels: { app: 1 } }, spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "a", image: "b" }] } } }) { metadata { name } } }`);
  expect(literal.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(`StringMap value of "app" must be a string`), extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
});
