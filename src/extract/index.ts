// extract/ owns turning source text into entities (tree-sitter, driven by lang/'s specs) and the text embedded for each chunk.
// It must not read or write files, embed, store, or report progress: callers pass text in and get values back.

export { loadGrammarParser, loadedGrammars, type GrammarParser } from "./grammar-parser.js";
export { DEFAULT_EXTRACT_LIMITS, describeCut, estimateNesting, type ExtractCut, type ExtractLimits } from "./extract-limits.js";
export {
  extractEntities,
  MAX_SYNTAX_ERRORS,
  type ExtractOptions,
  type ExtractResult,
  type SyntaxErrorLocation,
} from "./extract-entities.js";
export { prepareChunks, DEFAULT_MAX_CHUNK_CHARS, type PrepareChunksOptions } from "./prepare-chunks.js";
export { stripDocstring } from "./strip-docstring.js";
export { extractReferences } from "./extract-references.js";
