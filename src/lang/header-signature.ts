import type { Node } from "web-tree-sitter";

/** How {@link headerSignature} reads one language's tokens. */
export interface HeaderTokenRules {
  /** Whether a direct child of the definition starts its body (the header ends before it). */
  endsHeader: (child: Node) => boolean;
  /** Node types kept whole, their inner whitespace collapsed (string literals). */
  atomicTypes: ReadonlySet<string>;
  /** Node types left out with everything inside (comments, line continuations, decorators). */
  skippedTypes: ReadonlySet<string>;
  /** Whether `<` and `>` are brackets (generics) rather than operators: no space just inside them. */
  angleBrackets?: boolean;
}

const OPENING_BRACKETS = new Set(["(", "[", "{"]);
const CLOSING_BRACKETS = new Set([")", "]", "}"]);

/**
 * A definition's header rebuilt from its tokens: the direct children before the one `endsHeader`
 * accepts (or before an ERROR child), comments and skipped nodes dropped, each run of whitespace
 * between tokens turned into one space (none just inside brackets), whitespace inside atomic nodes
 * collapsed likewise. `def f(a,\n      b)` → `def f(a, b)`. Pure.
 */
export function headerSignature(definition: Node, rules: HeaderTokenRules): string {
  const tokens: Node[] = [];
  for (const child of definition.children) {
    if (child === null) continue;
    if (rules.endsHeader(child) || child.isError) break;
    collectTokens(child, tokens, rules);
  }
  let signature = "";
  let previous: Node | null = null;
  for (const token of tokens) {
    if (previous !== null && token.startIndex > previous.endIndex) {
      const opens = OPENING_BRACKETS.has(previous.type) || (rules.angleBrackets === true && previous.type === "<");
      const closes = CLOSING_BRACKETS.has(token.type) || (rules.angleBrackets === true && token.type === ">");
      const tight = opens || closes;
      if (!tight) signature += " ";
    }
    signature += token.text.replace(/\s+/g, " ");
    previous = token;
  }
  return signature;
}

function collectTokens(node: Node, into: Node[], rules: HeaderTokenRules): void {
  if (rules.skippedTypes.has(node.type) || node.isMissing) return;
  if (node.childCount === 0 || rules.atomicTypes.has(node.type)) {
    into.push(node);
    return;
  }
  for (const child of node.children) if (child !== null) collectTokens(child, into, rules);
}
