import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("loadConfig", () => {
  it("gives the documented defaults", () => {
    expect(loadConfig({})).toMatchObject({
      host: "127.0.0.1",
      port: 4000,
      databaseUrl: null,
      dataDir: "./.deploye/pgdata",
      logLevel: "info",
      controllers: true,
      workers: 4,
      resyncMs: 30_000,
      simulator: true,
      nodes: ["node-1", "node-2", "node-3"],
      nodeLeaseMs: 40_000,
      podStartupMs: 1000,
      maxGraceSeconds: null,
    });
  });

  it("reads variables, and flags over variables", () => {
    const config = loadConfig(
      { PORT: "5000", DATABASE_URL: "postgresql://u@h/db", SIMULATOR: "off", SIM_NODES: "a, b", CHANGELOG_MAX_ROWS: "off" },
      ["--port", "6000", "--log-level=debug"],
    );
    expect(config).toMatchObject({ port: 6000, databaseUrl: "postgresql://u@h/db", simulator: false, nodes: ["a", "b"], logLevel: "debug", changeLogMaxRows: null });
  });

  it.each([
    [{ PORT: "abc" }, [], "PORT must be an integer, got \"abc\""],
    [{ PORT: "70000" }, [], "PORT must be between 0 and 65535, got 70000"],
    [{ DATABASE_URL: "mysql://x" }, [], "DATABASE_URL must be a postgresql:// URL"],
    [{ LOG_LEVEL: "loud" }, [], "LOG_LEVEL must be one of debug, info, warn, error, silent, got \"loud\""],
    [{ SIMULATOR: "maybe" }, [], "SIMULATOR must be on or off, got \"maybe\""],
    [{}, ["--port", "x"], "--port must be an integer, got \"x\""],
    [{}, ["--nope", "1"], "unknown flag --nope"],
    [{}, ["--port"], "flag --port needs a value"],
  ])("refuses %j %j with one line naming the setting", (env, argv, message) => {
    expect(() => loadConfig(env, argv as string[])).toThrow(ConfigError);
    expect(() => loadConfig(env, argv as string[])).toThrow(message);
  });
});
