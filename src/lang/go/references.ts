// How Go names definitions: calls and selectors, composite literals, type names; a package is a
// directory whose files see each other; imports name packages by path; a receiver reads as `self`.
import type { Node } from "web-tree-sitter";
import { textAfterParameters } from "../brace-syntax.js";
import type { ImportFound, ReferenceRules, RepositoryFiles } from "../language-spec.js";

/** Calls (plain and through a selector), composite literals (`Cart{}` instantiates), selectors, type names, every other identifier. */
export const GO_SITES_QUERY = `
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (selector_expression operand: (_) @qualifier field: (field_identifier) @name)) @reference.call
(composite_literal type: (type_identifier) @name) @reference.new
(composite_literal type: (qualified_type package: (package_identifier) @qualifier name: (type_identifier) @name)) @reference.new
(qualified_type package: (package_identifier) @qualifier name: (type_identifier) @name) @reference.name
(selector_expression operand: (_) @qualifier field: (field_identifier) @name) @reference.name
(type_identifier) @name @reference.name
(identifier) @name @reference.name
`;

/** Parameters, `:=`, `var` and range variables, with the type of typed ones and of `&T{}` / `T{}` initialisers; a struct's typed fields. */
export const GO_LOCALS_QUERY = `
(parameter_declaration name: (identifier) @local type: [(type_identifier) (qualified_type) (pointer_type [(type_identifier) (qualified_type)] @local.type)] @local.type)
(parameter_declaration name: (identifier) @local)
(variadic_parameter_declaration name: (identifier) @local)
(short_var_declaration left: (expression_list . (identifier) @local) right: (expression_list . [(composite_literal type: [(type_identifier) (qualified_type)] @local.type) (unary_expression operand: (composite_literal type: [(type_identifier) (qualified_type)] @local.type))]))
(short_var_declaration left: (expression_list . (identifier) @local) right: (expression_list . (call_expression function: [(identifier) (selector_expression)] @local.call)))
(short_var_declaration left: (expression_list (identifier) @local))
(var_spec name: (identifier) @local type: [(type_identifier) (qualified_type) (pointer_type [(type_identifier) (qualified_type)] @local.type)] @local.type)
(var_spec name: (identifier) @local)
(range_clause left: (expression_list (identifier) @local))
(const_spec name: (identifier) @local)
(field_declaration name: (field_identifier) @field type: [(type_identifier) (qualified_type) (pointer_type [(type_identifier) (qualified_type)])] @field.type)
`;

/** The package name an import path binds by default: its last element (`v2` version suffixes skipped). */
function packageName(path: string): string {
  const parts = path.split("/");
  const last = parts.at(-1) ?? path;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}

/** Each `import` spec: `import "a/b"` binds `b`, `import c "a/b"` binds `c`, `import . "a/b"` is a star import; `_` binds nothing. */
function goImports(root: Node): ImportFound[] {
  const found: ImportFound[] = [];
  const visit = (node: Node): void => {
    if (node.type === "import_spec") {
      const path = node.childForFieldName("path")?.text.replace(/^["`]|["`]$/g, "");
      const name = node.childForFieldName("name");
      if (!path || name?.type === "blank_identifier") return;
      const alias = name?.type === "dot" ? "*" : (name?.text ?? packageName(path));
      found.push({ line: node.startPosition.row + 1, scopeLine: 0, module: path, name: null, alias, column: 0 });
      return;
    }
    for (const child of node.namedChildren) if (child !== null && (child.type === "import_spec" || child.type === "import_spec_list")) visit(child);
  };
  for (const child of root.namedChildren) if (child?.type === "import_declaration") visit(child);
  return found;
}

/**
 * A Go file of the package an import path names: the longest tail of the path that is a directory
 * of the repository (`github.com/org/repo/pkg/cart` → `pkg/cart`). Standard-library paths (no
 * dot in the first element) and paths no directory ends are outside: null.
 */
function resolveGoPackage(module: string, _fromPath: string, files: RepositoryFiles): string | null {
  const parts = module.split("/");
  if (!parts[0]!.includes(".")) return null;
  for (let start = 1; start < parts.length; start++) {
    const dir = parts.slice(start).join("/");
    if (!files.dirs.has(dir)) continue;
    const file = files.filesIn(dir).find((candidate) => candidate.endsWith(".go") && !candidate.endsWith("_test.go"));
    if (file !== undefined) return file;
  }
  return null;
}

/** The receiver's name of a method (`c` of `func (c *Cart) Total()`), read as `self`. */
function receiverName(definition: Node): string | null {
  if (definition.type !== "method_declaration") return null;
  const receiver = definition.childForFieldName("receiver")?.namedChildren.find((child) => child?.type === "parameter_declaration");
  return receiver?.childForFieldName("name")?.text ?? null;
}

/** The type of a method's receiver (`Cart` of `func (c *Cart) Total()`, `Cart` of `func (c Cart[T]) …`). */
function receiverType(definition: Node): string | null {
  if (definition.type !== "method_declaration") return null;
  const receiver = definition.childForFieldName("receiver")?.namedChildren.find((child) => child?.type === "parameter_declaration");
  const type = receiver?.childForFieldName("type")?.text.replace(/^\*\s*/, "").replace(/\[.*$/s, "");
  return type !== undefined && /^[\p{L}_][\p{L}\p{N}_]*$/u.test(type) ? type : null;
}

/**
 * The chain a Go qualifier that is no plain chain of names stands for: `c.Items()` → `c.Items()`,
 * `(&Cart{})` and `Cart{}` → `Cart()`, `(c)` → `c`; null for any other expression.
 */
function goQualifier(node: Node): string | null {
  switch (node.type) {
    case "identifier":
    case "package_identifier":
      return node.text;
    case "parenthesized_expression":
      return node.namedChildren.length === 1 && node.namedChildren[0] ? goQualifier(node.namedChildren[0]) : null;
    case "unary_expression": {
      const operand = node.childForFieldName("operand");
      return node.childForFieldName("operator")?.text === "&" && operand?.type === "composite_literal" ? goQualifier(operand) : null;
    }
    case "composite_literal": {
      const type = node.childForFieldName("type");
      return type?.type === "type_identifier" || type?.type === "qualified_type" ? `${type.text}()` : null;
    }
    case "call_expression": {
      const callee = node.childForFieldName("function");
      const chain = callee === null ? null : goQualifier(callee);
      return chain === null ? null : `${chain}()`;
    }
    case "selector_expression": {
      const operand = node.childForFieldName("operand");
      const field = node.childForFieldName("field");
      const chain = operand === null ? null : goQualifier(operand);
      return chain === null || field === null ? null : `${chain}.${field.text}`;
    }
    default:
      return null;
  }
}

/** The type a Go func returns first: `*Cart` of `func New() *Cart`, `cart.Cart` of `(cart.Cart, error)`. */
function goReturnType(signature: string, name: string): string | null {
  const rest = textAfterParameters(signature, name);
  return rest === null ? null : (/^\s*\(?\s*\*?\s*([\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)?)/u.exec(rest)?.[1] ?? null);
}

/** Go's reference rules: a package is a directory (its files see each other's definitions and methods). */
export const GO_REFERENCE_RULES: ReferenceRules = {
  localsQuery: GO_LOCALS_QUERY,
  selfNames: [],
  receiverName,
  receiverType,
  qualifierExpression: goQualifier,
  visibility: "directory",
  imports: goImports,
  resolveModule: resolveGoPackage,
  submodule: () => null,
  returnType: goReturnType,
};
