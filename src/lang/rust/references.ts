// How Rust names definitions: calls (plain, methods, `Type::f`, `module::f`), macro calls, struct
// literals, `impl Trait for`, type names; `use` trees; modules as files (`crate::a::b` → src/a/b.rs).
import type { Node } from "web-tree-sitter";
import { textAfterParameters } from "../brace-syntax.js";
import type { ImportFound, ReferenceRules, RepositoryFiles } from "../language-spec.js";

/** Calls, macro calls, struct literals, implemented traits, paths, type names, every other identifier. */
export const RUST_SITES_QUERY = `
(call_expression function: [(identifier) @name (generic_function function: (identifier) @name)]) @reference.call
(call_expression function: [(field_expression value: (_) @qualifier field: (field_identifier) @name) (generic_function function: (field_expression value: (_) @qualifier field: (field_identifier) @name))]) @reference.call
(call_expression function: [(scoped_identifier path: (_) @qualifier name: (identifier) @name) (generic_function function: (scoped_identifier path: (_) @qualifier name: (identifier) @name))]) @reference.call
(macro_invocation macro: (identifier) @name) @reference.call
(struct_expression name: (type_identifier) @name) @reference.new
(struct_expression name: (scoped_type_identifier path: (_) @qualifier name: (type_identifier) @name)) @reference.new
(impl_item trait: (type_identifier) @name) @reference.inherit
(scoped_type_identifier path: (_) @qualifier name: (type_identifier) @name) @reference.name
(scoped_identifier path: (_) @qualifier name: (identifier) @name) @reference.name
(field_expression value: (_) @qualifier field: (field_identifier) @name) @reference.name
(type_identifier) @name @reference.name
(identifier) @name @reference.name
`;

/** Parameters, `let` bindings (typed, or built by `Type { … }` / `Type::new(…)`), closure and `for` patterns. */
export const RUST_LOCALS_QUERY = `
(parameter pattern: (identifier) @local type: [(type_identifier) (generic_type) (reference_type type: [(type_identifier) (generic_type)] @local.type)] @local.type)
(parameter pattern: (identifier) @local)
(let_declaration pattern: (identifier) @local type: [(type_identifier) (generic_type) (reference_type type: [(type_identifier) (generic_type)] @local.type)] @local.type)
(let_declaration pattern: (identifier) @local value: (struct_expression name: (type_identifier) @local.type))
(let_declaration pattern: (identifier) @local value: (call_expression function: (scoped_identifier path: (_) @local.type name: (identifier) @_constructor) (#match? @_constructor "^(new|default|with_.*|from_.*)$")))
(let_declaration pattern: (identifier) @local value: (call_expression function: [(identifier) (scoped_identifier)] @local.call))
(let_declaration pattern: (identifier) @local)
(tuple_pattern (identifier) @local)
(closure_parameters (identifier) @local)
(closure_parameters (parameter pattern: (identifier) @local))
(for_expression pattern: (identifier) @local)
(let_condition pattern: (_ (identifier) @local))
(match_arm pattern: (match_pattern (identifier) @local))
`;

/**
 * The names a `use` declaration binds: `use a::b::C;` binds `C` from module `a::b`, `use a::{B as
 * X, c::*}` each of its list, `use a::b::{self}` the module `b`, `use a::b::*` every name of `a::b`;
 * `mod cart;` binds the submodule `cart`.
 */
function rustImports(root: Node): ImportFound[] {
  const found: ImportFound[] = [];
  const bind = (prefix: string, node: Node, line: number): void => {
    const join = (head: string, tail: string) => (head === "" ? tail : `${head}::${tail}`);
    switch (node.type) {
      case "identifier":
        found.push({ line, scopeLine: 0, module: prefix, name: node.text, alias: node.text, column: node.startPosition.column + 1 });
        return;
      case "scoped_identifier": {
        const name = node.childForFieldName("name");
        const path = node.childForFieldName("path");
        if (name) found.push({ line, scopeLine: 0, module: join(prefix, path?.text ?? ""), name: name.text, alias: name.text, column: name.startPosition.column + 1 });
        return;
      }
      case "self": {
        const module = prefix.split("::");
        found.push({ line, scopeLine: 0, module: prefix, name: null, alias: module.at(-1) ?? prefix, column: 0 });
        return;
      }
      case "use_as_clause": {
        const path = node.childForFieldName("path");
        const alias = node.childForFieldName("alias");
        if (!path || !alias) return;
        const name = path.type === "scoped_identifier" ? path.childForFieldName("name") : path;
        const module = path.type === "scoped_identifier" ? join(prefix, path.childForFieldName("path")?.text ?? "") : prefix;
        if (name) found.push({ line, scopeLine: 0, module, name: name.text, alias: alias.text, column: name.startPosition.column + 1, aliasColumn: alias.startPosition.column + 1 });
        return;
      }
      case "use_wildcard": {
        const path = node.namedChildren.find((child) => child !== null);
        found.push({ line, scopeLine: 0, module: join(prefix, path?.text ?? ""), name: null, alias: "*", column: 0 });
        return;
      }
      case "scoped_use_list": {
        const path = node.childForFieldName("path");
        const list = node.childForFieldName("list");
        for (const child of list?.namedChildren ?? []) if (child) bind(join(prefix, path?.text ?? ""), child, child.startPosition.row + 1);
        return;
      }
      case "use_list":
        for (const child of node.namedChildren) if (child) bind(prefix, child, child.startPosition.row + 1);
        return;
      default:
    }
  };
  for (const statement of root.namedChildren) {
    // `mod cart;` binds the submodule `cart`.
    const module = statement?.type === "mod_item" && statement.childForFieldName("body") === null ? statement.childForFieldName("name") : null;
    if (module) found.push({ line: module.startPosition.row + 1, scopeLine: 0, module: `self::${module.text}`, name: null, alias: module.text, column: 0 });
    if (statement?.type !== "use_declaration") continue;
    const argument = statement.childForFieldName("argument");
    if (argument) bind("", argument, statement.startPosition.row + 1);
  }
  return found;
}

