// Structured logs: one JSON object per line (pino), or a readable single-line text form for
// a terminal. Reconcile lines carry `controller` and `key` via child loggers.
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go. Default: stdout. */
  destination?: { write(line: string): unknown };
}

/** `2025-01-01T00:00:00.000Z INFO  became leader identity=a lease=ns/x` */
export function formatTextLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...fields } = record;
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(" ");
  const head = `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? "")}`;
  return `${rest ? `${head} ${rest}` : head}\n`;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const destination: DestinationStream =
    options.format === "text" ? { write: (line: string) => out.write(formatTextLine(line)) } : out;
  return pino(
    {
      level: options.level ?? "info",
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
