// The process's logger: pino underneath the small leveled interface the code calls (message, then
// fields). JSON lines on stdout, or pino-pretty when stdout is a terminal.
import { createRequire } from "node:module";
import { pino, type DestinationStream } from "pino";
import type { LogLevel } from "./config.ts";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * A logger at `level`. Lines go to `destination` when given (tests), else to stdout: JSON lines,
 * or pretty when stdout is a terminal.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream = destination ?? (process.stdout.isTTY ? prettyStream() : pino.destination({ dest: 1, sync: true }));
  const p = pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, stream);
  const logger = {} as Logger;
  for (const at of LEVELS) logger[at] = (msg, fields) => (fields ? p[at](fields, msg) : p[at](msg));
  return logger;
}

/** pino-pretty, loaded only for a terminal (it is not needed for JSON lines). */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return pretty({ colorize: true, sync: true, destination: 1 });
}
