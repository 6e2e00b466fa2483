/**
 * The end-of-run text shared by the plain reporter and the Ink view: labelled summary rows
 * (files, entities, skipped files, failures, time, index location) and the failure table.
 */
import type { FusionCalibratedEvent } from "../model/events.js";
import type { EmbeddingEstimate, IndexFailure, IndexSummary } from "../model/types.js";
import { formatBytes, formatCount, formatDuration, formatLocation, formatSkipReason, oneLine, plural } from "./format.js";

/** One line of the summary: a short label (`files`, `entities`, …; empty on continuation lines) and its text. */
export interface SummaryRow {
  label: string;
  value: string;
}

/** Options of `summaryRows` / `formatSummaryLines`. */
export interface SummaryTextOptions {
  /** Skipped files listed one per row before `… and N more`; default 10. */
  maxSkippedRows?: number;
}

/** Width the labels of `formatSummaryLines` are padded to (longest label `entities` + 2). */
export const SUMMARY_LABEL_WIDTH = 10;

/**
 * The summary as rows, in this order: `files`, `entities`, `estimate` (dry runs: see
 * {@link formatEstimate}), `skipped` (one row per skipped file,
 * continuation rows have an empty label), `failures` (only when there are some, counted by
 * stage), `time`, `index`. Example values:
 * `41 indexed of 42 (1 failed, 3 skipped)`, `23 indexed of 78; 55 left for the next run`, `310 found: 180 embedded, 120 from cache, 10 failed`,
 * `big/data.py (too large, 2.1 MB)`, `11: 1 parse, 10 embed`, `12.3 s`,
 * `/repo/.codesearch (300 rows, model X, 768-d)`.
 */
export function summaryRows(summary: IndexSummary, options: SummaryTextOptions = {}): SummaryRow[] {
  const maxSkippedRows = options.maxSkippedRows ?? 10;
  const rows: SummaryRow[] = [];
  const filesFailed = Math.max(0, summary.filesDiscovered - summary.filesUnchanged - summary.filesIndexed - summary.filesPending);
  const fileNotes = [
    ...(filesFailed > 0 ? [`${formatCount(filesFailed)} failed`] : []),
    ...(summary.filesSkipped.length > 0 ? [`${formatCount(summary.filesSkipped.length)} skipped`] : []),
  ];
  const incremental =
    (summary.filesUnchanged > 0 ? `, ${formatCount(summary.filesUnchanged)} unchanged` : "") +
    (summary.filesRemoved > 0 ? `, ${formatCount(summary.filesRemoved)} removed` : "");
  rows.push({
    label: "files",
    value:
      `${formatCount(summary.filesIndexed)} ${summary.dryRun ? "to read" : "indexed"}${incremental} of ${formatCount(summary.filesDiscovered)}` +
      (fileNotes.length > 0 ? ` (${fileNotes.join(", ")})` : "") +
      (summary.filesPending > 0 ? `; ${formatCount(summary.filesPending)} left for the next run` : ""),
  });

  const entitiesFailed = summary.failures.filter((f) => f.stage === "embed").length;
  rows.push({
    label: "entities",
    value:
      `${formatCount(summary.entitiesFound)} found: ${formatCount(summary.chunksEmbedded)} ${summary.dryRun ? "to embed" : "embedded"}, ` +
      `${formatCount(summary.chunksFromCache)} from cache${summary.chunksFromSharedCache ? ` (${formatCount(summary.chunksFromSharedCache)} from the shared cache)` : ""}, ${formatCount(entitiesFailed)} failed` +
      (summary.chunksRemoved > 0 ? `, ${formatCount(summary.chunksRemoved)} rows replaced or removed` : "") +
      (summary.chunksPending > 0 ? `, ${formatCount(summary.chunksPending)} left for the next run` : "") +
      (summary.chunksTruncated ? ` (${formatCount(summary.chunksTruncated)} truncated to the token limit)` : "") +
      (summary.entitySourcesCut ? ` (${plural(summary.entitySourcesCut.count, "entity's source", "entities' sources")} stored to the first ${formatCount(summary.entitySourcesCut.maxChars)} characters)` : ""),
  });

  if (summary.estimate) rows.push({ label: "estimate", value: formatEstimate(summary.estimate) });

  summary.filesSkipped.slice(0, maxSkippedRows).forEach((file, index) => {
    rows.push({
      label: index === 0 ? "skipped" : "",
      value: `${file.path} (${formatSkipReason(file.reason)}${file.reason === "too-large" || file.reason === "binary" ? `, ${formatBytes(file.sizeBytes)}` : ""})`,
    });
  });
  if (summary.filesSkipped.length > maxSkippedRows) {
    rows.push({
      label: maxSkippedRows === 0 ? "skipped" : "",
      value: `… and ${formatCount(summary.filesSkipped.length - maxSkippedRows)} more`,
    });
  }

  if (summary.failures.length > 0) {
    rows.push({ label: "failures", value: `${formatCount(summary.failures.length)}: ${failuresByStage(summary.failures)}` });
  }

  if (summary.sharedCacheProblem) rows.push({ label: "cache", value: `${summary.sharedCacheProblem} (not used this run; the index's own cache has every vector)` });
  rows.push({ label: "time", value: formatDuration(summary.durationMs) });
  rows.push({
    label: "index",
    value:
      summary.chunksStored === 0
        ? `${summary.indexDir} (nothing stored yet, model ${summary.modelId})`
        : `${summary.indexDir} (${plural(summary.chunksStored, "row")}, model ${summary.modelId}, ${summary.dimension}-d)`,
  });
  return rows;
}

