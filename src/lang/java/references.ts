// How Java names definitions: method calls (a bare call is `this.`'s), `new`, `extends` and
// `implements`, type names; a package is a directory; imports name classes by package path.
import type { Node } from "web-tree-sitter";
import { extendedTypes } from "../brace-syntax.js";
import type { ImportFound, ReferenceRules, RepositoryFiles } from "../language-spec.js";

/** Method calls, `new`, base classes and interfaces, field reads, type names, every other identifier. */
export const JAVA_SITES_QUERY = `
(method_invocation object: (_) @qualifier name: (identifier) @name) @reference.call
(method_invocation !object name: (identifier) @name) @reference.call
(object_creation_expression type: [(type_identifier) @name (generic_type (type_identifier) @name)]) @reference.new
(object_creation_expression type: (scoped_type_identifier (_) @qualifier . (type_identifier) @name)) @reference.new
(superclass [(type_identifier) @name (generic_type (type_identifier) @name)]) @reference.inherit
(super_interfaces (type_list [(type_identifier) @name (generic_type (type_identifier) @name)])) @reference.inherit
(extends_interfaces (type_list [(type_identifier) @name (generic_type (type_identifier) @name)])) @reference.inherit
(marker_annotation name: (identifier) @name) @reference.decorator
(annotation name: (identifier) @name) @reference.decorator
(method_reference (_) @qualifier . (identifier) @name) @reference.name
(field_access object: (_) @qualifier field: (identifier) @name) @reference.name
(type_identifier) @name @reference.name
(identifier) @name @reference.name
`;

/** Parameters, local variables, fields (locals of their class), `for` and `catch` variables, lambda parameters, with their declared types. */
export const JAVA_LOCALS_QUERY = `
(formal_parameter type: [(type_identifier) (generic_type)] @local.type name: (identifier) @local)
(formal_parameter name: (identifier) @local)
(spread_parameter (variable_declarator name: (identifier) @local))
(local_variable_declaration type: [(type_identifier) (generic_type)] @local.type declarator: (variable_declarator name: (identifier) @local))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local value: (object_creation_expression type: [(type_identifier) (generic_type)] @local.type)))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))
(field_declaration type: [(type_identifier) (generic_type)] @local.type declarator: (variable_declarator name: (identifier) @local))
(field_declaration declarator: (variable_declarator name: (identifier) @local))
(field_declaration type: [(type_identifier) (generic_type)] @field.type declarator: (variable_declarator name: (identifier) @field))
(enhanced_for_statement type: [(type_identifier) (generic_type)] @local.type name: (identifier) @local)
(enhanced_for_statement name: (identifier) @local)
(catch_formal_parameter name: (identifier) @local)
(lambda_expression parameters: (identifier) @local)
(inferred_parameters (identifier) @local)
(resource name: (identifier) @local)
`;

/** `import a.b.Cart;` binds `Cart` from package `a.b`; `import a.b.*;` is a star import; `import static a.b.U.m;` binds `m` of class file `a.b.U`. */
function javaImports(root: Node): ImportFound[] {
  const found: ImportFound[] = [];
  for (const statement of root.namedChildren) {
    if (statement?.type !== "import_declaration") continue;
    const path = statement.namedChildren.find((child) => child?.type === "scoped_identifier" || child?.type === "identifier");
    if (!path) continue;
    const line = statement.startPosition.row + 1;
    if (statement.namedChildren.some((child) => child?.type === "asterisk")) {
      found.push({ line, scopeLine: 0, module: path.text, name: null, alias: "*", column: 0 });
      continue;
    }
    const name = path.childForFieldName("name") ?? path;
    const module = path.childForFieldName("scope")?.text ?? "";
    found.push({ line, scopeLine: 0, module, name: name.text, alias: name.text, column: name.startPosition.column + 1 });
  }
  return found;
}

const packages = new WeakMap<RepositoryFiles, Map<string, string | null>>();

/**
 * A Java file of the package an import names (`a.b` → any `.java` file of a directory ending
 * `a/b`), or the file of a class (`a.b.U` → `…/a/b/U.java`, for static and nested imports); null
 * for packages outside the repository (`java.util`).
 */
function resolveJavaPackage(module: string, _fromPath: string, files: RepositoryFiles): string | null {
  let memo = packages.get(files);
  if (memo === undefined) packages.set(files, (memo = new Map()));
  const known = memo.get(module);
  if (known !== undefined) return known;
  const suffix = module.replace(/\./g, "/");
  let found: string | null = null;
  for (const dir of files.dirs) {
    if (dir !== suffix && !dir.endsWith(`/${suffix}`)) continue;
    found = files.filesIn(dir).find((file) => file.endsWith(".java")) ?? null;
    if (found !== null) break;
  }
  if (found === null) {
    const classDir = suffix.includes("/") ? suffix.slice(0, suffix.lastIndexOf("/")) : "";
    for (const dir of files.dirs) {
      if (dir !== classDir && !dir.endsWith(`/${classDir}`)) continue;
      const file = `${dir}/${suffix.slice(suffix.lastIndexOf("/") + 1)}.java`;
      if (files.has(file)) {
        found = file;
        break;
      }
    }
  }
  memo.set(module, found);
  return found;
}

/** Java's reference rules: a package is a directory; a bare call inside a class is a call of its own (or inherited) method. */
export const JAVA_REFERENCE_RULES: ReferenceRules = {
  localsQuery: JAVA_LOCALS_QUERY,
  selfNames: ["this"],
  superNames: ["super"],
  implicitSelf: true,
  visibility: "directory",
  imports: javaImports,
  resolveModule: resolveJavaPackage,
  submodule: () => null,
  baseTypes: extendedTypes,
};
