// A client example (client-examples/<name>/main.ts) run as its user would run it: a child process
// with flags, its stdout and stderr collected, waited on by output or by exit.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { startRolloutApp, stopRolloutApp, type Database } from "./rollout.ts";
import type { TestApp } from "./app.ts";
import { waitFor } from "./wait.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ExampleRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout split into lines (no trailing empty line) */
  lines(): string[];
  exited: Promise<number | null>;
  /** waits until stdout or stderr matches */
  output(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Kills every example still running (for afterAll: a failed test leaves none behind). */
export function killExamples(): void {
  for (const child of running) child.kill("SIGKILL");
}

export function runExample(example: string, args: string[], env: Record<string, string> = {}): ExampleRun {
  const child = spawn(process.execPath, ["--import", "tsx", `client-examples/${example}/main.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, DEPLOYE_URL: "", DEPLOYE_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1),
    exited,
    async output(pattern, timeoutMs = 20_000) {
      await waitFor(async () => out + err, (text) => pattern.test(text), { timeoutMs, what: `output matching ${pattern}` });
    },
  };
}

/** Runs to the end; returns the exit code with the output. */
export async function runToEnd(example: string, args: string[], env: Record<string, string> = {}) {
  const run = runExample(example, args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr(), lines: run.lines() };
}

/** The rollout app (startRolloutApp) of an examples test file, stopped after it with every example it ran. */
export function exampleApp(): { app: TestApp; db: Database } {
  const state = {} as { app: TestApp; db: Database };
  beforeAll(async () => void Object.assign(state, await startRolloutApp()));
  afterAll(async () => {
    killExamples();
    await stopRolloutApp(state.app, state.db);
  });
  return state;
}
