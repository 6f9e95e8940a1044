// Concurrent connections per client address (issue 10 §3): past CONNECTIONS_PER_ADDRESS a new
// connection is answered 429 RATE_LIMITED and closed; a closed one makes room again.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.ts";
import { waitFor } from "../helpers/wait.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ controllers: false, simulator: false, connectionsPerAddress: 3 });
});
afterAll(async () => {
  await app?.stop();
});

const open = (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(app.url);
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });

/** what the server sends on a fresh connection before the client sends anything, until it closes */
const unsolicited = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.once("close", () => resolve(text));
  });

it("the connection past the cap gets 429 RATE_LIMITED; closing one makes room", async () => {
  const held = await Promise.all([open(), open(), open()]);
  const refused = await open();
  const answer = await unsolicited(refused);
  expect(answer).toMatch(/^HTTP\/1\.1 429 /);
  expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)).errors[0].extensions.code).toBe("RATE_LIMITED");

  held.pop()!.destroy();
  const body = await waitFor(
    () => app.gql("{ namespaces }").catch(() => null),
    (b) => b?.data?.namespaces !== undefined,
    { what: "a query once a connection closed" },
  );
  expect(body!.errors).toBeUndefined();
  for (const socket of held) socket.destroy();
});
