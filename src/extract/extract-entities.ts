import type { Node, Query } from "web-tree-sitter";
import { ENTITY_KINDS, isTypeKind } from "../model/entity-kinds.js";
import type { CodeEntity, EntityKind } from "../model/types.js";
import { languageForPath, languageForShebang, type LanguageSpec } from "../lang/index.js";
import { loadGrammarParser } from "./grammar-parser.js";
import { DEFAULT_EXTRACT_LIMITS, estimateNesting, type ExtractCut, type ExtractLimits } from "./extract-limits.js";

/** Where tree-sitter found a syntax error. */
export interface SyntaxErrorLocation {
  /** 1-based line of the error (after line endings are normalised, see {@link extractEntities}). */
  line: number;
  /** One line for people: `syntax error near "def broken(a, b:"` or `missing ")"`. */
  message: string;
}

/** The definitions of one file, with the syntax errors tree-sitter recovered from. */
export interface ExtractResult {
  /** Every definition the language's query finds, nested ones included, ordered by `startLine`. */
  entities: CodeEntity[];
  /** At most {@link MAX_SYNTAX_ERRORS} errors in source order; empty when the file parsed cleanly. */
  syntaxErrors: SyntaxErrorLocation[];
  /** What the {@link ExtractLimits} left out of this file (all zero for an ordinary file). */
  cut: ExtractCut;
}

/** Options of {@link extractEntities}. */
export interface ExtractOptions {
  /** The file's language; default: by its extension, else by its `#!` line. */
  language?: LanguageSpec;
  /** Default {@link DEFAULT_EXTRACT_LIMITS}. */
  limits?: ExtractLimits;
}

/** How many syntax errors one file reports at most; the first ones are the useful ones. */
export const MAX_SYNTAX_ERRORS = 5;

/** Longest excerpt of source quoted in a syntax error message, in code points (an ellipsis marks a cut). */
const ERROR_EXCERPT_CHARS = 40;

const KNOWN_KINDS: ReadonlySet<string> = new Set(ENTITY_KINDS);

/**
 * Extracts every definition of a source file that its language's definitions query finds, at any
 * depth (see `LanguageSpec.definitionsQuery`): module level, inside types, nested in functions.
 * A function whose nearest enclosing definition is type-like, or that has an owner type (a Go
 * receiver, a Rust `impl`), is a `method`. Pure apart from loading the file's grammar on first
 * use (see {@link loadGrammarParser}); reads no files.
 *
 * Line endings `\r\n` and `\r` count as one line break each, and a leading byte-order mark is
 * ignored; `source` fields are returned with `\n` line endings.
 * A file with syntax errors is not a failure: the result holds what tree-sitter recovered (a
 * definition swallowed by an error node is lost) and the error locations. A file nested deeper
 * than `limits.maxParseNesting` is not parsed (no entities; `cut.notParsedNesting` says why), and
 * the other limits bound what one file may cost (see {@link ExtractLimits}).
 * @param path repository-relative POSIX path, copied into each entity; its extension picks the language.
 * @param source the file's text.
 * @returns entities ordered by `startLine` (then by position), syntax errors in source order, and
 *   what the limits cut.
 * @throws Error when no language claims the file, or its grammar cannot be loaded.
 */
export async function extractEntities(path: string, source: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const firstLine = text.slice(0, text.includes("\n") ? text.indexOf("\n") : text.length);
  const language = options.language ?? languageForPath(path) ?? languageForShebang(firstLine);
  if (language === null) throw new Error(`no language is known for ${path}`);
  const choice = language.grammarFor?.(path) ?? { grammar: language.grammar, definitionsQuery: language.definitionsQuery };
  const parser = await loadGrammarParser(choice.grammar, choice.definitionsQuery);
  const limits = options.limits ?? DEFAULT_EXTRACT_LIMITS;
  const nesting = estimateNesting(text);
  if (nesting > limits.maxParseNesting) {
    return { entities: [], syntaxErrors: [], cut: { notParsedNesting: nesting, tooDeep: 0, overCount: 0, sourcesCut: 0 } };
  }
  const lines = text.split("\n");
  return parser.parse(text, (root) => {
    const cut: ExtractCut = { notParsedNesting: null, tooDeep: 0, overCount: 0, sourcesCut: 0 };
    return {
      entities: collectEntities(root, parser.definitions, { path, lines, language, limits, cut }),
      syntaxErrors: root.hasError ? collectSyntaxErrors(root) : [],
      cut,
    };
  });
}

interface Definition {
  node: Node;
  name: string;
  kind: EntityKind;
  patternIndex: number;
}

/**
 * The definitions a query finds, one per node, ordered by start (an enclosing definition before
 * those inside it). A node two patterns match keeps the earlier pattern's kind, so a query lists
 * specific patterns (a Go `type_spec` holding a struct) before catch-alls. A pattern without an
 * `@name` capture names its definition with `(#set! name "default")`.
 */
