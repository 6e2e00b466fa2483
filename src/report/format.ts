/**
 * Small pure text formatters shared by the plain reporter and the Ink view: durations, rates,
 * counts, sizes, locations, one-line reasons and the embedding progress line. Deterministic:
 * no locale lookups, no clock.
 */
import { assertNever } from "../model/events.js";
import type { SkipReason } from "../model/types.js";
import type { WatchState } from "../model/watch-events.js";
import { entitiesDone, entitiesRemaining } from "./progress-state.js";
import type { CurrentEntity, ProgressState } from "./progress-state.js";

/**
 * A duration for humans: `320 ms` below 1 s, `1.2 s` below a minute, `3 m 05 s` below an hour,
 * then `1 h 02 m`. Negative or non-finite input reads as `0 ms`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "0 ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  return formatMinutes(Math.round(ms / 1000));
}

/**
 * A remaining time, coarser than `formatDuration`: whole seconds rounded up below a minute
 * (`2 s`, never `0 s` for a positive ETA), then `3 m 05 s` / `1 h 02 m`; null reads as `?`.
 */
export function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "?";
  if (ms <= 0) return "0 s";
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return formatMinutes(seconds);
}

function formatMinutes(totalSeconds: number): string {
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} m ${pad2(totalSeconds % 60)} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} m`;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}

/** A rate in entities per second: `35.2/s` below 100, `120/s` from 100; null reads as `?/s`. */
export function formatRate(perSec: number | null): string {
  if (perSec === null || !Number.isFinite(perSec)) return "?/s";
  return perSec >= 100 ? `${Math.round(perSec)}/s` : `${perSec.toFixed(1)}/s`;
}

/** An integer count with comma thousands separators: `12,345` (locale-independent). */
export function formatCount(value: number): string {
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A whole-number percentage of a fraction in [0, 1]: `42%`; floored so 99.9% never reads 100%. */
export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  return `${Math.floor(clamped * 100)}%`;
}

/** A size in bytes: `512 B`, `12.0 KB`, `2.1 MB`, `1.5 GB` (1 KB = 1024 B). */
export function formatBytes(sizeBytes: number): string {
  if (sizeBytes < 1024) return `${Math.max(0, Math.round(sizeBytes))} B`;
  const units = ["KB", "MB", "GB", "TB"] as const;
  let value = sizeBytes / 1024;
  let unit: (typeof units)[number] = "KB";
  for (const next of units.slice(1)) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** Human words for a skip reason: `too large`, `binary`, `symbolic link, not followed`, `not a regular file`. */
export function formatSkipReason(reason: SkipReason): string {
  switch (reason) {
    case "too-large":
      return "too large";
    case "binary":
      return "binary";
    case "symlink":
      return "symbolic link, not followed";
    case "not-regular-file":
      return "not a regular file";
    case "generated":
      return "generated or vendored code";
    default:
      return assertNeverReason(reason);
  }
}

function assertNeverReason(value: never): never {
  throw new Error(`unhandled skip reason: ${String(value)}`);
}

/**
 * What is worth saying about how the embedding cache was found: `new cache`, `cache was corrupt,
 * moved to <path>; rebuilding`, `cache was of an older format without checksums; replaced,
 * rebuilding`, and `N damaged cache entries dropped; re-embedding`. Empty for a cache loaded intact
 * (or not yet checked); `mentionNew: false` leaves out the note of a new cache (the normal first run).
 */
export function formatCacheNotes(
  state: Pick<ProgressState, "cacheState" | "cacheSetAsidePath" | "cacheEntriesDiscarded">,
  options: { mentionNew?: boolean } = {},
): string[] {
  const notes: string[] = [];
  switch (state.cacheState) {
    case null:
    case "loaded":
      break;
    case "new":
      if (options.mentionNew ?? true) notes.push("new cache");
      break;
    case "corrupt-rebuilt":
      notes.push(state.cacheSetAsidePath ? `cache was corrupt, moved to ${state.cacheSetAsidePath}; rebuilding` : "cache was corrupt; rebuilding");
      break;
    case "outdated-replaced":
      notes.push("cache was of an older format without checksums; replaced, rebuilding");
      break;
    default:
      assertNever(state.cacheState);
  }
  if (state.cacheEntriesDiscarded > 0) {
    notes.push(`${plural(state.cacheEntriesDiscarded, "damaged cache entry", "damaged cache entries")} dropped; re-embedding`);
  }
  return notes;
}

/** `path:line`, or just `path` when the line is unknown. */
export function formatLocation(path: string, line?: number | null): string {
  return line === undefined || line === null ? path : `${path}:${line}`;
}

/** `pkg/mod.py:12 Foo.bar` for the entity the model handled last (name left out when empty). */
export function formatCurrentEntity(entity: CurrentEntity): string {
  const location = formatLocation(entity.path, entity.line);
  return entity.qualifiedName ? `${location} ${entity.qualifiedName}` : location;
}

/**
 * `text` on one line: whitespace runs (newlines included) collapse to one space, and text longer
 * than `maxLength` characters is cut and ends in `…` (the result is at most `maxLength` long).
 */
export function oneLine(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const collapsed = text.replace(/\s+/g, " ").trim();
  if (collapsed.length <= maxLength) return collapsed;
  if (maxLength <= 1) return "…".slice(0, Math.max(0, maxLength));
  return `${collapsed.slice(0, maxLength - 1).trimEnd()}…`;
}

/** `word` for 1, else `word` + `s` (or the given plural): `1 file`, `3 files`. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${formatCount(count)} ${count === 1 ? word : pluralWord}`;
}

