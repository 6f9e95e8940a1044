// Headless Debian Chromium driven by playwright-core, with every request that leaves the server
// under test refused (pages must work offline). Playwright gives each launch a new empty profile.
import { chromium, type Browser, type Page } from "playwright-core";
import { ensureDebianTool } from "./system-tools.ts";

export async function launchBrowser(): Promise<Browser> {
  const executablePath = ensureDebianTool("/usr/bin/chromium", "chromium");
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page on which any request to an origin other than `serverUrl`'s is aborted and recorded. */
export async function offlinePage(browser: Browser, serverUrl: string): Promise<{ page: Page; blocked: string[] }> {
  const origin = new URL(serverUrl).origin;
  const context = await browser.newContext();
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return { page: await context.newPage(), blocked };
}