function findDefinitions(root: Node, query: Query): Definition[] {
  const byNodeId = new Map<number, Definition>();
  for (const match of query.matches(root)) {
    let node: Node | null = null;
    let name = match.setProperties?.["name"] ?? "";
    let kind = "";
    for (const capture of match.captures) {
      if (capture.name === "name") name = capture.node.text;
      else if (capture.name.startsWith("definition.")) {
        node = capture.node;
        kind = capture.name.slice("definition.".length);
      }
    }
    if (node === null || name === "" || !KNOWN_KINDS.has(kind)) continue;
    const known = byNodeId.get(node.id);
    if (known !== undefined && known.patternIndex <= match.patternIndex) continue;
    byNodeId.set(node.id, { node, name, kind: kind as EntityKind, patternIndex: match.patternIndex });
  }
  return [...byNodeId.values()].sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
}

interface CollectContext {
  path: string;
  lines: string[];
  language: LanguageSpec;
  limits: ExtractLimits;
  cut: ExtractCut;
}

interface OpenDefinition {
  entity: CodeEntity;
  endIndex: number;
  depth: number;
}

function collectEntities(root: Node, query: Query, context: CollectContext): CodeEntity[] {
  const { path, lines, language, limits, cut } = context;
  const separator = language.qualifiedNameSeparator;
  const entities: CodeEntity[] = [];
  // Definitions enclosing the current one, innermost last (the query's nodes nest by range).
  const open: OpenDefinition[] = [];
  for (const definition of findDefinitions(root, query)) {
    const { node, name } = definition;
    while (open.length > 0 && open[open.length - 1]!.endIndex < node.endIndex) open.pop();
    const enclosing = open[open.length - 1] ?? null;
    const depth = (enclosing?.depth ?? 0) + 1;
    if (depth > limits.maxDepth) {
      cut.tooDeep++;
      continue;
    }
    if (entities.length >= limits.maxEntities) {
      cut.overCount++;
      continue;
    }
    const owner = language.ownerType?.(node) ?? null;
    const parentQualifiedName = owner ?? enclosing?.entity.qualifiedName ?? null;
    const typeParent = owner !== null || (enclosing !== null && isTypeKind(enclosing.entity.kind));
    const kind: EntityKind = definition.kind === "function" && typeParent ? "method" : definition.kind;
    const parts = language.definitionParts(node);
    const startRow = node.startPosition.row;
    const endRow =
      node.endPosition.column === 0 && node.endPosition.row > startRow ? node.endPosition.row - 1 : node.endPosition.row;
    const entity: CodeEntity = {
      path,
      language: language.id,
      kind,
      name,
      qualifiedName: parentQualifiedName === null ? name : `${parentQualifiedName}${separator}${name}`,
      parentQualifiedName,
      startLine: startRow + 1,
      endLine: endRow + 1,
      decoratorLine: parts.decorators[0] === undefined ? null : parts.decorators[0].startPosition.row + 1,
      decorators: parts.decorators.map((decorator) => decorator.text),
      signature: parts.signature,
      docstring: parts.docComment,
      source: boundedSource(lines, startRow, endRow, limits.maxSourceChars, cut),
    };
    entities.push(entity);
    open.push({ entity, endIndex: node.endIndex, depth });
  }
  // Array sort is stable: entities starting on one line keep their order of position.
  return entities.sort((a, b) => a.startLine - b.startLine);
}

/** Lines `startRow`..`endRow` joined by `\n`, cut after the last whole line within `maxChars` (counted in `cut`). */
function boundedSource(lines: string[], startRow: number, endRow: number, maxChars: number, cut: ExtractCut): string {
  let length = -1;
  for (let row = startRow; row <= endRow; row++) {
    length += lines[row]!.length + 1;
    if (length > maxChars) {
      cut.sourcesCut++;
      const kept = lines.slice(startRow, Math.max(row, startRow + 1)).join("\n");
      return kept.length > maxChars ? kept.slice(0, maxChars) : kept;
    }
  }
  return lines.slice(startRow, endRow + 1).join("\n");
}

/** ERROR and MISSING nodes in source order, not looking inside an ERROR node already reported. */
function collectSyntaxErrors(root: Node): SyntaxErrorLocation[] {
  const errors: SyntaxErrorLocation[] = [];
  const visit = (node: Node): void => {
    if (errors.length >= MAX_SYNTAX_ERRORS) return;
    if (node.isMissing) {
      const what = node.isNamed ? node.type : `"${node.type}"`;
      errors.push({ line: node.startPosition.row + 1, message: `missing ${what}` });
      return;
    }
    if (node.isError) {
      errors.push({ line: node.startPosition.row + 1, message: `syntax error near "${excerpt(node.text)}"` });
      return;
    }
    for (const child of node.children) if (child?.hasError) visit(child);
  };
  visit(root);
  return errors;
}

/** The first non-blank line of `text`, whitespace collapsed, cut to {@link ERROR_EXCERPT_CHARS} code points. */
function excerpt(text: string): string {
  const line = (text.split("\n").find((candidate) => candidate.trim() !== "") ?? "").trim().replace(/\s+/g, " ");
  const codePoints = [...line];
  return codePoints.length > ERROR_EXCERPT_CHARS ? `${codePoints.slice(0, ERROR_EXCERPT_CHARS).join("")}…` : line;
}
