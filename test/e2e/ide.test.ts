// GraphiQL (/graphql) and GraphQL Playground (/playground) in headless Chromium with every request
// outside the server refused: the pages load from the server alone, run a query, stream a
// subscription, and send a pasted token as the Authorization header and connectionParams, never in
// a URL. Playground's subscription pane runs over the legacy subscriptions-transport-ws protocol.
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_TABS } from "../../src/http/ide.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { launchBrowser, offlinePage } from "../helpers/browser.ts";
import { CREATE_DEPLOYMENT, deploymentInput } from "./subscriptions-helpers.ts";

let app: TestApp;
let browser: Browser;
const TOKEN = "t0ken-for-the-ide-test";

beforeAll(async () => {
  // pods take a while to start, so a rollout shows its intermediate statuses
  [app, browser] = await Promise.all([startTestApp({ podStartupMs: 1500, maxGraceSeconds: 0 }), launchBrowser()]);
  // the walkthrough's Deployment, which the Follow tab follows
  await app.data(CREATE_DEPLOYMENT, deploymentInput("default", "web", {}, { replicas: 1 }));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** What the page sent to the server: HTTP requests and WebSocket frames. */
function recordTraffic(page: Page) {
  const traffic = { urls: [] as string[], authorizations: [] as (string | undefined)[], inits: [] as { protocol: string; payload: any }[] };
  page.on("request", (request) => {
    traffic.urls.push(request.url());
    if (request.method() === "POST" && new URL(request.url()).pathname === "/graphql") traffic.authorizations.push(request.headers()["authorization"]);
  });
  page.on("websocket", (socket) => {
    traffic.urls.push(socket.url());
    socket.on("framesent", ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === "connection_init") traffic.inits.push({ protocol: socket.url(), payload: message.payload });
    });
  });
  return traffic;
}

/** An element's text with runs of white space (the editors wrap long lines) made one space. */
async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, " ");
}

async function pasteToken(page: Page) {
  await page.fill("#deploye-token input", TOKEN);
}

const rollOut = (name: string, image: string) =>
  app.data(`mutation($name: String!, $image: String!) { setImage(name: $name, container: "app", image: $image) { metadata { generation } } }`, { name, image });

it("opens on the README's walkthrough, word for word", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const tab of DEFAULT_TABS.slice(1)) expect(readme).toContain(tab.query);
});

it("GraphiQL: loads offline, runs a query, streams a subscription, sends the token", async () => {
  const { page, blocked } = await offlinePage(browser, app.url);
  const traffic = recordTraffic(page);
  await page.goto(app.url);
  const editor = page.locator(".graphiql-query-editor");
  await editor.waitFor({ timeout: 30_000 });
  await expect.poll(() => textOf(page, ".graphiql-query-editor")).toContain("query Deployments(");
  await pasteToken(page);
  traffic.authorizations.length = 0; // the schema was fetched before
  const response = () => textOf(page, ".graphiql-response");
  const run = async (operation: string) => {
    await page.click(".graphiql-execute-button");
    await page.getByRole("menuitem", { name: operation, exact: true }).click();
  };

  // the example query
  await run("Deployments");
  await expect.poll(response, { timeout: 15_000 }).toContain(`"totalCount": 1,`);

  // a subscription, over graphql-ws: statuses arrive as the rollout goes on
  await run("Follow");
  await expect.poll(response, { timeout: 15_000 }).toContain(`{ "data": { "rolloutStatus": { "message": "deployment \\"web\\" successfully rolled out"`);
  await rollOut("web", "nginx:1.27");
  await expect.poll(response, { timeout: 15_000 }).toContain(`Waiting for deployment \\"web\\" rollout to finish`);
  await expect.poll(response, { timeout: 15_000 }).toContain(`deployment \\"web\\" successfully rolled out`);

  expect(blocked).toEqual([]);
  expect(traffic.authorizations.length).toBeGreaterThan(0);
  expect(traffic.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
  expect(traffic.inits).toEqual([{ protocol: expect.stringMatching(/^ws:\/\/.*\/graphql$/), payload: { authorization: `Bearer ${TOKEN}` } }]);
  expect(traffic.urls.filter((u) => u.includes(TOKEN))).toEqual([]);
  await page.context().close();
}, 90_000);

it("Playground: loads offline and its subscription pane receives updates over the legacy protocol", async () => {
  const { page, blocked } = await offlinePage(browser, app.url);
  const traffic = recordTraffic(page);
  await page.goto(new URL("/playground", app.url).href);
  const tabs = page.locator(".playground").getByText("Follow", { exact: true });
  await tabs.waitFor({ timeout: 30_000 });
  await pasteToken(page);
  await tabs.click();
  await page.locator('[title="Execute Query (Ctrl-Enter)"]').click();
  const pane = () => textOf(page, ".playground");
  await expect.poll(pane, { timeout: 15_000 }).toContain(`deployment \\"web\\" successfully rolled out`);
  await rollOut("web", "nginx:1.28");
  await expect.poll(pane, { timeout: 15_000 }).toContain(`Waiting for deployment \\"web\\" rollout to finish`);

  expect(blocked).toEqual([]);
  expect(traffic.inits).toEqual([{ protocol: expect.stringMatching(/^ws:\/\/.*\/graphql$/), payload: expect.objectContaining({ authorization: `Bearer ${TOKEN}` }) }]);
  expect(traffic.urls.filter((u) => u.includes(TOKEN))).toEqual([]);
  await page.context().close();
}, 90_000);
