import type { LanguageSpec } from "../language-spec.js";
import { JAVASCRIPT_LOCALS_QUERY, JAVASCRIPT_SITES_QUERY, scriptReferenceRules } from "../script-references.js";
import { SCRIPT_TEST_CODE, scriptDefinitionParts, scriptOwner } from "../script-syntax.js";
import { JAVASCRIPT_DEFINITIONS_QUERY } from "./queries.js";

/**
 * JavaScript (ES modules, CommonJS, JSX): functions and generators, classes and their methods,
 * functions bound to names (`const f = () => …`, `exports.f = function…`), object-literal
 * methods (qualified by the variable holding the object), class fields holding functions,
 * `export default` (named `default` when anonymous). The doc comment is the JSDoc block above.
 */
export const javascript: LanguageSpec = {
  id: "javascript",
  displayName: "JavaScript",
  extensions: [".js", ".jsx", ".mjs", ".cjs"],
  shebangs: ["node", "nodejs"],
  grammar: { packageName: "tree-sitter-javascript", wasmFile: "tree-sitter-javascript.wasm" },
  definitionsQuery: JAVASCRIPT_DEFINITIONS_QUERY,
  referencesQuery: JAVASCRIPT_SITES_QUERY,
  references: scriptReferenceRules(JAVASCRIPT_LOCALS_QUERY),
  kinds: ["function", "method", "class"],
  outlineKinds: ["class"],
  qualifiedNameSeparator: ".",
  definitionParts: scriptDefinitionParts,
  ownerType: scriptOwner,
  testCode: SCRIPT_TEST_CODE,
  generated: { dirs: ["dist", "bower_components"], fileName: /\.(min|bundle)\.[cm]?js$/ },
  toolDirs: [],
  environmentMarkers: [],
  queryWords: ["javascript", "nodejs"],
};
