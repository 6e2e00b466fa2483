import { performance } from "node:perf_hooks";
import { z } from "zod";
import { ExitCode, type ExitCodeValue } from "../model/errors.js";
import { toSearchHitJson } from "../model/search-result.js";
import { UsageError } from "../model/errors.js";
import { METRIC_NAMES, type MetricName, type QueryScores, type RelevantItem, type ScoreGroup, meanScores, meanScoresByGroup, scoreQuery } from "../rank/index.js";
import { readJsonLines } from "./json-lines.js";
import { type RankingCliOptions, toSearchRequest } from "./ranking-options.js";
import { openCliSearchSession } from "./search-command.js";
import type { SearchRequest } from "../model/search.js";
import type { SearchSession } from "../pipeline/index.js";

/** Parsed options of `codesearch eval`. */
export interface EvalCommandOptions extends RankingCliOptions {
  repo?: string;
  db?: string;
  json?: boolean;
  perQuery?: boolean;
  offline?: boolean;
  /** Comma-separated query fields to report the metrics by, e.g. `category`. */
  groupBy?: string;
}

/** Results retrieved per query: the metrics look at the top 10. */
export const EVAL_DEPTH = 10;

/** Metric labels as the reference scorer prints them. */
export const METRIC_LABELS: Record<MetricName, string> = {
  mrrAt10: "MRR@10",
  recallAt1: "Recall@1",
  recallAt5: "Recall@5",
  recallAt10: "Recall@10",
  ndcgAt10: "nDCG@10",
};

const line = z.number().int();
/** The fields that place an answer within its file; a file-level answer (no name) has none. */
const LINE_FIELDS = ["start_line", "end_line", "decorated_start_line", "alt_start_lines", "alt_ranges"] as const;
const relevantSchema = z
  .object({
    file: z.string().min(1),
    qualname: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    start_line: line.optional(),
    end_line: line.optional(),
    decorated_start_line: line.optional(),
    alt_start_lines: z.array(line).optional(),
    alt_ranges: z.array(z.tuple([line, line])).optional(),
  })
  .refine((r) => r.qualname !== undefined || r.name !== undefined || LINE_FIELDS.every((field) => r[field] === undefined));
const evalQuerySchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  query: z.string().min(1),
  category: z.string().min(1).optional(),
  relevant: z.array(relevantSchema).min(1),
});
const EVAL_QUERY_SHAPE = '{"query": "...", "category"?, "relevant": [{"file", "qualname" or "name", "start_line"?, "end_line"?} or {"file"}, ...]}';

/** One line of an eval queries file. */
export type EvalQuery = z.infer<typeof evalQuerySchema>;

/** The relevant items of a query line in the metrics' shape. */
export function toRelevantItems(query: EvalQuery): RelevantItem[] {
  return query.relevant.map((r) => ({
    file: r.file,
    ...(r.qualname !== undefined ? { qualname: r.qualname } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.start_line !== undefined ? { startLine: r.start_line } : {}),
    ...(r.end_line !== undefined ? { endLine: r.end_line } : {}),
    ...(r.decorated_start_line !== undefined ? { decoratedStartLine: r.decorated_start_line } : {}),
    ...(r.alt_start_lines !== undefined ? { altStartLines: r.alt_start_lines } : {}),
    ...(r.alt_ranges !== undefined ? { altRanges: r.alt_ranges } : {}),
  }));
}

/** Median and 90th percentile (nearest rank) of `values` in ms, rounded to 0.1 ms; 0 for none. */
export function latencySummary(values: readonly number[]): { medianMs: number; p90Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const median = sorted.length % 2 === 1 ? at(0.5) : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  return { medianMs: Math.round(median * 10) / 10, p90Ms: Math.round(at(0.9) * 10) / 10 };
}

/**
 * Runs `codesearch eval <queries.jsonl>`: every query against the current index (top
 * {@link EVAL_DEPTH}, the chosen mode and filters), then MRR@10, Recall@1/5/10 and nDCG@10 averaged
 * over the queries, and the per-query search latency (model loaded once, query embedding
 * included). Prints a table, or one JSON object with `--json`; `--group-by category` adds the
 * means per value of each named query field; `--per-query` adds each query's first relevant rank
 * (and, in JSON, its metrics, for paired comparisons). Returns exit code 0.
 * @throws UsageError for an unreadable or malformed queries file, or a `--group-by` field no
 *   query has; IndexNotFoundError, IndexMismatchError, ModelLoadError, StoreError.
 */
