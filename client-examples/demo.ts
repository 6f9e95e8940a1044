// `npm run demo`: the server (as `npm start` configures it) plus a scripted scenario, so a newcomer
// sees the dashboard move: three Deployments, a rolling update, a bad image (pods stuck pulling)
// that exceeds its progress deadline and is rolled back by ci-deploy's logic, a scale-up to 50.
// Everything after the start goes through the public API, as any client would.
import WebSocket from "ws";
import { startApp } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { deploy } from "./ci-deploy/deploy.ts";
import { request, subscriptionClient, type Target } from "./lib/connection.ts";
import { graphql } from "./lib/gql/index.js";
import { SetImageMutation } from "./lib/operations.ts";
import { waitForRollout } from "./lib/rollout.ts";

const CreateDemoDeployment = graphql(`
  mutation CreateDemoDeployment($metadata: ObjectMetaInput!, $spec: DeploymentSpecInput!) {
    createDeployment(metadata: $metadata, spec: $spec) { metadata { name } }
  }
`);

const UpdateDemoDeployment = graphql(`
  mutation UpdateDemoDeployment($name: String!, $spec: DeploymentSpecInput!, $changeCause: String) {
    updateDeployment(name: $name, spec: $spec, changeCause: $changeCause) { metadata { name } }
  }
`);

const ScaleDemoDeployment = graphql(`
  mutation ScaleDemoDeployment($name: String!, $replicas: Int!) {
    scaleDeployment(name: $name, replicas: $replicas) { metadata { name } }
  }
`);

const BEHAVIOR = "sim.deploye.dev/behavior";

function spec(name: string, replicas: number, image: string, annotations: Record<string, string> = {}) {
  return {
    replicas,
    progressDeadlineSeconds: 20,
    selector: { matchLabels: { app: name } },
    strategy: { type: "RollingUpdate" as const, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: name }, annotations: { "sim.deploye.dev/startup-ms": "1500", ...annotations } },
      spec: { containers: [{ name: "app", image }], terminationGracePeriodSeconds: 2 },
    },
  };
}

async function main() {
  const config = loadConfig(process.env, process.argv.slice(2));
  const app = await startApp(config);
  const dashboard = new URL("/dashboard/#/default", app.url).toString();
  console.log(`deploye demo: the dashboard is at ${dashboard} (GraphQL at ${app.url}); Ctrl-C stops`);
  const stop = () => void app.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const target: Target = { server: app.url, token: process.env.DEPLOYE_TOKEN || undefined };
  const client = subscriptionClient(target, WebSocket);
  const step = (text: string) => console.log(`\n== ${text}`);
  const wait = (name: string) => waitForRollout(client, "default", name, { onLine: (line) => console.log(`   ${line}`) });
  const pause = () => new Promise((r) => setTimeout(r, 3_000));

  step("three Deployments");
  for (const [name, replicas] of [["web", 4], ["api", 3], ["worker", 2]] as const) {
    await request(target, CreateDemoDeployment, { metadata: { name }, spec: spec(name, replicas, "nginx:1.25") });
  }
  for (const name of ["web", "api", "worker"]) await wait(name);
  await pause();

  step("a rolling update of web to nginx:1.27");
  await request(target, SetImageMutation, { name: "web", namespace: "default", container: "app", image: "nginx:1.27", changeCause: "demo: web to nginx:1.27" });
  await wait("web");
  await pause();

  step("a bad image for api (its pods never pull it), rolled back by ci-deploy");
  const image = "nginx:1.27-typo";
  const code = await deploy({
    target,
    client,
    namespace: "default",
    name: "api",
    container: "app",
    image,
    change: () => request(target, UpdateDemoDeployment, { name: "api", spec: spec("api", 3, image, { [BEHAVIOR]: "imagepull" }), changeCause: `ci-deploy: app=${image}` }),
    say: (line) => console.log(`   ${line}`),
    error: (line) => console.log(`   ${line}`),
  });
  console.log(`   (ci-deploy would exit ${code})`);
  await pause();

  step("worker scaled up to 50");
  await request(target, ScaleDemoDeployment, { name: "worker", replicas: 50 });
  await wait("worker");
  console.log(`\nThe scenario is over; the server keeps running. The dashboard: ${dashboard}`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `demo: ${err.message}` : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
