/**
 * The `codesearch watch` reporters: one plain line per watch event (each refresh's outcome, and a
 * failure table when files failed), or every event as a JSON line.
 */
import { assertNever } from "../model/events.js";
import type { WatchEvent, WatchEventSink } from "../model/watch-events.js";
import type { IndexSummary } from "../model/types.js";
import { formatCount, formatDuration, plural } from "./format.js";
import { toJsonLine } from "./json-reporter.js";
import { finishedHeadline } from "./plain-reporter.js";
import { formatFailureTableLines } from "./summary-text.js";

/**
 * Returns a sink writing, to `out` (the CLI passes stderr), lines such as
 * `watching /repo (2 ignored directories not watched)`, `12:00:01 refreshing: 3 changed paths`,
 * `12:00:02 up to date: 1 file indexed, 0 removed; 4 entities embedded, 9 from cache; 340 rows (0.4 s)`,
 * `12:00:02 refresh failed (store): … — searches still see the last committed index` (or, while
 * `out.indexExists` says there is none, `— there is no index yet`) and
 * `watch error: … — the index no longer follows edits`. Times are the event's local `HH:MM:SS`.
 */
export function createPlainWatchReporter(out: { write(text: string): unknown; indexExists?: () => boolean }): WatchEventSink {
  const write = (line: string): void => void out.write(`${line}\n`);
  return (event: WatchEvent): void => {
    const at = clockTime(event.atMs);
    switch (event.type) {
      case "watch-started":
        write(`watching ${event.repoRoot} (${plural(event.unwatchedDirs.length, "ignored directory", "ignored directories")} not watched); Ctrl-C stops`);
        return;
      case "refresh-started":
        write(`${at} refreshing: ${event.reason === "start" ? "catching up with edits made before watching" : event.reason === "requested" ? "requested" : plural(event.changedPaths, "changed path")}`);
        return;
      case "refresh-finished":
        write(`${at} ${refreshHeadline(event.summary)}`);
        if (event.summary.failures.length > 0) for (const line of formatFailureTableLines(event.summary.failures)) write(`  ${line}`);
        return;
      case "refresh-failed":
        write(`${at} refresh failed (${event.code}): ${event.message} — ${(out.indexExists?.() ?? true) ? "searches still see the last committed index" : "there is no index yet"}`);
        return;
      case "watcher-failed":
        write(`${at} watch error: ${event.message} — the index no longer follows edits`);
        return;
      case "watch-stopped":
        write(`${at} stopped watching`);
        return;
      default:
        assertNever(event);
    }
  };
}

/** Returns a sink writing every watch event as one JSON line to `out` (the CLI passes stdout). */
export function createJsonWatchReporter(out: NodeJS.WritableStream): WatchEventSink {
  return (event) => void out.write(`${toJsonLine(event)}\n`);
}

/** `up to date: 1 file indexed, 2 removed; 4 entities embedded, 9 from cache; 340 rows (0.4 s)`, or the run's stop headline. */
export function refreshHeadline(summary: IndexSummary): string {
  const head = summary.stopReason !== null || summary.failures.length > 0 ? finishedHeadline(summary) : "up to date";
  return (
    `${head}: ${plural(summary.filesIndexed, "file")} indexed, ${formatCount(summary.filesRemoved)} removed; ` +
    `${plural(summary.chunksEmbedded, "entity", "entities")} embedded, ${formatCount(summary.chunksFromCache)} from cache; ` +
    `${plural(summary.chunksStored, "row")} (${formatDuration(summary.durationMs)})`
  );
}

function clockTime(atMs: number): string {
  const d = new Date(atMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
