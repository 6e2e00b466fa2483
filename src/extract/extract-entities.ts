import type { Node } from "web-tree-sitter";
import type { CodeEntity, EntityKind } from "../model/types.js";
import { loadPythonParser } from "./python-parser.js";

/** Where tree-sitter found a syntax error. */
export interface SyntaxErrorLocation {
  /** 1-based line of the error (after line endings are normalised, see {@link extractEntities}). */
  line: number;
  /** One line for people: `syntax error near "def broken(a, b:"` or `missing ")"`. */
  message: string;
}

/** The definitions of one file, with the syntax errors tree-sitter recovered from. */
export interface ExtractResult {
  /** Every function, method and class, nested ones included, ordered by `startLine`. */
  entities: CodeEntity[];
  /** At most {@link MAX_SYNTAX_ERRORS} errors in source order; empty when the file parsed cleanly. */
  syntaxErrors: SyntaxErrorLocation[];
}

/** How many syntax errors one file reports at most; the first ones are the useful ones. */
export const MAX_SYNTAX_ERRORS = 5;

/** Longest excerpt of source quoted in a syntax error message, in code points (an ellipsis marks a cut). */
const ERROR_EXCERPT_CHARS = 40;

const DEFINITION_TYPES = ["function_definition", "class_definition"];

/**
 * Extracts every `def`, `async def` and `class` of a Python file, at any depth: module level,
 * class bodies, nested in functions, and conditionally defined under `if`/`try`/`with`/`for`.
 * A def whose nearest enclosing definition is a class is a `method`. Pure apart from loading
 * the grammar on first use (see {@link loadPythonParser}); reads no files.
 *
 * Line endings `\r\n` and `\r` count as one line break each, as Python counts them, and a leading
 * byte-order mark is ignored; `source` fields are returned with `\n` line endings.
 * A file with syntax errors is not a failure: the result holds what tree-sitter recovered (a
 * definition swallowed by an error node is lost) and the error locations.
 * @param path repository-relative POSIX path, copied into each entity.
 * @param source the file's text.
 * @returns entities ordered by `startLine` (then by position), and syntax errors in source order.
 * @throws Error when the grammar cannot be loaded (see {@link loadPythonParser}).
 */
export async function extractEntities(path: string, source: string): Promise<ExtractResult> {
  const parser = await loadPythonParser();
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const lines = text.split("\n");
  return parser.parse(text, (root) => ({
    entities: collectEntities(root, path, lines),
    syntaxErrors: root.hasError ? collectSyntaxErrors(root) : [],
  }));
}

function collectEntities(root: Node, path: string, lines: string[]): CodeEntity[] {
  const byNodeId = new Map<number, CodeEntity>();
  const entities: { entity: CodeEntity; startIndex: number }[] = [];
  for (const node of root.descendantsOfType(DEFINITION_TYPES)) {
    if (node === null) continue;
    const name = node.childForFieldName("name")?.text ?? "";
    if (name === "") continue;
    const parent = enclosingEntity(node, byNodeId);
    const kind: EntityKind =
      node.type === "class_definition" ? "class" : parent?.kind === "class" ? "method" : "function";
    const decoratorNodes =
      node.parent?.type === "decorated_definition"
        ? node.parent.namedChildren.filter((child): child is Node => child?.type === "decorator")
        : [];
    const startRow = node.startPosition.row;
    const endRow =
      node.endPosition.column === 0 && node.endPosition.row > startRow
        ? node.endPosition.row - 1
        : node.endPosition.row;
    const entity: CodeEntity = {
      path,
      kind,
      name,
      qualifiedName: parent === null ? name : `${parent.qualifiedName}.${name}`,
      parentQualifiedName: parent?.qualifiedName ?? null,
      startLine: startRow + 1,
      endLine: endRow + 1,
      decoratorLine: decoratorNodes[0] === undefined ? null : decoratorNodes[0].startPosition.row + 1,
      decorators: decoratorNodes.map((decorator) => decorator.text),
      signature: headerSignature(node),
      docstring: docstringOf(node),
      source: lines.slice(startRow, endRow + 1).join("\n"),
    };
    byNodeId.set(node.id, entity);
    entities.push({ entity, startIndex: node.startIndex });
  }
  entities.sort((a, b) => a.entity.startLine - b.entity.startLine || a.startIndex - b.startIndex);
  return entities.map(({ entity }) => entity);
}

/** The entity of the nearest enclosing function or class definition, or null at module level. */
function enclosingEntity(node: Node, byNodeId: Map<number, CodeEntity>): CodeEntity | null {
  for (let ancestor = node.parent; ancestor !== null; ancestor = ancestor.parent) {
    const entity = byNodeId.get(ancestor.id);
    if (entity !== undefined) return entity;
  }
  return null;
}