export async function runEvalCommand(queriesFile: string, options: EvalCommandOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  const queries = await readJsonLines(cwd, queriesFile, evalQuerySchema, EVAL_QUERY_SHAPE);
  const groupFields = parseGroupFields(options.groupBy, queries);
  const request = toSearchRequest(options, EVAL_DEPTH);
  const session = await openCliSearchSession(cwd, options);
  const fusion = request.mode === "hybrid" ? fusionReport(session, request) : null;
  const scores: QueryScores[] = [];
  const latencies: number[] = [];
  try {
    for (const query of queries) {
      const startedAt = performance.now();
      const hits = await session.search(query.query, request);
      latencies.push(performance.now() - startedAt);
      const found = hits.map((hit) => toSearchHitJson(hit)).map((h) => ({ file: h.file, qualname: h.qualname, startLine: h.start_line }));
      scores.push(scoreQuery(toRelevantItems(query), found));
    }
  } finally {
    await session.close();
  }
  const mean = meanScores(scores);
  const latency = latencySummary(latencies);
  const groups = groupFields.map((field) => ({ field, groups: meanScoresByGroup(scores, queries.map((q) => groupValues(q, field))) }));
  const perQuery = queries.map((q, i) => ({
    id: q.id ?? null,
    query: q.query,
    ...(q.category !== undefined ? { category: q.category } : {}),
    first_rank: scores[i]?.firstRank ?? null,
    metrics: metricsJson(scores[i]!),
  }));
  if (options.json) {
    const grouped = Object.fromEntries(groups.map(({ field, groups: g }) => [field, Object.fromEntries(g.map((group) => [group.value, { queries: group.queries, metrics: metricsJson(group.mean) }]))]));
    const out = {
      mode: request.mode,
      ...(fusion ? { fusion } : {}),
      queries: queries.length,
      metrics: metricsJson(mean),
      ...(groups.length > 0 ? { groups: grouped } : {}),
      latency_ms: { median: latency.medianMs, p90: latency.p90Ms },
    };
    process.stdout.write(`${JSON.stringify(options.perQuery ? { ...out, per_query: perQuery } : out)}\n`);
    return ExitCode.Success;
  }
  const lines = [`mode ${request.mode}, ${queries.length} queries`];
  if (fusion) lines.push(`fusion     vector weight ${fusion.vector_weight} (${fusion.source}), lexical ${fusion.lexical_weight}, names ${fusion.name_weight}, RRF k ${fusion.k}`);
  for (const name of METRIC_NAMES) lines.push(`${METRIC_LABELS[name].padEnd(10)} ${mean[name].toFixed(4)}`);
  lines.push(`latency    median ${latency.medianMs} ms, p90 ${latency.p90Ms} ms per query`);
  for (const { field, groups: g } of groups) lines.push("", ...groupTable(field, g));
  if (options.perQuery) {
    lines.push("");
    for (const q of perQuery) lines.push(`${(q.first_rank === null ? "miss" : `rank ${q.first_rank}`).padEnd(8)} ${q.id ?? "-"}  ${JSON.stringify(q.query)}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.Success;
}

/**
 * The fields of `--group-by` (comma-separated, blanks dropped), in order.
 * @throws UsageError when no query carries one of them.
 */
export function parseGroupFields(groupBy: string | undefined, queries: readonly Record<string, unknown>[]): string[] {
  const fields = [...new Set((groupBy ?? "").split(",").map((f) => f.trim()).filter((f) => f !== ""))];
  for (const field of fields) {
    if (!queries.some((q) => groupValues(q, field).length > 0)) throw new UsageError(`--group-by ${field}: no query has a "${field}" field`);
  }
  return fields;
}

/** A query's values of `field` as group names (as evaluate.py's --group-by): a list gives each element, a missing field none. */
export function groupValues(query: Record<string, unknown>, field: string): string[] {
  const value = query[field];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

/** The text rows of one `--group-by` field: a header, then one row per value with its query count and means. */
function groupTable(field: string, groups: readonly ScoreGroup[]): string[] {
  const width = Math.max(field.length + 3, ...groups.map((g) => g.value.length)) + 2;
  const header = `${`by ${field}`.padEnd(width)} ${"n".padStart(5)}  ${METRIC_NAMES.map((name) => METRIC_LABELS[name].padStart(9)).join(" ")}`;
  return [header, ...groups.map((g) => `${g.value.padEnd(width)} ${String(g.queries).padStart(5)}  ${METRIC_NAMES.map((name) => g.mean[name].toFixed(4).padStart(9)).join(" ")}`)];
}

function metricsJson(values: Record<MetricName, number>): Record<string, number> {
  return Object.fromEntries(METRIC_NAMES.map((name) => [METRIC_LABELS[name], round(values[name])]));
}

/** Hybrid mode's weights as eval reports them, and where they came from: `--vector-weight`, calibration, or the uncalibrated default. */
function fusionReport(session: SearchSession, request: SearchRequest) {
  const calibrated = session.manifest.fusion?.calibrated === true;
  return {
    vector_weight: request.vectorWeight ?? session.fusion.vector,
    lexical_weight: session.fusion.lexical,
    name_weight: session.fusion.name,
    k: session.fusion.k,
    source: request.vectorWeight !== undefined ? "--vector-weight" : calibrated ? "calibrated" : "uncalibrated default",
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
