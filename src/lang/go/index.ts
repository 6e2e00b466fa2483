import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../language-spec.js";
import { braceHeader, outermostWrapper, precedingDocComment } from "../brace-syntax.js";
import { GO_DEFINITIONS_QUERY } from "./queries.js";
import { GO_REFERENCE_RULES, GO_SITES_QUERY } from "./references.js";

const COMMENT = new Set(["comment"]);
const WRAPPERS = new Set(["type_declaration"]);
const DOC_RULES = { commentTypes: COMMENT, isDoc: (text: string) => text.startsWith("//"), strip: (line: string) => line.replace(/^\/\/ ?/, "") };

/** The receiver's type name of a method declaration: `Command` for `(c *Command)`, `Stack` for `(s Stack[T])`. */
function receiverType(definition: Node): string | null {
  if (definition.type !== "method_declaration") return null;
  const receiver = definition.childForFieldName("receiver");
  const declaration = receiver?.namedChildren.find((child) => child?.type === "parameter_declaration");
  const text = declaration?.childForFieldName("type")?.text ?? "";
  const name = /^\*?\s*([\p{L}_][\p{L}\p{N}_]*)/u.exec(text);
  return name?.[1] ?? null;
}

/** The node a type's header stops at: the `{` of a struct's fields or an interface's methods. */
function typeBody(definition: Node): Node | null {
  const type = definition.childForFieldName("type");
  if (type === null) return null;
  return type.namedChildren.find((child) => child?.type === "field_declaration_list") ?? null;
}

/**
 * Go: funcs, methods (qualified by their receiver's type: `Command.Execute`, whatever file the
 * type is in), structs, interfaces and other named types, type aliases. The doc comment is the
 * `//` lines directly above (Go's convention, no blank line between). Test code: `_test.go`
 * files and `testdata/`.
 */
export const go: LanguageSpec = {
  id: "go",
  displayName: "Go",
  extensions: [".go"],
  shebangs: [],
  grammar: { packageName: "tree-sitter-go", wasmFile: "tree-sitter-go.wasm" },
  definitionsQuery: GO_DEFINITIONS_QUERY,
  referencesQuery: GO_SITES_QUERY,
  references: GO_REFERENCE_RULES,
  kinds: ["function", "method", "struct", "interface", "type"],
  outlineKinds: [],
  qualifiedNameSeparator: ".",
  definitionParts: (definition) => {
    const isType = definition.type === "type_spec" || definition.type === "type_alias";
    const header = braceHeader(definition, isType ? typeBody(definition) : definition.childForFieldName("body"));
    const wrapper = outermostWrapper(definition, WRAPPERS);
    // A lone `type X …` declaration carries the keyword; a grouped one's spec does not.
    const signature = isType && !header.startsWith("type ") ? `type ${header}` : header;
    return {
      signature,
      // Inside `type ( … )` a spec's own comment comes first, else the group's.
      docComment: precedingDocComment(definition, DOC_RULES) ?? (wrapper === definition ? null : precedingDocComment(wrapper, DOC_RULES)),
      decorators: [],
    };
  },
  ownerType: receiverType,
  testCode: {
    dirs: ["testdata"],
    fileName: /_test\.go$/,
  },
  generated: { dirs: ["vendor"], fileName: /\.pb\.go$/ },
  toolDirs: [],
  environmentMarkers: [],
  queryWords: ["golang"],
};