const CRATE_ROOTS = ["lib.rs", "main.rs"];

function dirOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}

function under(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/** The directory holding a module file's submodules: its own for `mod.rs`, `lib.rs`, `main.rs`; `src/a` for `src/a.rs`. */
function moduleDir(file: string): string {
  const name = file.slice(file.lastIndexOf("/") + 1);
  return name === "mod.rs" || CRATE_ROOTS.includes(name) ? dirOf(file) : file.replace(/\.rs$/, "");
}

/** The file of the module whose submodules live in `dir` (`dir.rs`, `dir/mod.rs`, or a crate root), or null. */
function moduleFile(dir: string, files: RepositoryFiles): string | null {
  const candidates = [`${dir}.rs`, under(dir, "mod.rs"), ...CRATE_ROOTS.map((root) => under(dir, root))];
  return candidates.find((candidate) => files.has(candidate)) ?? null;
}

/** The crate root of a file: the nearest `lib.rs`/`main.rs` in its directory or above, or null. */
function crateRoot(fromPath: string, files: RepositoryFiles): string | null {
  for (let dir = dirOf(fromPath); ; dir = dirOf(dir)) {
    const root = CRATE_ROOTS.map((name) => under(dir, name)).find((candidate) => files.has(candidate));
    if (root !== undefined) return root;
    if (dir === "") return null;
  }
}

/** The file of submodule `name` of the module in `modulePath` (`src/a.rs` → `src/a/name.rs` or `src/a/name/mod.rs`), or null. */
function rustSubmodule(modulePath: string, name: string, files: RepositoryFiles): string | null {
  const dir = under(moduleDir(modulePath), name);
  return [`${dir}.rs`, `${dir}/mod.rs`].find((candidate) => files.has(candidate)) ?? null;
}

/**
 * The file of a module path as `use` writes it: `crate::a::b` from the crate root, `self::a` and
 * `super::a` from the file's own module, and a bare `a::b` from the crate root when it holds `a`
 * (else another crate: null).
 */
function resolveRustModule(module: string, fromPath: string, files: RepositoryFiles): string | null {
  const parts = module.split("::").filter((part) => part !== "");
  let current: string | null;
  if (parts[0] === "crate") {
    current = crateRoot(fromPath, files);
    parts.shift();
  } else if (parts[0] === "self" || parts[0] === "super") {
    current = fromPath;
    while (parts[0] === "self" || parts[0] === "super") {
      if (parts.shift() === "super" && current !== null) current = moduleFile(dirOf(moduleDir(current)), files);
    }
  } else current = crateRoot(fromPath, files);
  for (const part of parts) {
    if (current === null) return null;
    current = rustSubmodule(current, part, files);
  }
  return current;
}

/** The type a Rust fn returns (`-> Self`, `-> Cart`, `-> &mut crate::Cart`, `-> Option<Cart>` gives `Option`), or null. */
function rustReturnType(signature: string, name: string): string | null {
  const rest = textAfterParameters(signature, name);
  const type = rest === null ? null : /^\s*->\s*&?\s*(?:'\w+\s+)?(?:mut\s+)?([\w:]+)/.exec(rest)?.[1];
  return type ? type.replace(/^crate::/, "").replace(/::/g, ".") : null;
}

/** Rust's reference rules: a file sees what it defines and what it `use`s; `self`/`Self` read as the `impl`'s type. */
export const RUST_REFERENCE_RULES: ReferenceRules = {
  localsQuery: RUST_LOCALS_QUERY,
  selfNames: ["self", "Self"],
  visibility: "file",
  imports: rustImports,
  resolveModule: resolveRustModule,
  submodule: rustSubmodule,
  returnType: rustReturnType,
};
