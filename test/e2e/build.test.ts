// `npm run build` compiles src/ to dist/ and the Dockerfile's CMD runs it: plain node, no tsx,
// against a database given by DATABASE_URL.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { spawnServer, type ServerProcess } from "../helpers/process.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let database: TestDatabase;
let server: ServerProcess | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  if (server?.child.exitCode === null) await server.kill9();
  await database?.drop();
});

describe("npm run build", () => {
  it("emits the Dockerfile's CMD target, which serves the API", async () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(`${ROOT}/Dockerfile`, "utf8"))![1];
    const [program, ...args] = JSON.parse(cmd) as string[];
    expect(program).toBe("node");
    await promisify(execFile)("npm", ["run", "build"], { cwd: ROOT });
    expect(existsSync(`${ROOT}/${args[0]}`)).toBe(true);

    server = await spawnServer({ DATABASE_URL: database.url }, { entry: args });
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ namespaces }" }) });
    expect(await res.json()).toEqual({ data: { namespaces: [] } });
    expect(await server.stop()).toBe(0);
  }, 180_000);
});
