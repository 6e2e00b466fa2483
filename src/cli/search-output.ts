import type { RankedHit } from "../model/search.js";
import { escapeControlChars } from "../report/index.js";
import { paint } from "./terminal.js";

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
