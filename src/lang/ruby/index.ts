import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../language-spec.js";
import { braceHeader, precedingDocComment } from "../brace-syntax.js";
import { RUBY_DEFINITIONS_QUERY } from "./queries.js";
import { RUBY_REFERENCE_RULES, RUBY_SITES_QUERY } from "./references.js";

const DOC_RULES = {
  commentTypes: new Set(["comment"]),
  isDoc: (text: string) => text.startsWith("#") && !text.startsWith("#!"),
  strip: (line: string) => line.replace(/^# ?/, ""),
};

/**
 * The `#` comment lines directly above a definition. The first definition of a class or module
 * body has no sibling before it: its comment is the one before the body.
 */
function rubyDocComment(definition: Node): string | null {
  const own = precedingDocComment(definition, DOC_RULES);
  if (own !== null || definition.previousSibling !== null) return own;
  const body = definition.parent;
  return body?.type === "body_statement" ? precedingDocComment(body, DOC_RULES) : null;
}

/**
 * Ruby: `def` methods (functions at the top level, methods in a class or module, `def self.x`
 * included), classes and modules, nested and qualified with `.` (`Greeter.Hello.build`). The doc
 * comment is the `#` lines directly above. Test code: Minitest and RSpec conventions (`test/`,
 * `spec/`, `*_test.rb`, `*_spec.rb`, `test_*` methods).
 */
export const ruby: LanguageSpec = {
  id: "ruby",
  displayName: "Ruby",
  extensions: [".rb"],
  shebangs: ["ruby"],
  grammar: { packageName: "tree-sitter-ruby", wasmFile: "tree-sitter-ruby.wasm" },
  definitionsQuery: RUBY_DEFINITIONS_QUERY,
  referencesQuery: RUBY_SITES_QUERY,
  references: RUBY_REFERENCE_RULES,
  kinds: ["function", "method", "class", "module"],
  outlineKinds: ["class", "module"],
  qualifiedNameSeparator: ".",
  definitionParts: (definition) => ({
    // A comment between the header and the body (a module's first member's doc) is not header.
    signature: braceHeader(definition, definition.childForFieldName("body") ?? definition.namedChildren.find((c) => c?.type === "body_statement") ?? null).replace(/\s#.*$/, ""),
    docComment: rubyDocComment(definition),
    decorators: [],
  }),
  testCode: {
    dirs: ["test", "spec"],
    fileName: /^(test_\w+|\w+_test|\w+_spec)\.rb$/,
    functionName: /^test_/,
  },
  generated: { dirs: [] },
  toolDirs: [".bundle"],
  environmentMarkers: [],
  queryWords: [],
};
