/**
 * Bounds on what one file may cost, so a pathological file (hundreds of nested definitions, each
 * holding most of the file as its source) cannot take indexing to gigabytes: with depth ≤ D, the
 * sources of a file's entities add up to at most (D + 1) × the file's length, and each to at most
 * `maxSourceChars`.
 */
export interface ExtractLimits {
  /**
   * Deepest nesting a file may have to be parsed at all, as {@link estimateNesting} measures it. The
   * tree-sitter runtime overruns its WebAssembly stack on trees some 600 definitions deep and then
   * fails every later parse in the process ("memory access out of bounds"), so such a file is not
   * parsed: it is reported, and has no entities.
   */
  maxParseNesting: number;
  /** Deepest nesting kept: a module-level definition is at depth 1; deeper definitions are left out. */
  maxDepth: number;
  /** Most entities kept per file, in source order; the rest are left out. */
  maxEntities: number;
  /** Longest `source` kept per entity, in UTF-16 characters; a longer one is cut after its last whole line within the limit. */
  maxSourceChars: number;
}

/**
 * Default {@link ExtractLimits}: depth 16 (hand-written code rarely nests definitions beyond 6),
 * 5,000 entities per file (ten times the definitions of the largest hand-written modules), and
 * 100,000 characters of source per entity (about 2,500 lines; the embedded text is cut at 2,048
 * characters anyway, so only the stored source and full-text columns are shortened).
 */
export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxParseNesting: 256, maxDepth: 16, maxEntities: 5000, maxSourceChars: 100_000 };

/** How many definitions {@link ExtractLimits} left out or shortened in one file. */
export interface ExtractCut {
  /** The file's estimated nesting when it exceeded `maxParseNesting` (the file was not parsed), else null. */
  notParsedNesting: number | null;
  /** Definitions nested deeper than `maxDepth`, left out. */
  tooDeep: number;
  /** Definitions beyond the first `maxEntities`, left out. */
  overCount: number;
  /** Entities whose `source` was cut to `maxSourceChars`. */
  sourcesCut: number;
}

/** One line for people on what was cut, e.g. `left out 674 definitions nested deeper than 16 levels`; null when nothing was. */
export function describeCut(cut: ExtractCut, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): string | null {
  if (cut.notParsedNesting !== null) {
    return `not parsed: nested ${cut.notParsedNesting} levels deep, more than the ${limits.maxParseNesting} a file may have`;
  }
  const parts: string[] = [];
  if (cut.tooDeep > 0) parts.push(`left out ${cut.tooDeep} definition${cut.tooDeep === 1 ? "" : "s"} nested deeper than ${limits.maxDepth} levels`);
  if (cut.overCount > 0) parts.push(`left out ${cut.overCount} definition${cut.overCount === 1 ? "" : "s"} beyond ${limits.maxEntities} per file`);
  if (cut.sourcesCut > 0) parts.push(`cut the source of ${cut.sourcesCut} entit${cut.sourcesCut === 1 ? "y" : "ies"} to ${limits.maxSourceChars} characters`);
  return parts.length === 0 ? null : parts.join("; ");
}

/**
 * An upper estimate of how deeply a file's syntax nests, without parsing it: the larger of the
 * deepest bracket nesting (`(`, `[`, `{`, counted in strings and comments too) and the deepest
 * stack of increasing indentation (tabs as 8 columns), the measure Python's grammar keeps. Pure;
 * linear in the text's length.
 */
export function estimateNesting(text: string): number {
  let brackets = 0;
  let deepestBrackets = 0;
  const indents: number[] = [0];
  let deepestIndent = 0;
  let lineStart = true;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (lineStart) {
      if (char === 0x20 || char === 0x09) {
        column = char === 0x09 ? column + 8 - (column % 8) : column + 1;
        continue;
      }
      if (char !== 0x0a) {
        while (indents.length > 1 && indents[indents.length - 1]! > column) indents.pop();
        if (column > indents[indents.length - 1]!) indents.push(column);
        if (indents.length - 1 > deepestIndent) deepestIndent = indents.length - 1;
      }
      lineStart = false;
    }
    if (char === 0x0a) {
      lineStart = true;
      column = 0;
    } else if (char === 0x28 || char === 0x5b || char === 0x7b) {
      brackets++;
      if (brackets > deepestBrackets) deepestBrackets = brackets;
    } else if ((char === 0x29 || char === 0x5d || char === 0x7d) && brackets > 0) brackets--;
  }
  return Math.max(deepestBrackets, deepestIndent);
}