/**
 * The header from `def`/`async`/`class` up to the body's colon, rebuilt from its tokens: comments
 * and line continuations dropped, each run of whitespace between tokens turned into one space
 * (none just inside brackets), whitespace inside string literals collapsed likewise.
 */
function headerSignature(definition: Node): string {
  const tokens: Node[] = [];
  for (const child of definition.children) {
    if (child === null) continue;
    if (child.type === ":" || child.type === "block" || child.isError) break;
    collectTokens(child, tokens);
  }
  let signature = "";
  let previous: Node | null = null;
  for (const token of tokens) {
    if (previous !== null && token.startIndex > previous.endIndex) {
      const tight = OPENING_BRACKETS.has(previous.type) || CLOSING_BRACKETS.has(token.type);
      if (!tight) signature += " ";
    }
    signature += token.text.replace(/\s+/g, " ");
    previous = token;
  }
  return signature;
}

const OPENING_BRACKETS = new Set(["(", "[", "{"]);
const CLOSING_BRACKETS = new Set([")", "]", "}"]);
const SKIPPED_TOKENS = new Set(["comment", "line_continuation"]);

function collectTokens(node: Node, into: Node[]): void {
  if (SKIPPED_TOKENS.has(node.type) || node.isMissing) return;
  if (node.childCount === 0 || node.type === "string") {
    into.push(node);
    return;
  }
  for (const child of node.children) if (child !== null) collectTokens(child, into);
}

/** The docstring's value as `inspect.cleandoc` would give it, or null. */
function docstringOf(definition: Node): string | null {
  const body = definition.childForFieldName("body");
  const first = body?.namedChildren.find((child) => child !== null && child.type !== "comment");
  if (first?.type !== "expression_statement" || first.namedChildCount !== 1) return null;
  const expression = first.namedChild(0);
  if (expression === null) return null;
  const parts =
    expression.type === "string"
      ? [expression]
      : expression.type === "concatenated_string"
        ? expression.namedChildren.filter((child): child is Node => child?.type === "string")
        : [];
  if (parts.length === 0) return null;
  let value = "";
  for (const part of parts) {
    const literal = stringLiteralValue(part);
    if (literal === null) return null;
    value += literal;
  }
  return cleandoc(value);
}

/**
 * The value of a string literal without interpolation: prefix (`r`, `u`, `b` in any case and
 * order) and quotes removed, escapes decoded unless raw. Null for f-strings and t-strings, whose
 * value is not known statically (Python gives them no `__doc__` either).
 */
function stringLiteralValue(literal: Node): string | null {
  const opening = literal.children.find((child) => child?.type === "string_start")?.text;
  const closing = literal.children.find((child) => child?.type === "string_end")?.text;
  if (opening === undefined || closing === undefined) return null;
  const prefix = opening.replace(/["']+$/, "").toLowerCase();
  if (/[ft]/.test(prefix)) return null;
  const content = literal.text.slice(opening.length, literal.text.length - closing.length);
  return prefix.includes("r") ? content : decodeEscapes(content, prefix.includes("b"));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Decodes Python escape sequences; unknown ones (and `\N{...}`) are kept as written, as Python keeps unknown ones. */
function decodeEscapes(content: string, isBytes: boolean): string {
  const pattern = isBytes
    ? /\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g
    : /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g;
  return content.replace(pattern, (whole, escape: string) => {
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) return simple;
    const head = escape[0];
    if (head === "x" || head === "u" || head === "U") {
      const codePoint = Number.parseInt(escape.slice(1), 16);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
    }
    if (head !== undefined && head >= "0" && head <= "7") return String.fromCodePoint(Number.parseInt(escape, 8));
    return whole;
  });
}

/** Port of Python's `inspect.cleandoc`: tabs expanded, common indentation of lines after the first removed, blank lines trimmed. */
function cleandoc(doc: string): string {
  const lines = doc.split("\n").map(expandTabs);
  let margin = Number.POSITIVE_INFINITY;
  for (const line of lines.slice(1)) {
    const content = line.trimStart().length;
    if (content > 0) margin = Math.min(margin, line.length - content);
  }
  const cleaned = lines.map((line, index) =>
    index === 0 ? line.trimStart() : Number.isFinite(margin) ? line.slice(margin) : line,
  );
  while (cleaned.length > 0 && cleaned[cleaned.length - 1] === "") cleaned.pop();
  while (cleaned.length > 0 && cleaned[0] === "") cleaned.shift();
  return cleaned.join("\n");
}

function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  let expanded = "";
  for (const char of line) expanded += char === "\t" ? " ".repeat(8 - (expanded.length % 8)) : char;
  return expanded;
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
