import path from "node:path";
import type { RankedHit } from "../model/search.js";
import { escapeControlChars } from "../report/index.js";
import { paint } from "./terminal.js";

/**
 * Where a hit's file is, as the user can open it from `cwd` (ripgrep's way): relative to `cwd`
 * when `cwd` is inside the repository (`../` for files beside it) or the repository is below
 * `cwd` (`rich/color.py`); absolute otherwise. POSIX separators for relative paths.
 */
export function displayPath(file: string, repoRoot: string, cwd: string): string {
  const absolute = path.join(repoRoot, ...file.split("/"));
  const relative = path.relative(cwd, absolute);
  const cwdInRepo = !path.relative(repoRoot, cwd).startsWith("..");
  if (relative.startsWith("..") && !cwdInRepo) return absolute;
  return relative.split(path.sep).join("/");
}

/**
 * A score on a few characters, never in exponent notation: 3 significant digits below 1 (cosine,
 * small ranking scores: `0.0328`), two decimals from 1 on (ranking scores: `1.29`, `12.35`).
 */
export function formatScore(score: number): string {
  return Math.abs(score) >= 1 ? score.toFixed(2) : score.toPrecision(3);
}

/**
 * Hits as `file:line:column:text` lines, the format of `grep -n`-style tools (ripgrep's
 * `--vimgrep`) that editors' quickfix lists and terminals parse: the file as `showPath` gives it,
 * the hit's match line, the 1-based column of its first non-blank character, and the line's text
 * (control characters escaped).
 */
export function formatVimgrepLines(hits: readonly RankedHit[], showPath: (file: string) => string): string[] {
  return hits.map((hit) => {
    const line = hit.chunk.source.split("\n")[hit.matchLine - hit.chunk.startLine] ?? "";
    const column = line.search(/\S/) + 1 || 1;
    return `${escapeControlChars(showPath(hit.chunk.path))}:${hit.matchLine}:${column}:${escapeControlChars(line.replace(/\s+$/, ""))}`;
  });
}

/** How {@link formatSearchHits} shows code under each hit. */
export interface HitFormatOptions {
  color: boolean;
  /** How a hit's repository-relative path is shown (see {@link displayPath}); default as stored. */
  showPath?: (file: string) => string;
  /** Without `contextLines`: the first this many lines of the entity. */
  previewLines: number;
  /** When set: this many lines before and after the match line (within the entity), numbered, the match line marked `>`. */
  contextLines?: number;
}

/**
 * Human lines for hits: `path:start-end  qualname  (kind)  score` (score by {@link formatScore}),
 * then code lines indented (see {@link HitFormatOptions}) and a blank line. Control characters
 * from the code are escaped, so a hit cannot rewrite the terminal.
 */
export function formatSearchHits(hits: readonly RankedHit[], options: HitFormatOptions): string[] {
  const lines: string[] = [];
  for (const hit of hits) {
    const c = hit.chunk;
    const shown = options.showPath ? options.showPath(c.path) : c.path;
    const location = paint(options.color, "magenta", `${escapeControlChars(shown)}:${c.startLine}-${c.endLine}`);
    const name = paint(options.color, "bold", escapeControlChars(c.qualifiedName));
    lines.push(`${location}  ${name}  (${c.kind})  ${paint(options.color, "dim", formatScore(hit.score))}`);
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
