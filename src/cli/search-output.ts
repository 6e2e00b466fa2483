import type { RankedHit } from "../model/search.js";
import { escapeControlChars, paint } from "./terminal.js";

/** One hit as `--json` and `--queries` print it; lines are 1-based and inclusive, `file` relative to the repository root. */
export interface SearchHitJson {
  file: string;
  qualname: string;
  name: string;
  kind: string;
  start_line: number;
  end_line: number;
  /** Higher is better, rounded to 6 decimals: cosine similarity (vector), BM25 (lexical) or RRF score (hybrid). */
  score: number;
  /** The line inside the entity that shares the most words with the query. */
  match_line: number;
  /** 1-based position in each side's candidate list, null where the side did not return it or did not run. */
  ranks: { vector: number | null; lexical: number | null };
  /** Hybrid mode boosted this hit because the query names it exactly. */
  exact_name: boolean;
}

/** The JSON form of a hit (see {@link SearchHitJson}). */
export function toSearchHitJson(hit: RankedHit): SearchHitJson {
  return {
    file: hit.chunk.path,
    qualname: hit.chunk.qualifiedName,
    name: hit.chunk.name,
    kind: hit.chunk.kind,
    start_line: hit.chunk.startLine,
    end_line: hit.chunk.endLine,
    score: Math.round(hit.score * 1e6) / 1e6,
    match_line: hit.matchLine,
    ranks: { vector: hit.ranks.vector, lexical: hit.ranks.lexical },
    exact_name: hit.exactName,
  };
}

/** How {@link formatSearchHits} shows code under each hit. */
export interface HitFormatOptions {
  color: boolean;
  /** Without `contextLines`: the first this many lines of the entity. */
  previewLines: number;
  /** When set: this many lines before and after the match line (within the entity), numbered, the match line marked `>`. */
  contextLines?: number;
}

/**
 * Human lines for hits: `path:start-end  qualname  (kind)  score` (score to 3 significant digits),
 * then code lines indented (see {@link HitFormatOptions}) and a blank line. Control characters
 * from the code are escaped, so a hit cannot rewrite the terminal.
 */
export function formatSearchHits(hits: readonly RankedHit[], options: HitFormatOptions): string[] {
  const lines: string[] = [];
  for (const hit of hits) {
    const c = hit.chunk;
    const location = paint(options.color, "magenta", `${escapeControlChars(c.path)}:${c.startLine}-${c.endLine}`);
    const name = paint(options.color, "bold", escapeControlChars(c.qualifiedName));
    lines.push(`${location}  ${name}  (${c.kind})  ${paint(options.color, "dim", hit.score.toPrecision(3))}`);
    const source = c.source.split("\n");
    const clean = (line: string) => escapeControlChars(line.replace(/\s+$/, ""));
    if (options.contextLines === undefined) {
      for (const line of source.slice(0, options.previewLines)) {
        const trimmed = clean(line);
        lines.push(trimmed === "" ? "" : `    ${trimmed}`);
      }
      if (options.previewLines > 0) lines.push("");
      continue;
    }
    const matchIndex = hit.matchLine - c.startLine;
    const first = Math.max(0, matchIndex - options.contextLines);
    const last = Math.min(source.length - 1, matchIndex + options.contextLines);
    const width = String(c.startLine + last).length;
    for (let i = first; i <= last; i++) {
      const marker = i === matchIndex ? ">" : " ";
      lines.push(`  ${marker} ${String(c.startLine + i).padStart(width)}  ${clean(source[i] ?? "")}`.replace(/\s+$/, ""));
    }
    lines.push("");
  }
  return lines;
}
