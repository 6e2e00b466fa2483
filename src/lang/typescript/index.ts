import type { LanguageSpec } from "../language-spec.js";
import { TYPESCRIPT_LOCALS_QUERY, TYPESCRIPT_SITES_QUERY, scriptReferenceRules } from "../script-references.js";
import { SCRIPT_TEST_CODE, scriptDefinitionParts, scriptOwner } from "../script-syntax.js";
import { TYPESCRIPT_DEFINITIONS_QUERY } from "./queries.js";

const TSX_GRAMMAR = { packageName: "tree-sitter-typescript", wasmFile: "tree-sitter-tsx.wasm" };

/**
 * TypeScript and TSX: everything JavaScript has (see javascript/index.ts) plus interfaces, type
 * aliases, enums, abstract classes, overload signatures (each its own entity, beside the
 * implementation) and interface method signatures. `.tsx` files use the TSX grammar. Declaration
 * files (`*.d.ts`) are generated code, skipped by default.
 */
export const typescript: LanguageSpec = {
  id: "typescript",
  displayName: "TypeScript",
  extensions: [".ts", ".tsx", ".mts", ".cts"],
  shebangs: ["ts-node", "tsx", "deno", "bun"],
  grammar: { packageName: "tree-sitter-typescript", wasmFile: "tree-sitter-typescript.wasm" },
  grammarFor: (path) => (path.endsWith(".tsx") ? { grammar: TSX_GRAMMAR, definitionsQuery: TYPESCRIPT_DEFINITIONS_QUERY } : null),
  definitionsQuery: TYPESCRIPT_DEFINITIONS_QUERY,
  referencesQuery: TYPESCRIPT_SITES_QUERY,
  references: scriptReferenceRules(TYPESCRIPT_LOCALS_QUERY),
  kinds: ["function", "method", "class", "interface", "type", "enum"],
  outlineKinds: ["class"],
  qualifiedNameSeparator: ".",
  definitionParts: scriptDefinitionParts,
  ownerType: scriptOwner,
  testCode: SCRIPT_TEST_CODE,
  generated: { dirs: ["dist"], fileName: /\.d\.[cm]?ts$/ },
  toolDirs: [],
  environmentMarkers: [],
  queryWords: ["typescript"],
};
