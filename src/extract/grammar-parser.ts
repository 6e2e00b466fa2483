import type { Node, Query, Tree } from "web-tree-sitter";
import { grammarWasmPath, type GrammarSource } from "../lang/index.js";

/**
 * A tree-sitter parser loaded with one grammar, and that grammar's compiled definitions query.
 * Parsing is synchronous; one instance per grammar is shared by the whole process (JavaScript runs
 * one parse at a time, so sharing is safe).
 */
export interface GrammarParser {
  /** The definitions query compiled for this grammar. */
  definitions: Query;
  /**
   * Another query compiled for this grammar (a references or locals query), compiled on the first
   * call with that text and kept.
   * @throws Error (a tree-sitter QueryError) when the query does not compile.
   */
  query(source: string): Query;
  /**
   * Parses `source` and hands the syntax tree's root node to `use`. The parser keeps its latest tree
   * (WASM memory) until it parses another text, so a second call with the same text — entities and
   * then references of one file — reuses the tree instead of parsing again (trees are immutable).
   * Nodes must not be kept after `use` returns.
   * Node positions: rows are 0-based lines split on `\n`; `startIndex`/`endIndex` and columns
   * count UTF-16 code units of `source`, so they index the JavaScript string directly.
   * @returns what `use` returns.
   * @throws Error when tree-sitter returns no tree (it does so only when a parse is cancelled).
   */
  parse<T>(source: string, use: (root: Node) => T): T;
}

const loading = new Map<string, Promise<GrammarParser>>();
let runtime: Promise<void> | null = null;

/**
 * Loads web-tree-sitter (once, by dynamic import: a run that parses nothing, such as an unchanged
 * re-index or a search, never loads it) and one WebAssembly grammar with its definitions query, once per
 * process and grammar: every call for the same grammar returns the same promise, and a grammar no
 * file needs is never loaded. A failed load is not memoised, so a later call tries again.
 * @param grammar the npm package and `.wasm` file (see `LanguageSpec.grammar`).
 * @param definitionsQuery the query to compile for it.
 * @returns the shared parser of that grammar.
 * @throws Error (with `cause`) when the runtime, the `.wasm` file or the query cannot be loaded.
 */
export function loadGrammarParser(grammar: GrammarSource, definitionsQuery: string): Promise<GrammarParser> {
  const key = `${grammar.packageName}/${grammar.wasmFile}`;
  let parser = loading.get(key);
  if (parser === undefined) {
    parser = createGrammarParser(grammar, definitionsQuery).catch((error: unknown) => {
      loading.delete(key);
      throw new Error(`could not load the tree-sitter grammar ${key}`, { cause: error });
    });
    loading.set(key, parser);
  }
  return parser;
}

/** The grammars loaded (or loading) in this process, as `package/file.wasm`, in load order. */
export function loadedGrammars(): string[] {
  return [...loading.keys()];
}

async function createGrammarParser(grammar: GrammarSource, definitionsQuery: string): Promise<GrammarParser> {
  const wasmPath = grammarWasmPath(grammar);
  const { Language, Parser, Query } = await import("web-tree-sitter");
  runtime ??= Parser.init().catch((error: unknown) => {
    runtime = null;
    throw error;
  });
  await runtime;
  const language = await Language.load(wasmPath);
  const parser = new Parser();
  parser.setLanguage(language);
  const definitions: Query = new Query(language, definitionsQuery);
  const queries = new Map<string, Query>();
  let latest: { source: string; tree: Tree } | null = null;
  return {
    definitions,
    query(source: string): Query {
      let query = queries.get(source);
      if (query === undefined) queries.set(source, (query = new Query(language, source)));
      return query;
    },
    parse<T>(source: string, use: (root: Node) => T): T {
      if (latest?.source !== source) {
        latest?.tree.delete();
        latest = null;
        const tree = parser.parse(source);
        if (tree === null) throw new Error("tree-sitter returned no syntax tree");
        latest = { source, tree };
      }
      return use(latest.tree.rootNode);
    },
  };
}
