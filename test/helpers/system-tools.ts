// Debian tools that some end-to-end tests drive for real (Chromium for pages, kubectl for the REST
// facade). Missing ones are installed with apt when we are root; otherwise the test fails with one
// line naming the package. Never a silent skip.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

let aptUpdated = false;

export function ensureDebianTool(binary: string, pkg: string): string {
  if (existsSync(binary)) return binary;
  if (process.getuid?.() !== 0) throw new Error(`${binary} is missing: install the Debian package '${pkg}' (apt-get install ${pkg})`);
  try {
    if (!aptUpdated) execFileSync("apt-get", ["update"], { stdio: "ignore" });
    aptUpdated = true;
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch (e) {
    throw new Error(`${binary} is missing and 'apt-get install ${pkg}' failed: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!existsSync(binary)) throw new Error(`${binary} is missing after 'apt-get install ${pkg}'`);
  return binary;
}
