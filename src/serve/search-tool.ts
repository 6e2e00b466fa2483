import { performance } from "node:perf_hooks";
import { z } from "zod";
import { UsageError } from "../model/errors.js";
import { ENTITY_KINDS } from "../model/entity-kinds.js";
import { LANGUAGE_IDS } from "../lang/index.js";
import { SEARCH_MODES, type SearchRequest } from "../model/search.js";
import { type SearchHitJson, searchResultSchema, toSearchHitJson } from "../model/search-result.js";
import { candidateDepthFor } from "../pipeline/index.js";
import { CHARS_PER_TOKEN, DEFAULT_ANSWER_TOKENS, MIN_ANSWER_TOKENS, decodeCursor, encodeCursor, estimateTokens, searchFingerprint } from "./answer-budget.js";
import type { IndexService } from "./index-service.js";

/** Most hits one page may hold. */
export const MAX_PAGE_HITS = 50;
/** Most code lines shown either side of a hit's best-matching line. */
export const MAX_CONTEXT_LINES = 20;

/** Arguments of the `search` tool (published as its input schema). */
export const searchToolInput = {
  query: z.string().trim().min(1).describe("What to look for: plain words (\"parse the HTTP date header\") or code (`parse_header`, `Cart.total()`)."),
  limit: z.number().int().min(1).max(MAX_PAGE_HITS).default(10).describe(`Hits per page (1–${MAX_PAGE_HITS}); fewer come back when the size budget is reached.`),
  mode: z.enum(SEARCH_MODES as [string, ...string[]]).default("hybrid").describe("hybrid (default: meaning and words, fused), vector (meaning only) or lexical (words only; fastest)."),
  paths: z.array(z.string().min(1)).max(50).optional().describe("Globs over repository-relative paths, e.g. [\"src/**\", \"!**/migrations/**\"]; dir/ means everything below dir."),
  kinds: z.array(z.enum(ENTITY_KINDS)).optional().describe("Keep only these kinds of definition."),
  languages: z.array(z.enum(LANGUAGE_IDS as [string, ...string[]])).optional().describe("Keep only definitions in these languages (ids as `status` lists them)."),
  exclude_tests: z.boolean().optional().describe("Leave out test files and test_* functions."),
  context_lines: z.number().int().min(0).max(MAX_CONTEXT_LINES).default(3).describe("Code lines shown before and after each hit's best-matching line."),
  vector_weight: z.number().min(0).max(10).optional().describe("Hybrid mode only: weight of the meaning side against the words side (1 = equal); default: the index's calibrated weight."),
  cursor: z.string().min(1).optional().describe("next_cursor of the previous page, to fetch the following hits of the same search (same other arguments)."),
  max_tokens: z.number().int().min(MIN_ANSWER_TOKENS).optional().describe("Size budget of this answer in estimated tokens (default: the server's, normally 8000)."),
};

type SearchToolArgs = z.infer<z.ZodObject<typeof searchToolInput>>;

/** Freshness as the tools report it (see index-service.ts). */
export const freshnessSchema = z.object({
  watching: z.boolean(),
  state: z.enum(["unwatched", "fresh", "refreshing", "stale", "error"]),
  message: z.string().optional(),
  lastRefreshAt: z.string().optional(),
});

/** `structuredContent` of the `search` tool: `codesearch search --json`'s fields plus paging, timing and freshness. */
export const searchToolOutput = searchResultSchema.extend({
  /** Hits in this page. */
  count: z.number().int(),
  /** 0-based position of this page's first hit in the whole ranking. */
  offset: z.number().int(),
  has_more: z.boolean(),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  /** True when the size budget ended the page early or cut a snippet. */
  truncated: z.boolean(),
  /** Time spent ranking (query embedding included), in ms; excludes transport and rendering. */
  search_time_ms: z.number(),
  freshness: freshnessSchema,
});

/** The `search` tool's structured answer. */
export type SearchToolResult = z.infer<typeof searchToolOutput>;

/** What one call of the `search` tool returns (an MCP CallToolResult). */
export interface SearchToolAnswer {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent: SearchToolResult;
}

/**
 * Runs one `search` tool call: ranks with the index's session, slices the page the cursor asks for,
 * and fills it with hits while the whole answer (text + structured content, estimated as
 * characters ÷ 3) stays within `max_tokens`; a hit that does not fit starts the next page. A single
 * hit larger than the budget is sent with its snippet cut.
 * @throws UsageError for a cursor of another search; IndexNotFoundError; StoreError; model errors.
 */
