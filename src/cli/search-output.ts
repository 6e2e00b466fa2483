import type { SearchHit } from "../model/types.js";
import { escapeControlChars, paint } from "./terminal.js";

/** One hit as `--json` and `--queries` print it; lines are 1-based and inclusive, `file` relative to the repository root. */
export interface SearchHitJson {
  file: string;
  qualname: string;
  name: string;
  kind: string;
  start_line: number;
  end_line: number;
  /** Cosine similarity, higher is better; rounded to 6 decimals. */
  score: number;
}

/** The JSON form of a hit (see {@link SearchHitJson}). */
export function toSearchHitJson(hit: SearchHit): SearchHitJson {
  return {
    file: hit.chunk.path,
    qualname: hit.chunk.qualifiedName,
    name: hit.chunk.name,
    kind: hit.chunk.kind,
    start_line: hit.chunk.startLine,
    end_line: hit.chunk.endLine,
    score: Math.round(hit.score * 1e6) / 1e6,
  };
}

/**
 * Human lines for hits: `path:start-end  qualname  (kind)  score`, then up to `previewLines`
 * lines of the entity's source, indented. Control characters from the code are escaped.
 */
export function formatSearchHits(hits: readonly SearchHit[], options: { color: boolean; previewLines: number }): string[] {
  const lines: string[] = [];
  for (const hit of hits) {
    const c = hit.chunk;
    const location = paint(options.color, "magenta", `${escapeControlChars(c.path)}:${c.startLine}-${c.endLine}`);
    const name = paint(options.color, "bold", escapeControlChars(c.qualifiedName));
    lines.push(`${location}  ${name}  (${c.kind})  ${paint(options.color, "dim", hit.score.toFixed(3))}`);
    const preview = c.source.split("\n").slice(0, options.previewLines);
    for (const line of preview) {
      const trimmed = escapeControlChars(line.replace(/\s+$/, ""));
      lines.push(trimmed === "" ? "" : `    ${trimmed}`);
    }
    if (options.previewLines > 0) lines.push("");
  }
  return lines;
}