/** `summaryRows` as text lines: label padded to `SUMMARY_LABEL_WIDTH`, then the value. */
export function formatSummaryLines(summary: IndexSummary, options: SummaryTextOptions = {}): string[] {
  return summaryRows(summary, options).map((row) => `${row.label.padEnd(SUMMARY_LABEL_WIDTH)}${row.value}`);
}

/** `1 parse, 10 embed`: failure counts per stage, in pipeline order, zero stages left out. */
export function failuresByStage(failures: readonly IndexFailure[]): string {
  const order = ["read", "parse", "embed", "store"] as const;
  return order
    .map((stage) => [stage, failures.filter((f) => f.stage === stage).length] as const)
    .filter(([, count]) => count > 0)
    .map(([stage, count]) => `${formatCount(count)} ${stage}`)
    .join(", ");
}

/** One failure as table cells: `pkg/mod.py:12`, `Foo.bar` (or `-`), `embed`, the reason on one line. */
export interface FailureRow {
  location: string;
  entity: string;
  stage: string;
  reason: string;
}

/** Options of `formatFailureTable`. */
export interface FailureTableOptions {
  /** Failures shown before `… and N more`; default 20. */
  maxRows?: number;
  /** Reasons longer than this many characters are cut with `…`; default 120. */
  maxReasonLength?: number;
}

/** The failure table as text: a header line, one line per shown failure, and the `… and N more` line or null. */
export interface FailureTableText {
  header: string;
  rows: string[];
  moreLine: string | null;
}

const MAX_LOCATION_WIDTH = 60;
const MAX_ENTITY_WIDTH = 40;

/** Cells of one failure; the reason is `message` on one line, cut to `maxReasonLength` characters. */
export function failureRow(failure: IndexFailure, maxReasonLength = 120): FailureRow {
  return {
    location: formatLocation(failure.path, failure.line),
    entity: failure.qualifiedName ? failure.qualifiedName : "-",
    stage: failure.stage,
    reason: oneLine(failure.message, maxReasonLength) || "-",
  };
}

/**
 * The failures (in the given order) as aligned columns `file:line  entity  stage  reason`, two
 * spaces apart. Columns are as wide as their widest shown cell (location at most 60 characters,
 * cut at the start with `…`; entity at most 40, cut at the end).
 */
