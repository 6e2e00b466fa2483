/**
 * The reporter for pipes and CI: readable plain lines, no cursor movement, no ANSI colours; every
 * line goes through `terminalText`, so repository text cannot bring control sequences either.
 * It folds events with `reduceProgress` and prints from that state, throttling progress by the events' `elapsedMs`.
 */
import { assertNever } from "../model/events.js";
import type { IndexEvent, IndexEventSink } from "../model/events.js";
import { describeError } from "../model/errors.js";
import type { IndexFailure, IndexSummary } from "../model/types.js";
import { formatCacheNotes, formatCount, formatDuration, formatEmbedProgressLine, formatLocation, formatSkipReason, oneLine, plural } from "./format.js";
import { initialProgressState } from "./progress-state.js";
import { reduceProgress } from "./reduce-progress.js";
import type { ProgressState } from "./progress-state.js";
import { formatFailureTableLines, formatFusionLine, formatSummaryLines } from "./summary-text.js";
import { terminalText } from "./terminal-text.js";

/** Options of `createPlainReporter`. */
export interface PlainReporterOptions {
  /** A progress line is printed when this many ms (by event `elapsedMs`) passed since the last one; default 2000. */
  progressIntervalMs?: number;
  /** …or when the done share crossed another step of this size (0.1 = every 10%); default 0.1. */
  progressStep?: number;
  /** Failures listed in the final table before `… and N more`; default 20. */
  maxFailureRows?: number;
  /** Also print each failure's `cause` chain and every cache save; default false. */
  verbose?: boolean;
  /** The command that resumes a stopped run, as the user can type it; default `codesearch index`. */
  resumeCommand?: string;
}

/** Throttle of one counted phase: when and at which step a line was last printed. */
interface Throttle {
  lastPrintMs: number;
  lastStep: number;
}

/**
 * Returns a sink that writes one `\n`-terminated line per notable event to `out` (the CLI passes
 * stderr): `scanning /repo…`, `found 42 files, 3 skipped`, `extracted 310 entities from 42 files
 * in 1.2 s`, `cache: 120 hits, 190 misses`, `loading model X…`, `model loaded in 1.3 s (768-d)`,
 * throttled `extracted 10/42 files` and `embedded 120/190  (35.2/s, ETA 2 s)  current: …` lines,
 * `FAILED parse pkg/broken.py:7  syntax error` as each failure arrives, `storing 300 rows…`,
 * `stored 300 rows in 0.4 s`, and at `index-finished` the summary and the failure table.
 * Output depends only on the events (their `elapsedMs` included), never on the clock.
 */
