import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../language-spec.js";
import { braceHeader, precedingDocComment, stripBlockCommentLine } from "../brace-syntax.js";
import { JAVA_DEFINITIONS_QUERY } from "./queries.js";
import { JAVA_REFERENCE_RULES, JAVA_SITES_QUERY } from "./references.js";

const ANNOTATIONS = new Set(["annotation", "marker_annotation"]);
const DOC_RULES = {
  commentTypes: new Set(["block_comment", "line_comment"]),
  isDoc: (text: string) => text.startsWith("/**"),
  strip: stripBlockCommentLine,
};

/** The annotations among a declaration's modifiers (`@Override`, `@Test`), in source order. */
function annotationsOf(definition: Node): Node[] {
  const modifiers = definition.namedChildren.find((child) => child?.type === "modifiers");
  return modifiers?.namedChildren.filter((child): child is Node => child !== null && ANNOTATIONS.has(child.type)) ?? [];
}

/**
 * Java: classes (inner, local and records included), interfaces, annotation types, enums,
 * methods and constructors (a constructor is a method named like its class). Methods of an
 * anonymous class are nested in the method that creates it. The doc comment is the Javadoc block
 * above; annotations are the decorators and are left out of the signature. Test code: Maven and
 * Gradle's `src/test/`, `*Test.java`/`*Tests.java`/`Test*.java`, and `@Test` methods.
 */
export const java: LanguageSpec = {
  id: "java",
  displayName: "Java",
  extensions: [".java"],
  shebangs: [],
  grammar: { packageName: "tree-sitter-java", wasmFile: "tree-sitter-java.wasm" },
  definitionsQuery: JAVA_DEFINITIONS_QUERY,
  referencesQuery: JAVA_SITES_QUERY,
  references: JAVA_REFERENCE_RULES,
  kinds: ["function", "method", "class", "interface", "enum"],
  outlineKinds: ["class", "interface", "enum"],
  qualifiedNameSeparator: ".",
  definitionParts: (definition) => {
    const decorators = annotationsOf(definition);
    let signature = braceHeader(definition, definition.childForFieldName("body"));
    for (const annotation of decorators) signature = signature.replace(annotation.text.replace(/\s+/g, " "), "").trim();
    return { signature, docComment: precedingDocComment(definition, DOC_RULES), decorators };
  },
  testCode: {
    dirs: [],
    dirPaths: ["src/test"],
    fileName: /^(Test\w*|\w+Tests?|\w+IT)\.java$/,
    decorator: /^@(org\.junit\.(jupiter\.api\.)?)?Test\b/,
  },
  generated: { dirs: ["target"] },
  toolDirs: [],
  environmentMarkers: [],
  queryWords: [],
};