export function formatFailureTable(
  failures: readonly IndexFailure[],
  options: FailureTableOptions = {},
): FailureTableText {
  const maxRows = Math.max(0, options.maxRows ?? 20);
  const cells = failures.slice(0, maxRows).map((f) => {
    const row = failureRow(f, options.maxReasonLength ?? 120);
    return { ...row, location: cutStart(row.location, MAX_LOCATION_WIDTH), entity: oneLine(row.entity, MAX_ENTITY_WIDTH) };
  });
  const header: FailureRow = { location: "file:line", entity: "entity", stage: "stage", reason: "reason" };
  const all = [header, ...cells];
  const locationWidth = Math.max(...all.map((r) => r.location.length));
  const entityWidth = Math.max(...all.map((r) => r.entity.length));
  const stageWidth = Math.max(...all.map((r) => r.stage.length));
  const line = (r: FailureRow): string =>
    [r.location.padEnd(locationWidth), r.entity.padEnd(entityWidth), r.stage.padEnd(stageWidth), r.reason].join("  ");
  const omitted = failures.length - cells.length;
  return {
    header: line(header).trimEnd(),
    rows: cells.map(line),
    moreLine: omitted > 0 ? `… and ${formatCount(omitted)} more` : null,
  };
}

/** One failure of {@link formatFailureList}: where (`file:line  entity`) and what (`stage: reason`). */
export interface FailureListEntry {
  where: string;
  what: string;
}

/**
 * The failures for a terminal too narrow for {@link formatFailureTable}'s columns: each as two
 * lines, `file:line  entity` and `stage: reason`, which the view wraps instead of cutting (the
 * reason is what a user needs most). Same row limit and `… and N more` line as the table.
 */
export function formatFailureList(failures: readonly IndexFailure[], options: FailureTableOptions = {}): { entries: FailureListEntry[]; moreLine: string | null } {
  const maxRows = Math.max(0, options.maxRows ?? 20);
  const entries = failures.slice(0, maxRows).map((f) => {
    const row = failureRow(f, options.maxReasonLength ?? 120);
    return { where: `${row.location}  ${oneLine(row.entity, MAX_ENTITY_WIDTH)}`, what: `${row.stage}: ${row.reason}` };
  });
  const omitted = failures.length - entries.length;
  return { entries, moreLine: omitted > 0 ? `… and ${formatCount(omitted)} more` : null };
}

/** Header, rows and the `… and N more` line of `formatFailureTable` as one list of lines. */
export function formatFailureTableLines(
  failures: readonly IndexFailure[],
  options: FailureTableOptions = {},
): string[] {
  const table = formatFailureTable(failures, options);
  return [table.header, ...table.rows, ...(table.moreLine === null ? [] : [table.moreLine])];
}

function cutStart(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `…${text.slice(text.length - maxLength + 1)}`;
}

/**
 * A dry run's cost estimate on one line: `~697,211 tokens (~4 characters per token) in 64 requests`,
 * then `, 3 over the token limit (truncated)` and `, 2 empty (skipped)` when there are any.
 */
export function formatEstimate(estimate: EmbeddingEstimate): string {
  return (
    `~${formatCount(estimate.tokens)} tokens (~4 characters per token) in ${plural(estimate.batches, estimate.batchUnit)}` +
    (estimate.truncated > 0 ? `, ${formatCount(estimate.truncated)} over the token limit (truncated)` : "") +
    (estimate.empty > 0 ? `, ${formatCount(estimate.empty)} empty (skipped)` : "")
  );
}

/**
 * How hybrid mode's weights were chosen, after the `fusion: ` label: `vector weight 0.4; <note>`,
 * plus `(N texts embedded, 2.1 s)` when calibration ran the model. The plain reporter prints it when
 * the event comes; the terminal view shows it under the final summary.
 */
export function formatFusionLine(event: Pick<FusionCalibratedEvent, "vectorWeight" | "note" | "modelCalls" | "durationMs">): string {
  return `vector weight ${event.vectorWeight}; ${event.note}${event.modelCalls > 0 ? ` (${event.modelCalls} texts embedded, ${formatDuration(event.durationMs)})` : ""}`;
}
