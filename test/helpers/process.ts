// The real server as a child process (`node --import tsx src/main.ts`), for tests that need
// several processes or a kill -9.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, and wait until the process is gone */
  kill9(): Promise<void>;
  /** SIGTERM, and wait for a clean exit */
  stop(): Promise<number | null>;
}

/** `entry`: node's arguments (default: the sources through tsx; the build: ["dist/main.js"]) */
export async function spawnServer(env: Record<string, string>, { startTimeoutMs = 30_000, entry = ["--import", "tsx", "src/main.ts"] }: { startTimeoutMs?: number; entry?: string[] } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${startTimeoutMs} ms:\n${out}`)), startTimeoutMs);
    const onData = () => {
      const m = /serving GraphQL and GraphiQL at ([^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it started:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
