// How JavaScript and TypeScript name definitions of other files: ES imports and re-exports,
// CommonJS `require`, relative module paths, `extends`/`implements`, and the locals that hide names.
import type { Node } from "web-tree-sitter";
import { extendedTypes, textAfterParameters } from "./brace-syntax.js";
import type { ImportFound, ReferenceRules, RepositoryFiles } from "./language-spec.js";

/** Site patterns both grammars share: calls, `new`, member reads and every other identifier. */
const SCRIPT_SITE_PATTERNS = `
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (member_expression object: (_) @qualifier property: (property_identifier) @name)) @reference.call
(new_expression constructor: (identifier) @name) @reference.new
(new_expression constructor: (member_expression object: (_) @qualifier property: (property_identifier) @name)) @reference.new
(decorator (identifier) @name) @reference.decorator
(decorator (call_expression function: (identifier) @name)) @reference.decorator
`;

/** The last patterns: reads that are no call (a callback passed, `obj.method` taken). */
const SCRIPT_READ_PATTERNS = `
(member_expression object: (_) @qualifier property: (property_identifier) @name) @reference.name
(shorthand_property_identifier) @name @reference.name
(identifier) @name @reference.name
`;

/** JavaScript's reference sites: {@link SCRIPT_SITE_PATTERNS}, `extends` (a `class_heritage` holds the expression), reads. */
export const JAVASCRIPT_SITES_QUERY = `${SCRIPT_SITE_PATTERNS}
(class_heritage (identifier) @name) @reference.inherit
(class_heritage (member_expression object: (_) @qualifier property: (property_identifier) @name)) @reference.inherit
${SCRIPT_READ_PATTERNS}`;

/** TypeScript's reference sites: {@link SCRIPT_SITE_PATTERNS}, `extends`/`implements`, type names, reads. */
export const TYPESCRIPT_SITES_QUERY = `${SCRIPT_SITE_PATTERNS}
(extends_clause value: (identifier) @name) @reference.inherit
(extends_clause value: (member_expression object: (_) @qualifier property: (property_identifier) @name)) @reference.inherit
(implements_clause (type_identifier) @name) @reference.inherit
(implements_clause (generic_type name: (type_identifier) @name)) @reference.inherit
(extends_type_clause (type_identifier) @name) @reference.inherit
(nested_type_identifier module: (_) @qualifier name: (type_identifier) @name) @reference.name
(type_identifier) @name @reference.name
${SCRIPT_READ_PATTERNS}`;

/**
 * Names bound in a scope (parameters, variables, destructured names, `catch`), with the type of
 * `new T()` initialisers, the call or the name chain a variable was assigned (`const w = this.writer`),
 * and the type a later `v = new T()` gives a variable declared untyped; `this.f = new T()` types the field `f`.
 */
const SCRIPT_LOCAL_PATTERNS = `
(variable_declarator name: (identifier) @local value: (new_expression constructor: (identifier) @local.type))
(variable_declarator name: (identifier) @local value: [(call_expression function: [(identifier) (member_expression)] @local.call) (await_expression (call_expression function: [(identifier) (member_expression)] @local.call))])
(variable_declarator name: (identifier) @local value: [(identifier) (member_expression)] @local.value)
(assignment_expression left: (identifier) @assigned right: (new_expression constructor: (identifier) @local.type))
(variable_declarator name: (identifier) @local)
(arrow_function parameter: (identifier) @local)
(rest_pattern (identifier) @local)
(shorthand_property_identifier_pattern) @local
(pair_pattern value: (identifier) @local)
(array_pattern (identifier) @local)
(object_assignment_pattern left: (shorthand_property_identifier_pattern) @local)
(catch_clause parameter: (identifier) @local)
(for_in_statement left: (identifier) @local)
(assignment_expression left: (member_expression object: (this) property: (property_identifier) @field) right: (new_expression constructor: (identifier) @field.type))
`;

/** JavaScript's locals: the shared patterns plus untyped parameters. */
export const JAVASCRIPT_LOCALS_QUERY = `${SCRIPT_LOCAL_PATTERNS}
(formal_parameters (identifier) @local)
(formal_parameters (assignment_pattern left: (identifier) @local))
`;

/**
 * TypeScript's locals: JavaScript's plus typed parameters and variables (`c: Cart`, `b: Builder<T>`,
 * `t: type.Union`, `w: Writer | null`, `const r = x as Reader`), and typed fields (`cart: Cart`,
 * `constructor(private cart: Cart)`).
 */