/**
 * The embedding progress line of the plain reporter:
 * `embedded 120/190  (35.2/s, ETA 2 s)  current: pkg/mod.py:12 Foo.bar`, where 120 counts the
 * entities embedded and 190 the cache misses; `, 3 failed` follows the counts when some failed,
 * the ETA reads `done` once every miss is handed back, and the current part is left out before
 * the first chunk.
 */
export function formatEmbedProgressLine(state: ProgressState): string {
  const failed = state.entitiesFailed > 0 ? `, ${formatCount(state.entitiesFailed)} failed` : "";
  const eta = entitiesRemaining(state) === 0 ? "done" : `ETA ${formatEta(state.etaMs)}`;
  const head = `embedded ${formatCount(state.entitiesEmbedded)}/${formatCount(state.entitiesToEmbed)}${failed}`;
  const speed = `(${formatRate(state.embedRatePerSec)}, ${eta})`;
  const current = state.currentEntity ? `  current: ${formatCurrentEntity(state.currentEntity)}` : "";
  return `${head}  ${speed}${current}`;
}

/** `130/310`: entities done (cached + embedded + failed) of all entities found. */
export function formatEntitiesDone(state: ProgressState): string {
  return `${formatCount(entitiesDone(state))}/${formatCount(state.entitiesTotal)}`;
}

/**
 * A text progress bar `width` characters wide: `█` for the done share of `fraction` (rounded
 * down, clamped to [0, 1]), `░` for the rest; a null fraction draws an empty bar.
 */
export function formatBar(fraction: number | null, width: number): string {
  const cells = Math.max(0, Math.floor(width));
  const done = fraction === null ? 0 : Math.floor(Math.min(1, Math.max(0, fraction)) * cells);
  return "█".repeat(done) + "░".repeat(cells - done);
}

/**
 * What a watcher is doing, as one phrase, for `codesearch status` and the MCP `status` tool alike:
 * `up to date`, `refreshing`, `stale since <ISO time>, a refresh follows`, `stopped following
 * edits: <why>` or `the last refresh failed: <why>` (each reason on one line, at most 160 characters).
 */
export function formatWatchState(state: WatchState): string {
  switch (state.phase) {
    case "failed":
    case "stopped":
      return `stopped following edits: ${oneLine(state.watcherError ?? "the watcher stopped", 160)}`;
    case "pending":
      return `stale since ${state.pendingSince ?? "a moment ago"}, a refresh follows`;
    case "starting":
    case "refreshing":
      return "refreshing";
    case "idle":
      return state.fresh ? "up to date" : `the last refresh failed: ${oneLine(state.lastRefresh?.error ?? "stopped early", 160)}`;
  }
}
