// extract/ owns turning Python source text into entities (tree-sitter) and the text embedded for each chunk.
// It must not read or write files, embed, store, or report progress: callers pass text in and get values back.

export { loadPythonParser, type PythonParser } from "./python-parser.js";
export {
  extractEntities,
  MAX_SYNTAX_ERRORS,
  type ExtractResult,
  type SyntaxErrorLocation,
} from "./extract-entities.js";
export { prepareChunks, DEFAULT_MAX_CHUNK_CHARS, type PrepareChunksOptions } from "./prepare-chunks.js";
export { stripDocstring } from "./strip-docstring.js";
export { extractReferences, PYTHON_REFERENCES_QUERY } from "./extract-references.js";