export const TYPESCRIPT_LOCALS_QUERY = `${SCRIPT_LOCAL_PATTERNS}
(required_parameter pattern: (identifier) @local type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @local.type))
(required_parameter pattern: (identifier) @local)
(optional_parameter pattern: (identifier) @local type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @local.type))
(optional_parameter pattern: (identifier) @local)
(variable_declarator name: (identifier) @local type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @local.type))
(variable_declarator name: (identifier) @local value: [(as_expression (_) [(type_identifier) (generic_type) (nested_type_identifier)] @local.type) (await_expression (as_expression (_) [(type_identifier) (generic_type) (nested_type_identifier)] @local.type))])
(public_field_definition name: (property_identifier) @field type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @field.type))
(required_parameter (accessibility_modifier) pattern: (identifier) @field type: (type_annotation [(type_identifier) (generic_type) (nested_type_identifier) (union_type)] @field.type))
(public_field_definition name: (property_identifier) @field value: (new_expression constructor: (identifier) @field.type))
`;

/** The string a `source`/`require` argument spells, or null. */
function stringText(node: Node | null | undefined): string | null {
  if (node?.type !== "string") return null;
  return node.namedChildren.find((child) => child?.type === "string_fragment")?.text ?? "";
}

/**
 * The bindings of a script's module-level imports: `import D, { a as b } from "m"` (D binds
 * `default`), `import * as ns`, `export { x } from` and `export * from` (re-exports, which a module
 * importing this one sees), `export { a as b }` (the file's own `a` under another name; module ""),
 * `const x = require("m")` (binds m's `default`: its `module.exports = f`, else m itself) and
 * `const { a, b: c } = require("m")`; `module.exports = f` and `export default f` bind `default`.
 */
export function scriptImports(root: Node): ImportFound[] {
  const found: ImportFound[] = [];
  const bind = (module: string, name: string | null, alias: string, at: Node | null, aliasAt?: Node | null) =>
    found.push({
      line: (at ?? root).startPosition.row + 1,
      scopeLine: 0,
      module,
      name,
      alias,
      column: at === null || name === null ? 0 : at.startPosition.column + 1,
      ...(aliasAt ? { aliasColumn: aliasAt.startPosition.column + 1 } : {}),
    });
  for (const statement of root.namedChildren) {
    if (statement === null) continue;
    const type = statement.type;
    // Only imports and re-exports name a source; asking every statement for one costs a call into the parser each.
    const module = type === "import_statement" || type === "export_statement" ? stringText(statement.childForFieldName("source")) : null;
    if (type === "import_statement" && module !== null) {
      const clause = statement.namedChildren.find((child) => child?.type === "import_clause");
      for (const part of clause?.namedChildren ?? []) {
        if (part?.type === "identifier") bind(module, "default", part.text, part);
        else if (part?.type === "namespace_import") {
          const alias = part.namedChildren.find((child) => child?.type === "identifier");
          if (alias) bind(module, null, alias.text, alias);
        } else if (part?.type === "named_imports") {
          for (const specifier of part.namedChildren) {
            const name = specifier?.childForFieldName("name");
            if (specifier?.type !== "import_specifier" || !name) continue;
            const alias = specifier.childForFieldName("alias");
            bind(module, name.text, alias?.text ?? name.text, name, alias);
          }
        }
      }
    } else if (type === "export_statement" && module !== null) {
      const clause = statement.namedChildren.find((child) => child?.type === "export_clause");
      if (clause === undefined) {
        const namespace = statement.namedChildren.find((child) => child?.type === "namespace_export")?.namedChildren.find((child) => child?.type === "identifier");
        if (namespace) bind(module, null, namespace.text, namespace);
        else bind(module, null, "*", null);
        continue;
      }
      for (const specifier of clause?.namedChildren ?? []) {
        const name = specifier?.childForFieldName("name");
        if (specifier?.type !== "export_specifier" || !name) continue;
        const alias = specifier.childForFieldName("alias");
        bind(module, name.text, alias?.text ?? name.text, name, alias);
      }
    } else if (type === "expression_statement" && statement.firstNamedChild?.type === "assignment_expression") {
      // `module.exports = f` makes `f` the module's default export.
      const assignment = statement.firstNamedChild;
      const value = assignment.childForFieldName("right");
      if (assignment.childForFieldName("left")?.text === "module.exports" && value?.type === "identifier") bind("", value.text, "default", null);
    } else if (type === "export_statement") {
      const value = statement.childForFieldName("value") ?? statement.childForFieldName("declaration");
      // `export default f` makes `f` the module's default export.
      if (value?.type === "identifier") bind("", value.text, "default", null);
      // `export { a as b }`: the module exports `a` as `b` too (module "" is the file itself).
      const clause = statement.namedChildren.find((child) => child?.type === "export_clause");
      for (const specifier of clause?.namedChildren ?? []) {
        const name = specifier?.childForFieldName("name");
        const alias = specifier?.childForFieldName("alias");
        if (specifier?.type === "export_specifier" && name && alias) bind("", name.text, alias.text, name, alias);
      }
    } else if (type === "lexical_declaration" || type === "variable_declaration") {
      for (const declarator of statement.namedChildren) {
        const value = declarator?.childForFieldName("value");
        if (declarator?.type !== "variable_declarator" || value?.type !== "call_expression" || value.childForFieldName("function")?.text !== "require") continue;
        const required = stringText(value.childForFieldName("arguments")?.namedChildren[0]);
        const target = declarator.childForFieldName("name");
        if (required === null || !target) continue;
        // The module's default export (`module.exports = f`), else the module itself.
        if (target.type === "identifier") bind(required, "default", target.text, target);
        else if (target.type === "object_pattern") {
          for (const part of target.namedChildren) {
            if (part?.type === "shorthand_property_identifier_pattern") bind(required, part.text, part.text, part);
            else if (part?.type === "pair_pattern") {
              const key = part.childForFieldName("key");
              const value = part.childForFieldName("value");
              if (key && value?.type === "identifier") bind(required, key.text, value.text, key, value);
            }
          }
        }
      }
    }
  }
  return found;
}

