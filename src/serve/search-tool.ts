import { performance } from "node:perf_hooks";
import { z } from "zod";
import { UsageError } from "../model/errors.js";
import { ENTITY_KINDS } from "../model/entity-kinds.js";
import { LANGUAGE_IDS } from "../lang/index.js";
import { SEARCH_MODES, type SearchRequest } from "../model/search.js";
import { type SearchHitJson, searchResultSchema, toSearchHitJson } from "../model/search-result.js";
import { candidateDepthFor, commitVersionKey } from "../pipeline/index.js";
import { escapeControlChars } from "../report/index.js";
import {
  CHARS_PER_TOKEN,
  DEFAULT_ANSWER_TOKENS,
  MAX_ANSWER_TOKENS,
  MIN_ANSWER_TOKENS,
  cutText,
  decodeCursor,
  encodeCursor,
  estimateTokens,
  searchFingerprint,
} from "./answer-budget.js";
import type { IndexService } from "./index-service.js";

/** Most hits one page may hold. */
export const MAX_PAGE_HITS = 50;
/** Most code lines shown either side of a hit's best-matching line. */
export const MAX_CONTEXT_LINES = 20;
/**
 * Longest query, in characters: ample for a sentence or a pasted signature (queries in code-search
 * sets are under 200), while the query embedder reads only its first few hundred tokens anyway.
 */
export const MAX_QUERY_CHARS = 2_000;
/** Most whitespace-separated words in a query: each word is a term the lexical side looks up. */
export const MAX_QUERY_WORDS = 256;
/** Longest query echoed back in an answer (`query` and the text's header); longer ones end in "…". */
export const MAX_QUERY_ECHO_CHARS = 200;
/** Most `paths` globs, and the longest one in characters. */
export const MAX_PATH_GLOBS = 50;
export const MAX_GLOB_CHARS = 500;
/** Longest cursor accepted, in characters (a cursor this server returns is under 200). */
export const MAX_CURSOR_CHARS = 1_000;

