// The process's logger: pino underneath the small leveled interface the code calls (message, then
// fields). JSON lines on stdout, or pino-pretty when stdout is a terminal.
import { pino, type DestinationStream } from "pino";
import pretty from "pino-pretty";
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
  const stream = destination ?? (process.stdout.isTTY ? pretty({ colorize: true, sync: true, destination: 1 }) : pino.destination({ dest: 1, sync: true }));
  const p = pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, stream);
  const logger = {} as Logger;
  for (const at of LEVELS) logger[at] = (msg, fields) => (fields ? p[at](fields, msg) : p[at](msg));
  return logger;
}
