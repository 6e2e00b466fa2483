// report/ owns turning indexing events into progress state (one pure reducer) and into text: plain lines, JSON lines, summary and failure table.
// It must not import ink or react, exit the process, read files or look at the clock; it imports only src/model/ and writes only to the streams it is given.
export { initialProgressState, entitiesDone, entitiesRemaining, progressFraction } from "./progress-state.js";
export { reduceProgress, RATE_WINDOW_MS, RATE_WINDOW_MAX_BUCKETS } from "./reduce-progress.js";
export type { ProgressState, ProgressPhase, CurrentEntity } from "./progress-state.js";
export {
  formatDuration,
  formatEta,
  formatRate,
  formatCount,
  formatPercent,
  formatBytes,
  formatSkipReason,
  formatCacheNotes,
  formatLocation,
  formatCurrentEntity,
  formatEmbedProgressLine,
  formatEntitiesDone,
  formatBar,
  formatWatchState,
  oneLine,
  plural,
} from "./format.js";
export {
  summaryRows,
  formatSummaryLines,
  failuresByStage,
  failureRow,
  formatFailureList,
  formatFailureTable,
  formatFailureTableLines,
  SUMMARY_LABEL_WIDTH,
} from "./summary-text.js";
export type { SummaryRow, SummaryTextOptions, FailureRow, FailureTableOptions, FailureTableText } from "./summary-text.js";
export { createPlainReporter, finishedHeadline } from "./plain-reporter.js";
export type { PlainReporterOptions } from "./plain-reporter.js";
export { createJsonLinesReporter, toJsonLine } from "./json-reporter.js";
export { escapeControlChars, terminalText } from "./terminal-text.js";
export { createJsonWatchReporter, createPlainWatchReporter, refreshHeadline } from "./watch-reporter.js";
