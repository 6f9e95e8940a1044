// Builds the dashboard (client-examples/dashboard) into its dist/, which the server serves at
// /dashboard. Run by `npm install` (prepare) and by `npm start` with --if-missing.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../client-examples/dashboard/", import.meta.url));
if (process.argv.includes("--if-missing") && existsSync(`${root}dist/index.html`)) process.exit(0);
let vite;
try {
  vite = await import("vite");
} catch {
  // an install without devDependencies: the server runs, /dashboard answers 404
  console.log("vite is not installed (npm install --omit=dev?): the dashboard is not built");
  process.exit(0);
}
await vite.build({ configFile: `${root}vite.config.ts` });
console.log("dashboard built into client-examples/dashboard/dist");
