// Builds the dashboard (client-examples/dashboard) into its dist/, which the server serves at
// /dashboard. Run by `npm install` (prepare) and by `npm start` with --if-missing.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../client-examples/dashboard/", import.meta.url));
if (process.argv.includes("--if-missing") && existsSync(`${root}dist/index.html`)) process.exit(0);
const { build } = await import("vite");
await build({ configFile: `${root}vite.config.ts` });
console.log("dashboard built into client-examples/dashboard/dist");