export async function runSearchTool(service: IndexService, args: SearchToolArgs, defaultBudgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<SearchToolAnswer> {
  const session = await service.session();
  const budgetTokens = args.max_tokens ?? defaultBudgetTokens;
  const filters = {
    ...(args.paths?.length ? { paths: args.paths } : {}),
    ...(args.kinds?.length ? { kinds: args.kinds } : {}),
    ...(args.languages?.length ? { languages: args.languages } : {}),
    excludeTests: args.exclude_tests === true,
  };
  const mode = args.mode as SearchRequest["mode"];
  if (args.vector_weight !== undefined && mode !== "hybrid") throw new UsageError(`vector_weight applies to hybrid mode only, not mode ${mode}`);
  const weight = args.vector_weight !== undefined ? { vectorWeight: args.vector_weight } : {};
  const fingerprint = searchFingerprint([args.query, mode, filters, args.vector_weight ?? null]);
  const indexVersion = session.manifest.lastRun.finishedAt;
  const cursor = args.cursor === undefined ? null : decodeCursor(args.cursor);
  if (cursor && cursor.search !== fingerprint) throw new UsageError("cursor belongs to another search: repeat the query, mode and filters of the page that returned it");
  const offset = cursor?.offset ?? 0;
  const depth = cursor?.depth ?? candidateDepthFor(args.limit);

  const startedAt = performance.now();
  // One more than the page needs: it tells whether another page exists.
  const hits = await session.search(args.query, { limit: offset + args.limit + 1, mode, filters, candidateDepth: depth, ...weight });
  const searchTimeMs = Math.round((performance.now() - startedAt) * 100) / 100;
  const pageHits = hits.slice(offset, offset + args.limit);
  const warnings = await session.warnings(pageHits);
  if (cursor && cursor.indexVersion !== indexVersion) warnings.push("the index changed since the first page: hits may repeat or be missed; search again from the first page for a consistent list");

  const results = pageHits.map((hit) => toSearchHitJson(hit, { snippetLines: args.context_lines }));
  const answerFor = (page: SearchHitJson[], truncated: boolean): SearchToolAnswer => {
    const next = offset + page.length;
    const hasMore = hits.length > next;
    const structured: SearchToolResult = {
      query: args.query,
      mode,
      results: page,
      warnings,
      count: page.length,
      offset,
      has_more: hasMore,
      next_cursor: hasMore ? encodeCursor({ offset: next, depth, search: fingerprint, indexVersion }) : null,
      truncated,
      search_time_ms: searchTimeMs,
      freshness: service.freshness(),
    };
    return { content: [{ type: "text", text: renderSearchText(structured) }], structuredContent: structured };
  };
  const fits = (answer: SearchToolAnswer) => estimateTokens(JSON.stringify(answer)) <= budgetTokens;

  // The usual case, one serialisation: the whole page fits.
  const whole = answerFor(results, false);
  if (fits(whole)) return whole;
  // Otherwise grow the page hit by hit while the whole answer, measured as sent, fits.
  let count = 0;
  while (count < results.length && fits(answerFor(results.slice(0, count + 1), true))) count++;
  if (count > 0) return answerFor(results.slice(0, count), true);
  // Not even the first hit fits: send it with its snippet cut to what the budget leaves (the
  // snippet appears twice, in the text and the structured content, and JSON escaping may double it).
  const first = results[0]!;
  const withSnippet = (text: string): SearchHitJson => (first.snippet ? { ...first, snippet: { ...first.snippet, text } } : first);
  const spareTokens = budgetTokens - estimateTokens(JSON.stringify(answerFor([withSnippet("")], true)));
  const cut = answerFor([withSnippet(first.snippet?.text.slice(0, Math.max(0, Math.floor((spareTokens * CHARS_PER_TOKEN) / 4))) ?? "")], true);
  if (fits(cut)) return cut;
  const { snippet: _dropped, ...noSnippet } = first;
  return answerFor([noSnippet], true);
}

/** The compact text form of a search answer: one header line, warnings, then each hit's location line and numbered snippet. */
export function renderSearchText(result: SearchToolResult): string {
  const lines: string[] = [];
  const range = result.count === 0 ? "no hits" : `hits ${result.offset + 1}–${result.offset + result.count}`;
  lines.push(`${range} for ${JSON.stringify(result.query)} (${result.mode}, ${result.search_time_ms} ms)${result.has_more ? "; more with cursor=" + result.next_cursor : ""}`);
  if (result.freshness.state !== "fresh" && result.freshness.state !== "unwatched" && result.freshness.message) lines.push(`index: ${result.freshness.message}`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  for (const hit of result.results) {
    lines.push("", `${hit.file}:${hit.start_line}-${hit.end_line}  ${hit.qualname}  (${hit.kind})  id=${hit.id}`);
    if (!hit.snippet) continue;
    const width = String(hit.snippet.end_line).length;
    hit.snippet.text.split("\n").forEach((line, i) => {
      const number = hit.snippet!.start_line + i;
      lines.push(`${number === hit.match_line ? ">" : " "}${String(number).padStart(width)}  ${line}`);
    });
  }
  return lines.join("\n");
}
