import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../language-spec.js";
import { braceHeader, precedingDocComment, stripBlockCommentLine } from "../brace-syntax.js";
import { RUST_DEFINITIONS_QUERY } from "./queries.js";
import { RUST_REFERENCE_RULES, RUST_SITES_QUERY } from "./references.js";

const ATTRIBUTE = new Set(["attribute_item"]);
const DOC_RULES = {
  commentTypes: new Set(["line_comment", "block_comment"]),
  isDoc: (text: string) => text.startsWith("///") || text.startsWith("/**"),
  strip: (line: string) => (line.startsWith("///") ? line.replace(/^\/\/\/ ?/, "") : stripBlockCommentLine(line)),
  skipped: ATTRIBUTE,
};

/**
 * The type an `impl` block implements for, as a bare name: `Vec` for `impl<T> Trait for Vec<T>`,
 * `Stack` for `impl Stack<'_>`, `Path` for `impl crate::fs::Path`. Null outside an `impl`.
 */
function implType(definition: Node): string | null {
  if (definition.type !== "function_item") return null;
  const list = definition.parent;
  if (list?.type !== "declaration_list" || list.parent?.type !== "impl_item") return null;
  const text = list.parent.childForFieldName("type")?.text ?? "";
  const bare = text.replace(/<[\s\S]*$/, "").replace(/^[&\s]*(mut\s+)?(dyn\s+)?/, "");
  return bare.split("::").pop()?.trim() || null;
}

/** The `#[…]` attributes directly above a definition, in source order. */
function attributesOf(definition: Node): Node[] {
  const attributes: Node[] = [];
  for (let sibling = definition.previousSibling; sibling !== null; sibling = sibling.previousSibling) {
    if (sibling.type === "attribute_item") attributes.unshift(sibling);
    else if (!DOC_RULES.commentTypes.has(sibling.type)) break;
  }
  return attributes;
}

/**
 * Rust: fns (methods when inside an `impl` — qualified by the implementing type, `Stack.push`,
 * whatever trait — or a `trait`), structs, unions, enums, traits, type aliases and `macro_rules!`
 * macros. Doc comments are `///` lines or `/**` blocks above, attributes between allowed;
 * attributes are the decorators. Test code: `tests/` and `benches/`, and fns marked `#[test]`
 * (or `#[tokio::test]`-like).
 */
export const rust: LanguageSpec = {
  id: "rust",
  displayName: "Rust",
  extensions: [".rs"],
  shebangs: [],
  grammar: { packageName: "tree-sitter-rust", wasmFile: "tree-sitter-rust.wasm" },
  definitionsQuery: RUST_DEFINITIONS_QUERY,
  referencesQuery: RUST_SITES_QUERY,
  references: RUST_REFERENCE_RULES,
  kinds: ["function", "method", "struct", "enum", "trait", "type", "macro"],
  outlineKinds: ["trait"],
  qualifiedNameSeparator: ".",
  definitionParts: (definition) => ({
    signature: braceHeader(definition, definition.childForFieldName("body")),
    docComment: precedingDocComment(definition, DOC_RULES),
    decorators: attributesOf(definition),
  }),
  ownerType: implType,
  testCode: {
    dirs: ["tests", "benches"],
    fileName: /^tests?\.rs$/,
    decorator: /^#\[(\w+::)*test\b/,
  },
  generated: { dirs: ["target"] },
  toolDirs: [],
  environmentMarkers: [],
  queryWords: ["rustlang"],
};
