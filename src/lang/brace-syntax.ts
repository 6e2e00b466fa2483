// Reading definitions of the brace languages (JavaScript, TypeScript, Go, Rust, Java): the header
// before the body, and the doc comment written just above.
import type { Node } from "web-tree-sitter";

/** Longest signature kept, in UTF-16 characters (a header with a long parameter list is cut with `…`). */
const MAX_SIGNATURE_CHARS = 400;

/**
 * The header of a definition: its text before `body` (or, without one, before the first `{`, or
 * its whole text), comments removed, whitespace collapsed, a trailing `;` or `=` dropped:
 * `func (c *Command) Execute() error`, `pub fn push<T>(&mut self, value: T)`. Pure.
 * @param body the node the header stops at (the block, class body or field list), or null.
 */
export function braceHeader(definition: Node, body: Node | null): string {
  let text = definition.text;
  if (body !== null) text = text.slice(0, body.startIndex - definition.startIndex);
  else {
    const brace = text.indexOf("{");
    if (brace > 0) text = text.slice(0, brace);
  }
  const header = text
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\/\/[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\s*[;=]$/, "");
  return header.length > MAX_SIGNATURE_CHARS ? `${header.slice(0, MAX_SIGNATURE_CHARS)}…` : header;
}

/**
 * The node whose preceding siblings hold a definition's doc comment: the definition itself, or the
 * declaration wrapping it when the definition is its only part (`export function f`, `const f = () => …`,
 * Go's `type X struct` inside `type_declaration`).
 * @param wrappers node types that wrap a definition without being one.
 */
export function outermostWrapper(definition: Node, wrappers: ReadonlySet<string>): Node {
  let node = definition;
  while (node.parent !== null && wrappers.has(node.parent.type)) node = node.parent;
  return node;
}

/**
 * The doc comment written directly above `node` (no blank line between): consecutive comment
 * siblings that `isDoc` accepts, skipping `skipped` siblings (attributes) between them and the
 * node; markers removed by `strip` line by line, common indentation removed, blank edges trimmed.
 * Null when there is none.
 * @param commentTypes node types of comments in this grammar.
 * @param isDoc whether a comment's text is a doc comment (`/**`, `///`, any `//` for Go).
 * @param strip removes a line's comment markers (`/**`, ` * `, `*\/`, `///`).
 */
export function precedingDocComment(
  node: Node,
  rules: { commentTypes: ReadonlySet<string>; isDoc: (text: string) => boolean; strip: (line: string) => string; skipped?: ReadonlySet<string> },
): string | null {
  const comments: Node[] = [];
  let below = node;
  for (let sibling = node.previousSibling; sibling !== null; sibling = sibling.previousSibling) {
    if (rules.skipped?.has(sibling.type)) {
      below = sibling;
      continue;
    }
    if (!rules.commentTypes.has(sibling.type) || !rules.isDoc(sibling.text)) break;
    // A blank line between the comment and what follows it detaches the comment.
    if (below.startPosition.row - sibling.endPosition.row > 1) break;
    comments.unshift(sibling);
    below = sibling;
  }
  if (comments.length === 0) return null;
  const lines = comments.flatMap((comment) => comment.text.split("\n")).map((line) => rules.strip(line.trim()).replace(/\s+$/, ""));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? null : lines.join("\n");
}

/** Strips `/**`, `/*`, `*\/` and a leading ` * ` from one line of a block comment (JSDoc, Javadoc, Rust block doc comments). */
export function stripBlockCommentLine(line: string): string {
  return line
    .replace(/^\/\*+\s?/, "")
    .replace(/\s*\*+\/$/, "")
    .replace(/^\*(?!\/)\s?/, "");
}

/** The named children of `node` whose type is in `types`, in source order. */
export function childrenOfTypes(node: Node | null, types: ReadonlySet<string>): Node[] {
  if (node === null) return [];
  return node.children.filter((child): child is Node => child !== null && types.has(child.type));
}

/**
 * The types a brace-language type header extends or implements, generic arguments dropped:
 * `class A<T> extends B<T> implements C, D {` → `B`, `C`, `D`; `interface I extends J, K` → `J`,
 * `K` (TypeScript, JavaScript, Java). Pure.
 */
export function extendedTypes(signature: string): string[] {
  const header = signature.replace(/<[^<>]*(<[^<>]*>[^<>]*)*>/g, "");
  const bases: string[] = [];
  for (const clause of header.matchAll(/\b(?:extends|implements)\s+([^{]*?)(?=\s+(?:extends|implements|permits)\b|\s*\{|$)/g)) {
    for (const part of clause[1]!.split(",")) bases.push(part.trim());
  }
  return bases;
}

/**
 * What a function's signature says after its parameter list (`func New() *Cart` → ` *Cart`,
 * `make(a: A): Cart {` → `: Cart {`), or null when `name(` does not occur in it. Type parameters
 * between the name and the list (`New[T any](`, `make<T>(`) are skipped. Pure.
 */
export function textAfterParameters(signature: string, name: string): string | null {
  const at = new RegExp(`(?<![\\p{L}\\p{N}_$])${name.replace(/[$]/g, "\\$")}\\s*(?:<[^()]*>|\\[[^()]*\\])?\\s*\\(`, "u").exec(signature);
  if (at === null) return null;
  let depth = 0;
  for (let i = at.index + at[0].length - 1; i < signature.length; i++) {
    if (signature[i] === "(") depth++;
    else if (signature[i] === ")" && --depth === 0) return signature.slice(i + 1);
  }
  return null;
}
