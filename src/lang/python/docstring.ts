import type { Node } from "web-tree-sitter";

/** The docstring's value as `inspect.cleandoc` would give it, or null. */
export function docstringOf(definition: Node): string | null {
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
 * The statement holding the docstring of the first definition in a parsed snippet (a string or
 * concatenated string opening its body), or null.
 */
export function docstringStatement(snippetRoot: Node): Node | null {
  const definition = snippetRoot.namedChildren.find((node) => node?.type === "function_definition" || node?.type === "class_definition");
  const first = definition?.childForFieldName("body")?.namedChildren.find((child) => child !== null && child.type !== "comment");
  if (first?.type !== "expression_statement") return null;
  const expression = first.namedChild(0);
  if (expression?.type !== "string" && expression?.type !== "concatenated_string") return null;
  return first;
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
export function cleandoc(doc: string): string {
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
