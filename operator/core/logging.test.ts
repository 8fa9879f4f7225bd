import { describe, expect, it } from "vitest";
import { createLogger, formatTextLine } from "./logging.js";

function capture(format: "json" | "text") {
  const lines: string[] = [];
  const log = createLogger({
    format,
    level: "debug",
    destination: { write: (line: string) => lines.push(line) },
  });
  return { log, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level, ISO time, message and bound fields", () => {
    const { log, lines } = capture("json");
    log.child({ controller: "modsvc", key: "ns/a" }).info({ durationMs: 3 }, "reconciled");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: "info",
      controller: "modsvc",
      key: "ns/a",
      durationMs: 3,
      msg: "reconciled",
    });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
  });

  it("writes readable text lines in text format", () => {
    const { log, lines } = capture("text");
    log.warn({ key: "ns/a", err: "boom bang" }, "reconcile failed");
    expect(lines[0]).toMatch(/^\S+Z WARN {2}reconcile failed key=ns\/a err="boom bang"\n$/);
  });

  it("passes through lines that are not JSON", () => {
    expect(formatTextLine("plain")).toBe("plain");
  });
});
