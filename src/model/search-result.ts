/**
 * The one outside shape of a search result: what `codesearch search --json`, `--queries`, the MCP
 * `search` tool and `eval --per-query` print for each hit. Declared once as a zod schema (the MCP
 * server publishes it as the tool's output schema), so the CLI and the tools cannot drift apart.
 * Pure: no I/O.
 */
import { z } from "zod";
import type { RankedHit } from "./search.js";
import { ENTITY_KINDS } from "./entity-kinds.js";
import { SEARCH_MODES } from "./search.js";

/** One hit: lines are 1-based and inclusive, `file` relative to the repository root (POSIX). */
export const searchHitSchema = z.object({
  /** Stable id within an index (`path:start_line:qualname`); the MCP `read` tool opens it. */
  id: z.string(),
  file: z.string(),
  /** Absolute path of `file` on this machine, where the caller knows the repository root (the CLI's `--json`). */
  path: z.string().optional(),
  qualname: z.string(),
  name: z.string(),
  kind: z.enum(ENTITY_KINDS),
  /** Language id of the file (`python`, `go`, `typescript`…; src/lang/). */
  language: z.string(),
  start_line: z.number().int(),
  end_line: z.number().int(),
  /** Higher is better, rounded to 6 decimals: cosine similarity (vector), BM25 (lexical) or RRF score (hybrid). */
  score: z.number(),
  /** The line inside the entity that shares the most words with the query. */
  match_line: z.number().int(),
  /** 1-based position in each side's candidate list, null where the side did not return it or did not run. */
  ranks: z.object({ vector: z.number().int().nullable(), lexical: z.number().int().nullable() }),
  /** Hybrid mode boosted this hit because the query names it exactly. */
  exact_name: z.boolean(),
  /** Present where asked for (MCP `search`): the code lines around `match_line`, joined by `\n`. */
  snippet: z
    .object({
      start_line: z.number().int(),
      end_line: z.number().int(),
      text: z.string(),
    })
    .optional(),
});

/** One hit as `--json`, `--queries` and the MCP `search` tool print it (see {@link searchHitSchema}). */
export type SearchHitJson = z.infer<typeof searchHitSchema>;

/** What `codesearch search --json` prints for one query; the MCP `search` tool adds paging fields. */
export const searchResultSchema = z.object({
  query: z.string(),
  mode: z.enum(SEARCH_MODES as [string, ...string[]]),
  results: z.array(searchHitSchema),
  /** How far the hits can be trusted (a partial last run, files changed since they were indexed). */
  warnings: z.array(z.string()),
});

/** The JSON form of one query's results (see {@link searchResultSchema}). */
export type SearchResultJson = z.infer<typeof searchResultSchema>;

/**
 * The JSON form of a hit. With `snippetLines` set, adds the entity's lines from `match_line −
 * snippetLines` to `match_line + snippetLines` (clipped to the entity), as indexed; with
 * `repoRoot` (absolute), adds the file's absolute `path` (joined with POSIX `file`, so on POSIX systems).
 */
export function toSearchHitJson(hit: RankedHit, options: { snippetLines?: number; repoRoot?: string } = {}): SearchHitJson {
  const c = hit.chunk;
  const json: SearchHitJson = {
    id: c.id,
    file: c.path,
    ...(options.repoRoot !== undefined ? { path: `${options.repoRoot.replace(/\/+$/, "")}/${c.path}` } : {}),
    qualname: c.qualifiedName,
    name: c.name,
    kind: c.kind,
    language: c.language,
    start_line: c.startLine,
    end_line: c.endLine,
    score: Math.round(hit.score * 1e6) / 1e6,
    match_line: hit.matchLine,
    ranks: { vector: hit.ranks.vector, lexical: hit.ranks.lexical },
    exact_name: hit.exactName,
  };
  if (options.snippetLines !== undefined) json.snippet = snippetOf(hit, options.snippetLines);
  return json;
}

/** Lines `match_line ± around` of the hit's source, clipped to the entity, trailing blanks trimmed per line. */
function snippetOf(hit: RankedHit, around: number): NonNullable<SearchHitJson["snippet"]> {
  const c = hit.chunk;
  const source = c.source.split("\n");
  const match = hit.matchLine - c.startLine;
  const first = Math.max(0, match - around);
  const last = Math.min(source.length - 1, match + around);
  return {
    start_line: c.startLine + first,
    end_line: c.startLine + last,
    text: source
      .slice(first, last + 1)
      .map((line) => line.replace(/\s+$/, ""))
      .join("\n"),
  };
}
