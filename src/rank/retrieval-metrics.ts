/**
 * Retrieval metrics of one ranked result list against the known answers of a query, with the
 * matching rules of the project's reference scorer (`../shared/eval/evaluate.py`), so both give the
 * same numbers on the same run; one addition: a file-level answer (a file without a name), which
 * evaluate.py never matches, is matched by any hit in that file (the dev sets of `devsets/`).
 */

/**
 * A known answer of a query; lines are 1-based and inclusive. With neither `qualname` nor `name`
 * it is a file-level answer: any hit in the file matches it, whatever its name and lines.
 */
export interface RelevantItem {
  /** Path of the file; a result matches when one path ends the other at a `/`. */
  file: string;
  /** Qualified name (`Class.method`); `name` is used when absent; neither: a file-level answer. */
  qualname?: string;
  name?: string;
  startLine?: number;
  endLine?: number;
  /** First decorator line, when the definition is decorated. */
  decoratedStartLine?: number;
  /** Other acceptable start lines (±`lineSlack`), e.g. overload stubs. */
  altStartLines?: number[];
  /** Other acceptable spans `[first, last]`. */
  altRanges?: [number, number][];
}

/** One returned hit, as far as matching needs it. */
export interface ResultLocation {
  file: string;
  qualname: string;
  startLine: number;
}

/** Scores of one query; each in [0, 1]. */
export interface QueryScores {
  /** 1 / rank of the first relevant hit within the top 10, else 0. */
  mrrAt10: number;
  /** Fraction of the relevant items found within the top 1, 5, 10. */
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  /** Binary-gain nDCG over the top 10; the ideal list has min(#relevant, 10) hits. */
  ndcgAt10: number;
  /** 1-based rank of the first relevant hit in the whole list, null when none. */
  firstRank: number | null;
}

/** The metric fields of {@link QueryScores}, in report order. */
export const METRIC_NAMES = ["mrrAt10", "recallAt1", "recallAt5", "recallAt10", "ndcgAt10"] as const;

/** A metric name of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Line tolerance around a start line when a relevant item has no end line. */
export const DEFAULT_LINE_SLACK = 2;

const CUTOFF = 10;

/**
 * Scores `results` (best first) against `relevant`. Each relevant item is credited at most once
 * (one point per answer target, however many hits match it), each result satisfies at most one
 * item (the first uncredited one it matches). A result matches a file-level item (no name) when
 * the files match; it matches any other item when the files match (equal, or one ends the other at a `/`), the names match (equal, the
 * result's ends with `.` + the item's, or the result is undotted and equals the item's last part;
 * `::`, `:`, `#` read as `.`, `()` and `<locals>` ignored), and its start line lies in the item's
 * span (decorator line or start line to end line, or start ± `lineSlack` without an end line, or
 * an alternative range or start line; any line when the item has none).
 * @throws RangeError when `relevant` is empty.
 */
export function scoreQuery(relevant: readonly RelevantItem[], results: readonly ResultLocation[], lineSlack = DEFAULT_LINE_SLACK): QueryScores {
  if (relevant.length === 0) throw new RangeError("a query needs at least one relevant item");
  const credited = new Set<number>();
  const hitRanks: number[] = [];
  results.forEach((result, index) => {
    const item = relevant.findIndex((rel, i) => !credited.has(i) && matches(result, rel, lineSlack));
    if (item === -1) return;
    credited.add(item);
    hitRanks.push(index + 1);
  });
  const within = (cutoff: number) => hitRanks.filter((r) => r <= cutoff);
  const first = hitRanks[0] ?? null;
  const idealHits = Math.min(relevant.length, CUTOFF);
  let idealDcg = 0;
  for (let i = 1; i <= idealHits; i++) idealDcg += 1 / Math.log2(i + 1);
  const dcg = within(CUTOFF).reduce((sum, r) => sum + 1 / Math.log2(r + 1), 0);
  return {
    mrrAt10: first !== null && first <= CUTOFF ? 1 / first : 0,
    recallAt1: within(1).length / relevant.length,
    recallAt5: within(5).length / relevant.length,
    recallAt10: within(CUTOFF).length / relevant.length,
    ndcgAt10: dcg / idealDcg,
    firstRank: first,
  };
}