/** Arguments of the `search` tool (published as its input schema; docs/mcp-limits.md lists the limits). */
export const searchToolInput = {
  query: z
    .string()
    .trim()
    .min(1, "query is empty: give words or an identifier to look for")
    .max(MAX_QUERY_CHARS, `query is over ${MAX_QUERY_CHARS} characters: shorten it to the words that matter`)
    .refine((query) => query.split(/\s+/).length <= MAX_QUERY_WORDS, `query has over ${MAX_QUERY_WORDS} words: shorten it to the words that matter`)
    .describe(`What to look for: plain words ("parse the HTTP date header") or code (\`parse_header\`, \`Cart.total()\`); at most ${MAX_QUERY_CHARS} characters and ${MAX_QUERY_WORDS} words.`),
  limit: z.number().int().min(1).max(MAX_PAGE_HITS).default(10).describe(`Hits per page (1–${MAX_PAGE_HITS}); fewer come back when the size budget is reached.`),
  mode: z.enum(SEARCH_MODES as [string, ...string[]]).default("hybrid").describe("hybrid (default: meaning and words, fused), vector (meaning only) or lexical (words only; fastest)."),
  paths: z
    .array(
      z
        .string()
        .min(1)
        .max(MAX_GLOB_CHARS, `a paths glob is over ${MAX_GLOB_CHARS} characters`)
        .refine((glob) => glob !== "!", "a paths glob is only \"!\": write the pattern to leave out after it, e.g. \"!**/tests/**\""),
    )
    .max(MAX_PATH_GLOBS, `paths holds over ${MAX_PATH_GLOBS} globs`)
    .optional()
    .describe(`Globs over repository-relative paths, e.g. ["src/**", "!**/migrations/**"]; dir/ means everything below dir (at most ${MAX_PATH_GLOBS}).`),
  kinds: z.array(z.enum(ENTITY_KINDS)).max(ENTITY_KINDS.length).optional().describe("Keep only these kinds of definition."),
  languages: z.array(z.enum(LANGUAGE_IDS as [string, ...string[]])).max(LANGUAGE_IDS.length).optional().describe("Keep only definitions in these languages (ids as `status` lists them)."),
  exclude_tests: z.boolean().optional().describe("Leave out test files and test_* functions."),
  context_lines: z.number().int().min(0).max(MAX_CONTEXT_LINES).default(3).describe("Code lines shown before and after each hit's best-matching line."),
  vector_weight: z.number().min(0).max(10).optional().describe("Hybrid mode only: weight of the meaning side against the words side (1 = equal); default: the index's calibrated weight."),
  cursor: z
    .string()
    .min(1)
    .max(MAX_CURSOR_CHARS, "cursor is not one this server returned; pass next_cursor from the previous page unchanged")
    .optional()
    .describe("next_cursor of the previous page, to fetch the following hits of the same search (same other arguments)."),
  max_tokens: z
    .number()
    .int()
    .min(MIN_ANSWER_TOKENS)
    .max(MAX_ANSWER_TOKENS)
    .optional()
    .describe(`Size budget of this answer in estimated tokens (${MIN_ANSWER_TOKENS}–${MAX_ANSWER_TOKENS}; default: the server's, normally 8000).`),
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
 * characters ÷ 3) stays within `max_tokens` (see {@link fitPage}: every answer fits, whatever the
 * query, hits or warnings). The query is echoed cut to {@link MAX_QUERY_ECHO_CHARS}.
 * A cursor carries the key of the commit its first page read ({@link commitVersionKey}).
 * @throws UsageError for a cursor of another search, one this server did not return, or one of an
 *   earlier commit of the index (updated or rebuilt since); IndexNotFoundError; StoreError; model errors.
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
  const cursor = args.cursor === undefined ? null : decodeCursor(args.cursor);
  if (cursor && cursor.search !== fingerprint) throw new UsageError("cursor belongs to another search: repeat the query, mode and filters of the page that returned it");
  const offset = cursor?.offset ?? 0;
  const depth = cursor?.depth ?? candidateDepthFor(args.limit);

  const startedAt = performance.now();
  // One more than the page needs: it tells whether another page exists.
  const hits = await session.search(args.query, { limit: offset + args.limit + 1, mode, filters, candidateDepth: depth, ...weight });
  const searchTimeMs = Math.round((performance.now() - startedAt) * 100) / 100;
  // The commit this search read (it moves to the latest one first): another ranking than the first page's.
  const indexVersion = commitVersionKey(session.manifest);
  if (cursor && cursor.indexVersion !== indexVersion) {
    throw new UsageError("cursor belongs to an earlier state of the index (it was updated or rebuilt since the first page): search again without cursor");
  }
  const pageHits = hits.slice(offset, offset + args.limit);
  const warnings = await session.warnings(pageHits);

  const results = pageHits.map((hit) => toSearchHitJson(hit, { snippetLines: args.context_lines }));
  const freshness = service.freshness();
  const answerFor: AnswerBuilder = (page, truncated, squeeze = UNSQUEEZED) => {
    const next = offset + page.length + squeeze.skipped;
    const hasMore = hits.length > next;
    const cut = (text: string) => cutText(text, squeeze.textChars);
    const structured: SearchToolResult = {
      query: cutText(args.query, Math.min(MAX_QUERY_ECHO_CHARS, squeeze.textChars)),
      mode,
      results: page,
      warnings: [...warnings.map(cut).filter((w) => w !== ""), ...squeeze.notices],
      count: page.length,
      offset,
      has_more: hasMore,
      next_cursor: hasMore ? encodeCursor({ offset: next, depth, search: fingerprint, indexVersion }) : null,
      truncated,
      search_time_ms: searchTimeMs,
      freshness: freshness.message === undefined ? freshness : { ...freshness, message: cut(freshness.message) },
    };
    return { content: [{ type: "text", text: renderSearchText(structured) }], structuredContent: structured };
  };
  return fitPage(results, answerFor, budgetTokens, offset);
}

/** How far an answer's repeated free text is cut to fit its budget (see {@link fitPage}). */
interface Squeeze {
  /** Most characters kept of each warning and the freshness message (the query echo keeps at most MAX_QUERY_ECHO_CHARS anyway). */
  textChars: number;
  /** Hits passed over after the page: the next cursor starts after them. */
  skipped: number;
  /** Short fixed warnings saying what was cut. */
  notices: string[];
}

const UNSQUEEZED: Squeeze = { textChars: Number.POSITIVE_INFINITY, skipped: 0, notices: [] };

/** Builds the answer holding `page`; `truncated` says the budget cut something. */
type AnswerBuilder = (page: SearchHitJson[], truncated: boolean, squeeze?: Squeeze) => SearchToolAnswer;

