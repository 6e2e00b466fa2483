import type { Node } from "web-tree-sitter";
import type { LanguageSpec } from "../language-spec.js";
import { headerSignature } from "../header-signature.js";
import { docstringOf, docstringStatement } from "./docstring.js";
import { PYTHON_DEFINITIONS_QUERY, PYTHON_REFERENCES_QUERY } from "./queries.js";
import { pythonReferences } from "./reference-walker.js";

const HEADER_RULES = {
  endsHeader: (child: Node) => child.type === ":" || child.type === "block",
  atomicTypes: new Set(["string"]),
  skippedTypes: new Set(["comment", "line_continuation"]),
};

/**
 * Python: `def`, `async def` and `class` at any depth (module level, class bodies, nested in
 * functions, under `if`/`try`/`with`/`for`); a def in a class body is a method. The doc comment is
 * the docstring (a string opening the body, as `inspect.cleandoc` gives it); decorators are the
 * `@…` lines of a `decorated_definition`. Test code follows pytest and unittest.
 */
export const python: LanguageSpec = {
  id: "python",
  displayName: "Python",
  extensions: [".py"],
  shebangs: ["python", "python3", "python2"],
  grammar: { packageName: "tree-sitter-python", wasmFile: "tree-sitter-python.wasm" },
  definitionsQuery: PYTHON_DEFINITIONS_QUERY,
  referencesQuery: PYTHON_REFERENCES_QUERY,
  // Modules resolve as dotted paths (`pkg.mod` → `pkg/mod.py`, relative `..mod`), the resolver's
  // default; bases are the parenthesised list of the class header, also its default.
  references: { extract: pythonReferences, selfNames: ["self", "cls"], visibility: "file" },
  kinds: ["function", "method", "class"],
  outlineKinds: ["class"],
  qualifiedNameSeparator: ".",
  definitionParts: (definition) => ({
    signature: headerSignature(definition, HEADER_RULES),
    docComment: docstringOf(definition),
    decorators:
      definition.parent?.type === "decorated_definition"
        ? definition.parent.namedChildren.filter((child): child is Node => child?.type === "decorator")
        : [],
  }),
  docStatement: docstringStatement,
  testCode: {
    dirs: ["test", "tests", "testing"],
    fileName: /^(test_.*|.*_test|tests|conftest)\.py$/,
    functionName: /^test(_|\p{Lu}|$)/u,
  },
  generated: { dirs: [] },
  toolDirs: ["__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".venv", "venv"],
  environmentMarkers: ["pyvenv.cfg"],
  queryWords: ["python"],
};