/** The mean of each metric over `scores` (all 0 for an empty list). */
export function meanScores(scores: readonly QueryScores[]): Record<MetricName, number> {
  const mean = {} as Record<MetricName, number>;
  for (const name of METRIC_NAMES) mean[name] = scores.length === 0 ? 0 : scores.reduce((sum, s) => sum + s[name], 0) / scores.length;
  return mean;
}

/** Whether `rel` is a file-level answer: a file without a qualified name or name. */
export function isFileLevel(rel: RelevantItem): boolean {
  return !rel.qualname && !rel.name;
}

function matches(result: ResultLocation, rel: RelevantItem, lineSlack: number): boolean {
  if (!pathsMatch(result.file, rel.file)) return false;
  if (isFileLevel(rel)) return true;
  return namesMatch(result.qualname, rel.qualname || rel.name || "") && lineMatches(result.startLine, rel, lineSlack);
}

function normalisePath(file: string): string {
  return file
    .replaceAll("\\", "/")
    .trim()
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

function pathsMatch(resultFile: string, relevantFile: string): boolean {
  const a = normalisePath(resultFile);
  const b = normalisePath(relevantFile);
  return a !== "" && b !== "" && (a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`));
}

function normaliseName(name: string): string {
  return name
    .trim()
    .replace(/::|:|#/g, ".")
    .replaceAll("()", "")
    .split(".")
    .filter((part) => part !== "" && part !== "<locals>")
    .join(".");
}

function namesMatch(resultName: string, relevantName: string): boolean {
  const result = normaliseName(resultName);
  const wanted = normaliseName(relevantName);
  if (result === "" || wanted === "") return false;
  if (result === wanted || result.endsWith(`.${wanted}`)) return true;
  return !result.includes(".") && result === wanted.split(".").pop();
}

function lineMatches(line: number, rel: RelevantItem, lineSlack: number): boolean {
  const spans: [number, number][] = [];
  if (rel.startLine !== undefined) {
    const first = rel.decoratedStartLine || rel.startLine;
    spans.push(rel.endLine !== undefined ? [Math.min(first, rel.startLine), rel.endLine] : [rel.startLine - lineSlack, rel.startLine + lineSlack]);
  }
  spans.push(...(rel.altRanges ?? []));
  for (const start of rel.altStartLines ?? []) spans.push([start - lineSlack, start + lineSlack]);
  return spans.length === 0 || spans.some(([a, b]) => a <= line && line <= b);
}

/** The mean scores of the queries that share one value of a grouping field. */
export interface ScoreGroup {
  /** The field's value, e.g. `symbol` for `category`. */
  value: string;
  /** Number of queries in the group. */
  queries: number;
  mean: Record<MetricName, number>;
}

/**
 * Mean scores per group: `valuesOf[i]` are the values of query `i` for one field (a query with
 * several values counts in each, with none in no group). Groups sorted by value.
 * @throws RangeError when the two lists differ in length.
 */
export function meanScoresByGroup(scores: readonly QueryScores[], valuesOf: readonly (readonly string[])[]): ScoreGroup[] {
  if (scores.length !== valuesOf.length) throw new RangeError(`${scores.length} scores but ${valuesOf.length} group lists`);
  const buckets = new Map<string, QueryScores[]>();
  scores.forEach((score, i) => {
    for (const value of new Set(valuesOf[i])) buckets.set(value, [...(buckets.get(value) ?? []), score]);
  });
  return [...buckets.keys()].sort().map((value) => ({ value, queries: buckets.get(value)!.length, mean: meanScores(buckets.get(value)!) }));
}