/**
 * The fullest answer for `results` (one page, best first) within `budgetTokens`, each candidate
 * measured as sent (its JSON, ÷ {@link CHARS_PER_TOKEN}): the whole page; else the longest run of
 * its first hits (a hit that does not fit starts the next page); else the first hit with its
 * snippet cut to what the budget leaves, then without a snippet; else that hit (or no hit, for an
 * empty page) with the repeated free text cut short, then dropped; else no hit, the first one passed
 * over (`next_cursor` starts after it) with a warning saying so. The last form holds only the fixed
 * fields, a few hundred characters (under MIN_ANSWER_TOKENS), so every answer fits.
 */
function fitPage(results: SearchHitJson[], answerFor: AnswerBuilder, budgetTokens: number, offset: number): SearchToolAnswer {
  const fits = (answer: SearchToolAnswer) => estimateTokens(JSON.stringify(answer)) <= budgetTokens;
  // The usual case, one serialisation: the whole page fits.
  const whole = answerFor(results, false);
  if (fits(whole)) return whole;
  // Otherwise grow the page hit by hit while the whole answer, measured as sent, fits.
  let count = 0;
  while (count < results.length && fits(answerFor(results.slice(0, count + 1), true))) count++;
  if (count > 0) return answerFor(results.slice(0, count), true);
  const first = results[0];
  const page: SearchHitJson[] = [];
  if (first) {
    // The snippet appears twice, in the text and the structured content, and JSON escaping may double it.
    const withSnippet = (text: string): SearchHitJson => (first.snippet ? { ...first, snippet: { ...first.snippet, text } } : first);
    const spareTokens = budgetTokens - estimateTokens(JSON.stringify(answerFor([withSnippet("")], true)));
    const cut = answerFor([withSnippet(first.snippet?.text.slice(0, Math.max(0, Math.floor((spareTokens * CHARS_PER_TOKEN) / 4))) ?? "")], true);
    if (fits(cut)) return cut;
    const { snippet: _dropped, ...noSnippet } = first;
    page.push(noSnippet);
  }
  const notice = `max_tokens=${budgetTokens} left no room for the full query echo and warnings; they were cut`;
  for (const textChars of [40, 0]) {
    const squeezed = answerFor(page, true, { textChars, skipped: 0, notices: [notice] });
    if (fits(squeezed)) return squeezed;
  }
  const skipped = first ? 1 : 0;
  const passedOver = `hit ${offset + 1} alone is larger than max_tokens=${budgetTokens} allows and was passed over; raise max_tokens to see it`;
  return answerFor([], true, { textChars: 0, skipped, notices: skipped ? [passedOver] : [notice] });
}

/**
 * The compact text form of a search answer: one header line, warnings, then each hit's location
 * line and numbered snippet. Every piece of text that came from the repository or the client
 * (paths, names, ids, code, the query, warnings) goes through `escapeControlChars`, so no control
 * character (ESC, BEL, CR, a newline in a file name, bidi overrides) reaches the agent raw and no
 * name can start a line of its own; tabs in code stay.
 */
export function renderSearchText(result: SearchToolResult): string {
  const lines: string[] = [];
  const range = result.count === 0 ? "no hits" : `hits ${result.offset + 1}–${result.offset + result.count}`;
  lines.push(
    `${range} for ${escapeControlChars(JSON.stringify(result.query))} (${result.mode}, ${result.search_time_ms} ms)${result.has_more ? "; more with cursor=" + result.next_cursor : ""}`,
  );
  if (result.freshness.state !== "fresh" && result.freshness.state !== "unwatched" && result.freshness.message) lines.push(`index: ${escapeControlChars(result.freshness.message)}`);
  for (const warning of result.warnings) lines.push(`warning: ${escapeControlChars(warning)}`);
  for (const hit of result.results) {
    lines.push("", `${escapeControlChars(hit.file)}:${hit.start_line}-${hit.end_line}  ${escapeControlChars(hit.qualname)}  (${hit.kind})  id=${escapeControlChars(hit.id)}`);
    if (!hit.snippet) continue;
    const width = String(hit.snippet.end_line).length;
    hit.snippet.text.split("\n").forEach((line, i) => {
      const number = hit.snippet!.start_line + i;
      lines.push(`${number === hit.match_line ? ">" : " "}${String(number).padStart(width)}  ${escapeControlChars(line.replace(/\s+$/, ""))}`);
    });
  }
  return lines.join("\n");
}
