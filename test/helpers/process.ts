// The real server as a child process (`node --import tsx src/main.ts`), for tests that need
// several processes or a kill -9. A child never outlives the test process: one that does not
// start in time is killed, and every child still running when the test process exits is too.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** children that have not exited yet */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Pids of this process's live children, from /proc (Linux): what a test left running. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === process.pid && state !== "Z") pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, and wait until the process is gone */
  kill9(): Promise<void>;
  /** SIGTERM, and wait for a clean exit */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  startTimeoutMs?: number;
  /** node's arguments (default: the sources through tsx; the build: ["dist/main.js"]) */
  entry?: string[];
  /** aborted before the server started: it is killed and the start fails */
  signal?: AbortSignal;
}

export async function spawnServer(env: Record<string, string>, { startTimeoutMs = 30_000, entry = ["--import", "tsx", "src/main.ts"], signal }: SpawnOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    // a child that did not start must not outlive the failure: it is killed, and the failure
    // reported once it is gone
    let why = "";
    const giveUp = (reason: string) => {
      why ||= reason;
      void kill9();
    };
    const timer = setTimeout(() => giveUp(`did not start within ${startTimeoutMs} ms (killed)`), startTimeoutMs);
    const onAbort = () => giveUp("start aborted (killed)");
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort);
    const onData = () => {
      const m = /serving GraphQL and GraphiQL at ([^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        child.stdout!.off("data", onData);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      reject(new Error(`server ${why || `exited with ${code} before it started`}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    kill9,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