export function createPlainReporter(out: NodeJS.WritableStream, options: PlainReporterOptions = {}): IndexEventSink {
  const intervalMs = options.progressIntervalMs ?? 2000;
  const step = options.progressStep ?? 0.1;
  const verbose = options.verbose ?? false;
  let state: ProgressState = initialProgressState();
  let extractThrottle: Throttle = { lastPrintMs: 0, lastStep: 0 };
  let embedThrottle: Throttle = { lastPrintMs: 0, lastStep: 0 };

  const write = (line: string): void => {
    out.write(`${terminalText(line)}\n`);
  };

  /** The next throttle when a line is due (`done/total` crossed a step, `intervalMs` passed, or all done), else null. */
  const shouldPrint = (throttle: Throttle, done: number, total: number, atMs: number): Throttle | null => {
    const currentStep = total > 0 && step > 0 ? Math.floor((done / total) / step + 1e-9) : 0;
    const due = currentStep > throttle.lastStep || atMs - throttle.lastPrintMs >= intervalMs || done >= total;
    return due ? { lastPrintMs: atMs, lastStep: currentStep } : null;
  };

  const writeFailure = (failure: IndexFailure): void => {
    const entity = failure.qualifiedName ? ` ${failure.qualifiedName}` : "";
    write(`FAILED ${failure.stage} ${formatLocation(failure.path, failure.line)}${entity}  ${oneLine(failure.message)}`);
    if (verbose && failure.cause !== undefined) write(`  cause: ${describeError(failure.cause)}`);
  };

  return (event: IndexEvent): void => {
    const previous = state;
    state = reduceProgress(state, event);
    switch (event.type) {
      case "run-started":
        write(`scanning ${event.repoRoot}…`);
        break;
      case "lock-waiting":
        write(`waiting for another index run (pid ${event.holderPid}, started ${event.holderStartedAt}) to finish…`);
        break;
      case "scan-finished":
        write(`found ${plural(event.fileCount, "file")}, ${formatCount(event.skipped.length)} skipped`);
        extractThrottle = { lastPrintMs: event.elapsedMs, lastStep: 0 };
        break;
      case "plan-ready":
        if (event.fullRebuildReason) write(`re-reading every file: ${event.fullRebuildReason}`);
        write(
          `${formatCount(event.filesToRead)} to read (${formatCount(event.filesAdded)} new, ${formatCount(event.filesChanged)} changed), ` +
            `${formatCount(event.filesUnchanged)} unchanged, ${formatCount(event.filesRemoved)} removed`,
        );
        break;
      case "file-skipped":
        write(`skipped ${event.skipped.path} (${formatSkipReason(event.skipped.reason)})`);
        break;
      case "stop-requested":
        write(
          event.reason === "interrupted"
            ? "stopping after the current batch; everything embedded so far will be saved (Ctrl-C again to quit at once)…"
            : "reached --max-items; stopping after the current batch…",
        );
        break;
      case "file-extracted": {
        if (state.filesDone === previous.filesDone || state.filesDone >= state.filesTotal) break;
        const next = shouldPrint(extractThrottle, state.filesDone, state.filesTotal, event.elapsedMs);
        if (next) {
          extractThrottle = next;
          write(`extracted ${formatCount(state.filesDone)}/${formatCount(state.filesTotal)} files`);
        }
        break;
      }
      case "file-failed":
        writeFailure(event.failure);
        break;
      case "extract-finished":
        if (event.fileCount === 0 && state.filesTotal === 0) break;
        write(
          `extracted ${plural(event.entityCount, "entity", "entities")} from ${plural(event.fileCount, "file")} ` +
            `in ${formatDuration(event.durationMs)}`,
        );
        break;
      case "cache-checked":
        if (event.hits + event.misses === 0) break;
        write(`cache: ${plural(event.hits, "hit")}, ${plural(event.misses, "miss", "misses")}${cacheNote(event)}`);
        break;
      case "model-loading":
        write(`loading model ${event.modelId}…`);
        break;
      case "model-loaded":
        write(`model loaded in ${formatDuration(event.durationMs)} (${event.dimension}-d)`);
        embedThrottle = { lastPrintMs: event.elapsedMs, lastStep: 0 };
        break;
      case "chunk-embedded":
      case "chunk-failed": {
        if (event.type === "chunk-failed") writeFailure(event.failure);
        const handed = state.entitiesEmbedded + state.entitiesFailed;
        const next = shouldPrint(embedThrottle, handed, state.entitiesToEmbed, event.elapsedMs);
        if (next) {
          embedThrottle = next;
          write(formatEmbedProgressLine(state));
        }
        break;
      }
      case "cache-saved":
        if (verbose) write(`cache saved (${plural(event.entryCount, "entry", "entries")})`);
        break;
      case "store-started":
        write(`storing ${plural(event.rowCount, "row")}…`);
        break;
      case "store-finished":
        write(`stored ${plural(event.rowCount, "row")} in ${formatDuration(event.durationMs)}${event.vectorIndexBuilt ? ` (vector index ${event.vectorIndexBuilt} built)` : ""}`);
        break;
      case "fusion-calibrating":
        write("calibrating hybrid search on the repository's documented functions…");
        break;
      case "fusion-calibrated":
        write(`fusion: ${formatFusionLine(event)}`);
        break;
      case "index-finished": {
        const { summary } = event;
        const failures = summary.failures.length;
        write(finishedHeadline(summary, options.resumeCommand));
        for (const line of formatSummaryLines(summary)) write(line);
        if (failures > 0) {
          write("");
          const tableOptions = options.maxFailureRows === undefined ? {} : { maxRows: options.maxFailureRows };
          for (const line of formatFailureTableLines(summary.failures, tableOptions)) write(line);
        }
        break;
      }
      default:
        assertNever(event);
    }
  };
}

function cacheNote(event: Extract<IndexEvent, { type: "cache-checked" }>): string {
  return formatCacheNotes({ cacheState: event.cacheState, cacheSetAsidePath: event.setAsidePath ?? null, cacheEntriesDiscarded: event.entriesDiscarded ?? 0 })
    .map((note) => ` (${note})`)
    .join("");
}

/**
 * First line of the end-of-run output: `finished`, `finished with 2 failures`, `dry run: …`, or for
 * a run stopped early what it committed, what is left, and `resumeCommand` (default
 * `codesearch index`) to continue, e.g. `interrupted: 23 files committed (52 entities in the
 * index); 55 files, 120 entities left — run \`codesearch index big\` to resume`.
 */
export function finishedHeadline(summary: IndexSummary, resumeCommand = "codesearch index"): string {
  const failures = summary.failures.length;
  const withFailures = failures === 0 ? "" : ` with ${plural(failures, "failure")}`;
  if (summary.dryRun) return `dry run: nothing was embedded or written${withFailures}`;
  if (summary.stopReason !== null) {
    const committed =
      summary.chunksStored === 0
        ? "nothing stored yet (vectors embedded so far are kept in the cache)"
        : `${plural(summary.filesIndexed, "file")} committed (${plural(summary.chunksStored, "entity", "entities")} in the index)`;
    const left = `${summary.filesPending > 0 ? `${plural(summary.filesPending, "file")}, ` : ""}${plural(summary.chunksPending, "entity", "entities")} left`;
    const what = summary.stopReason === "interrupted" ? "interrupted" : "stopped at --max-items";
    return `${what}${withFailures}: ${committed}; ${left} — run \`${resumeCommand}\` to ${summary.stopReason === "interrupted" ? "resume" : "continue"}`;
  }
  return failures === 0 ? "finished" : `finished${withFailures}`;
}
