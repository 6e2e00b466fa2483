/**
 * The `--json` reporter: every event as one JSON object per line, fields as in `IndexEvent`,
 * except that each `cause` becomes its `describeError` string. Never throws on odd values.
 */
import type { IndexEvent, IndexEventSink } from "../model/events.js";
import type { WatchEvent } from "../model/watch-events.js";
import { describeError } from "../model/errors.js";

/**
 * Returns a sink that writes `toJsonLine(event)` + `\n` to `out` for every event, in arrival
 * order (the CLI passes stdout).
 */
export function createJsonLinesReporter(out: NodeJS.WritableStream): IndexEventSink {
  return (event: IndexEvent): void => {
    out.write(`${toJsonLine(event)}\n`);
  };
}

/**
 * One event as a single line of JSON (no newline inside). `cause` fields at any depth become
 * `describeError(cause)` strings; Errors elsewhere become their description, bigints decimal
 * strings, typed arrays plain arrays, cycles `"[Circular]"`; functions, symbols and `undefined`
 * fields are left out. Should serialisation still fail, the line is
 * `{"type", "elapsedMs" (index events) or "atMs" (watch events), "error": "unserialisable event: …"}`.
 */
export function toJsonLine(event: IndexEvent | WatchEvent): string {
  try {
    return JSON.stringify(toJsonValue(event, new Set()));
  } catch (error) {
    return JSON.stringify({
      type: String(event.type),
      ...("elapsedMs" in event ? { elapsedMs: Number(event.elapsedMs) } : { atMs: Number(event.atMs) }),
      error: `unserialisable event: ${describeError(error)}`,
    });
  }
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function toJsonValue(value: unknown, ancestors: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : null;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (value instanceof Error) return describeSafely(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ancestors.has(value)) return "[Circular]";
  ancestors.add(value);
  try {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number | bigint>, (item) => toJsonValue(item, ancestors) ?? null);
    }
    if (Array.isArray(value)) return value.map((item) => toJsonValue(item, ancestors) ?? null);
    const result: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      const converted =
        key === "cause" ? (field === undefined ? undefined : describeSafely(field)) : toJsonValue(field, ancestors);
      if (converted !== undefined) result[key] = converted;
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}

/** `describeError`, or `unprintable value` for values whose string conversion throws (e.g. null-prototype objects). */
function describeSafely(value: unknown): string {
  try {
    return describeError(value);
  } catch {
    return "unprintable value";
  }
}
