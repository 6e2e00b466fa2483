import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";

/**
 * A tree-sitter parser loaded with the Python grammar. Parsing is synchronous; one instance is
 * shared by the whole process (JavaScript runs one parse at a time, so sharing is safe).
 */
export interface PythonParser {
  /**
   * Parses `source` and hands the syntax tree's root node to `use`, then frees the tree (WASM
   * memory) whether `use` returns or throws. Nodes must not be kept after `use` returns.
   * Node positions: rows are 0-based lines split on `\n`; `startIndex`/`endIndex` and columns
   * count UTF-16 code units of `source`, so they index the JavaScript string directly.
   * @returns what `use` returns.
   * @throws Error when tree-sitter returns no tree (it does so only when a parse is cancelled).
   */
  parse<T>(source: string, use: (root: Node) => T): T;
}

let loading: Promise<PythonParser> | null = null;

/**
 * Loads web-tree-sitter and the tree-sitter-python WASM grammar, once per process: every call
 * returns the same promise. A failed load is not memoised, so a later call tries again.
 * @returns the shared Python parser.
 * @throws Error (with `cause`) when the runtime or `tree-sitter-python.wasm` cannot be loaded.
 */
export function loadPythonParser(): Promise<PythonParser> {
  loading ??= createPythonParser().catch((error: unknown) => {
    loading = null;
    throw new Error("could not load the tree-sitter Python grammar", { cause: error });
  });
  return loading;
}

async function createPythonParser(): Promise<PythonParser> {
  const wasmPath = createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
  await Parser.init();
  const language = await Language.load(wasmPath);
  const parser = new Parser();
  parser.setLanguage(language);
  return {
    parse<T>(source: string, use: (root: Node) => T): T {
      const tree = parser.parse(source);
      if (tree === null) throw new Error("tree-sitter returned no syntax tree");
      try {
        return use(tree.rootNode);
      } finally {
        tree.delete();
      }
    },
  };
}