const SCRIPT_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"];

/** `a/b/../c` → `a/c`; null when it climbs above the root. */
function normalise(path: string): string | null {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

/**
 * The file a relative specifier (`./cart`, `../lib/index.js`) names from `fromPath`: as written,
 * with each script extension added, a `.js` written for a `.ts` source, or the folder's `index`.
 * Package names (`react`, `node:fs`) are outside the repository: null; "" is the file itself.
 */
export function resolveScriptModule(module: string, fromPath: string, files: RepositoryFiles): string | null {
  if (module === "") return fromPath;
  if (!module.startsWith("./") && !module.startsWith("../") && module !== "." && module !== "..") return null;
  const dir = fromPath.includes("/") ? fromPath.slice(0, fromPath.lastIndexOf("/")) : "";
  const base = normalise(`${dir}/${module}`);
  if (base === null) return null;
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, "");
  const candidates = [base, ...SCRIPT_EXTENSIONS.map((ext) => `${stem}${ext}`), ...SCRIPT_EXTENSIONS.map((ext) => `${base === "" ? "" : `${base}/`}index${ext}`)];
  return candidates.find((candidate) => files.has(candidate)) ?? null;
}

/** The type a TypeScript function is declared to return (`make(): Cart {` → `Cart`, `ns.Cart` too), or null. */
function scriptReturnType(signature: string, name: string): string | null {
  const rest = textAfterParameters(signature, name);
  return rest === null ? null : (/^\s*:\s*([\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)*)/u.exec(rest)?.[1] ?? null);
}

/**
 * The chain a script qualifier that is no plain chain of names stands for: `new Cart()` and
 * `(obj || new Cart())` → `Cart()`, `f()` → `f()`, `x!`, `(x)`, `await x` → `x`'s,
 * `x as Cart` → `Cart()`, `a().b` → `a().b`; null for any other expression.
 */
function scriptQualifier(node: Node): string | null {
  const only = node.namedChildren.length === 1 ? node.namedChildren[0] : null;
  switch (node.type) {
    case "identifier":
    case "this":
    case "super":
      return node.text;
    case "parenthesized_expression":
    case "non_null_expression":
    case "await_expression":
      return only ? scriptQualifier(only) : null;
    case "as_expression": {
      const type = node.namedChildren[1];
      return type && /^(type_identifier|generic_type|nested_type_identifier)$/.test(type.type) ? `${type.text.replace(/<[\s\S]*$/, "")}()` : null;
    }
    case "new_expression":
    case "call_expression": {
      const callee = node.childForFieldName(node.type === "new_expression" ? "constructor" : "function");
      const chain = callee === null ? null : scriptQualifier(callee);
      return chain === null ? null : `${chain}()`;
    }
    case "member_expression": {
      const object = node.childForFieldName("object");
      const property = node.childForFieldName("property");
      const chain = object === null ? null : scriptQualifier(object);
      return chain === null || property?.type !== "property_identifier" ? null : `${chain}.${property.text}`;
    }
    case "binary_expression": {
      // `obj || new Cart()`, `obj ?? new Cart()`: the type the constructed default has.
      const operator = node.childForFieldName("operator")?.text;
      const right = node.childForFieldName("right");
      return (operator === "||" || operator === "??") && right?.type === "new_expression" ? scriptQualifier(right) : null;
    }
    default:
      return null;
  }
}

/** The reference rules JavaScript and TypeScript share, given each one's locals query. */
export function scriptReferenceRules(localsQuery: string): ReferenceRules {
  return {
    localsQuery,
    selfNames: ["this"],
    superNames: ["super"],
    visibility: "file",
    imports: scriptImports,
    resolveModule: resolveScriptModule,
    submodule: () => null,
    baseTypes: extendedTypes,
    returnType: scriptReturnType,
    qualifierExpression: scriptQualifier,
    typeMembers: ["prototype"],
  };
}
