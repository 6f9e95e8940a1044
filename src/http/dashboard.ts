// The dashboard (client-examples/dashboard, built by `npm install` or `npm start`) at /dashboard.
import { fileURLToPath } from "node:url";
import { staticRoute } from "./static.ts";

export const DASHBOARD_DIST = fileURLToPath(new URL("../../client-examples/dashboard/dist", import.meta.url));

export const dashboardRoute = staticRoute("/dashboard", DASHBOARD_DIST, { fallback: "index.html" });
