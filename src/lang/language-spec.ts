/**
 * What one language contributes to indexing, as data plus a few functions over tree-sitter nodes:
 * which files are written in it, its grammar, the query that finds definitions, how a doc comment
 * attaches, what counts as test code and how qualified names are written. extract/, discover/,
 * rank/ and store/ ask the registry (registry.ts) for a spec and never name a language themselves.
 */
import type { Node } from "web-tree-sitter";
import type { EntityKind } from "../model/entity-kinds.js";
import type { FileReferences, ImportBinding } from "../model/references.js";

/** Where a language's WebAssembly grammar lives: a file inside an npm package the project depends on. */
export interface GrammarSource {
  /** npm package name, as in package.json (`tree-sitter-python`). */
  packageName: string;
  /** Path of the `.wasm` file inside the package (`tree-sitter-python.wasm`). */
  wasmFile: string;
}

/** Which entities are test code: by path, by name, or by decorator/attribute. */
export interface TestCodeRules {
  /** Directory names whose contents are test code (`tests`, `__tests__`). */
  dirs: readonly string[];
  /** Directory paths (POSIX, relative, no leading or trailing `/`) whose contents are test code wherever they sit (`src/test`). */
  dirPaths?: readonly string[];
  /** File names (not paths) that hold test code (`test_*.py`, `*_test.go`). */
  fileName: RegExp;
  /** Names of functions and methods that are tests even in other files (`test_parse`); never applied to type kinds. */
  functionName?: RegExp;
  /** Decorators or attributes, as written, that mark a function as a test (`#[test]`, `@Test`). */
  decorator?: RegExp;
}

/** A definition's header, doc comment and decorators, read from its syntax node. */
export interface DefinitionParts {
  /** The header up to (not including) the body, whitespace collapsed: `def f(a, b=1) -> int`, `func (c *Cmd) Run() error`. */
  signature: string;
  /** The doc comment's text without comment markers, or null. */
  docComment: string | null;
  /** Decorator / attribute / annotation nodes that belong to the definition, in source order. */
  decorators: Node[];
}

/** One name an import statement binds, with the column of the imported name (for the import's own reference site; 0: no site). */
export interface ImportFound extends ImportBinding {
  /** 1-based column of the imported name, or 0 when the import names no definition (`import * as ns`, a Go package). */
  column: number;
  /** 1-based column of the local name when written apart from the imported one (`b` of `a as b`): a binding, not a reference. */
  aliasColumn?: number;
}

/** The repository's files as module resolution sees them (repository-relative POSIX paths). */
export interface RepositoryFiles {
  has(path: string): boolean;
  /** The files directly in `dir` ("" for the root), sorted. */
  filesIn(dir: string): readonly string[];
  /** Every directory holding a file, "" for the root. */
  dirs: ReadonlySet<string>;
}

/**
 * How a language's references are read and resolved (see docs/adding-a-language.md). The sites
 * come from `LanguageSpec.referencesQuery`: each match captures the site as `@reference.<what>`
 * (`call`, `new`, `inherit`, `import`, anything else reads as a plain name), the name as `@name`
 * and, for a member access, the object as `@qualifier`.
 */
export interface ReferenceRules {
  /**
   * tree-sitter query capturing names bound inside a scope as `@local` (parameters, variables);
   * `@local.type` beside it captures the type the variable is declared or constructed with
   * (`const c = new Cart()`), so `c.total()` reads as `Cart.total()`. `@field` with `@field.type`
   * captures a type's typed field, so `this.cart.total()` reads as `Cart.total()`. `@local.call`
   * captures the function a variable was assigned the result of, `@local.value` the name or member
   * chain it was assigned (`const c = this.cart`: `c` reads as `this.cart`). A match with
   * `@assigned` instead of `@local` types a variable declared earlier without one (`let c = null;
   * c = new Cart()`) and binds nothing new.
   */
  localsQuery?: string;
  /** Words naming the instance or type of the enclosing type (`this`, `self`, `Self`): written as the qualifier `self`. */
  selfNames: readonly string[];
  /** Words naming the enclosing type's base inside a method (`super`): written as the qualifier `super()`. */
  superNames?: readonly string[];
  /** The parameter naming the receiver of a method (a Go receiver `c` in `func (c *Cart) …`), read as `self`. */
  receiverName?(definition: Node): string | null;
  /** The type a method's receiver has (`Cart` of `func (c *Cart) …`): its typed fields are read through the receiver. */
  receiverType?(definition: Node): string | null;
  /** Whether a bare name inside a type's method may name a member of that type (Java, Ruby: `total()` for `this.total()`). */
  implicitSelf?: boolean;
  /** Whether names defined in enclosing types are visible inside their members' bodies (Ruby's lexical constants); Python's class bodies are not. */
  lexicalTypes?: boolean;
  /**
   * What a file sees without importing: its own definitions only (`file`), also the definitions of
   * the files in its directory (`directory`: a Go or Java package), or of every file of the
   * language (`repository`: Ruby's global constants). Types reopened or methods defined in other
   * files of that scope are members too.
   */
  visibility: "file" | "directory" | "repository";
  /** The import bindings of a parsed file, in source order (none when left out). */
  imports?(root: Node): ImportFound[];
  /** The file (for a package: any file of its directory) of a module as an import names it, or null when outside the repository. */
  resolveModule?(module: string, fromPath: string, files: RepositoryFiles): string | null;
  /**
   * The file of a module's submodule `name` (Rust `mod name` in `src/a/name.rs` of `src/a.rs`),
   * or null. Left out: a name a module does not define is looked up as Python's dotted submodule.
   */
  submodule?(modulePath: string, name: string, files: RepositoryFiles): string | null;
  /**
   * The type a function returns, read from its signature (`func NewCart() *Cart` → `Cart`,
   * `make(): pkg.Cart` → `pkg.Cart`, `-> Self` → `Self`), or null when it names none; lets a
   * variable assigned from a call (`@local.call`) stand for that type.
   */
  returnType?(signature: string, name: string): string | null;
  /** The names of the types a type extends or implements, read from its signature (`class A extends B implements C` → `B`, `C`). */
  baseTypes?(signature: string): string[];
  /**
   * What a qualifier that is no plain chain of names stands for, in qualifier syntax (names joined
   * by `.`, a part written `f()` standing for what `f` returns or constructs): `new Cart()` →
   * `Cart()`, `(obj || new Cart())` → `Cart()`, `cart!` → `cart`; null when it names no type.
   */
  qualifierExpression?(node: Node): string | null;
  /** Members that read as their type itself: `Cart.prototype.total` names `Cart.total` (`prototype`). */
  typeMembers?: readonly string[];
  /** Reads a file's references itself instead of the queries (Python: its scope rules need a walk). */
  extract?(root: Node): FileReferences;
}

/**
 * One language. Adding a language is one folder under src/lang/ exporting such a value, its grammar
 * package in package.json, fixtures and tests (see docs/adding-a-language.md).
 */
export interface LanguageSpec {
  /** Stable id stored in the index's `language` column and accepted by `--lang` (`python`, `go`). */
  id: string;
  /** Name shown to people (`Python`, `TypeScript`). */
  displayName: string;
  /** File extensions with the dot, lower case (`.py`); a file belongs to the first language listing its extension. */
  extensions: readonly string[];
  /** Interpreter names a `#!` line may name (`python3`), for files without a known extension. */
  shebangs: readonly string[];
  /**
   * Grammar for files of this language. `grammarFor` picks another grammar for some paths (`.tsx` files
   * use the TSX grammar); every grammar is loaded lazily, on the first file that needs it.
   */
  grammar: GrammarSource;
  /** A second grammar chosen by path, with the query to use with it; null when one grammar serves every file. */
  grammarFor?: (path: string) => { grammar: GrammarSource; definitionsQuery: string } | null;
  /**
   * tree-sitter query finding definitions: each match captures the definition node as
   * `@definition.<kind>` (a kind of {@link EntityKind}) and its name as `@name`. A `function`
   * whose nearest enclosing definition is a type kind becomes a `method`.
   */
  definitionsQuery: string;
  /** tree-sitter query with `@reference.<what>` captures (calls, `new`, bases, type uses), `@name` and, for a member access, `@qualifier` (see {@link ReferenceRules}). */
  referencesQuery?: string;
  /** How references are read and resolved; a language without it records none. */
  references?: ReferenceRules;
  /** Kinds this language's entities can have. */
  kinds: readonly EntityKind[];
  /** Kinds whose embedded text is the header plus the signatures of their member entities (a class); other kinds embed their whole source. */
  outlineKinds: readonly EntityKind[];
  /** Written between the parts of a qualified name: `.` in every language so far (`Outer.method`, `Command.Execute`, `Vec.push`). */
  qualifiedNameSeparator: string;
  /** Reads a definition's signature, doc comment and decorators. */
  definitionParts(definition: Node): DefinitionParts;
  /**
   * The name of the type a definition belongs to without being nested in its definition (a Go
   * method's receiver type, the type of the Rust `impl` block holding a fn), or null. Such a
   * definition is a `method` whose parent qualified name is that type.
   */
  ownerType?(definition: Node): string | null;
  /**
   * For languages whose doc comment is a statement inside the body (a Python docstring): the
   * statement holding it, in a snippet parsed from one definition's source; null when none.
   * Languages whose doc comment precedes the definition leave this out.
   */
  docStatement?(snippetRoot: Node): Node | null;
  /** What counts as test code (see {@link TestCodeRules}). */
  testCode: TestCodeRules;
  /**
   * Generated or vendored code, skipped by default and reported (reason `generated`): directory
   * names never descended into (`dist`, `vendor`, `target`) and file names (`*.min.js`, `*.pb.go`).
   */
  generated: { dirs: readonly string[]; fileName?: RegExp };
  /** Directory names this language's tools fill with caches or environments, never descended into (`__pycache__`). */
  toolDirs: readonly string[];
  /** File names whose presence makes a directory an environment to skip whole (`pyvenv.cfg` marks a virtualenv). */
  environmentMarkers: readonly string[];
  /**
   * Words a query may carry that name this language ("python read csv"); dropped from full-text
   * queries. Only names that are no other word: `ts`, `js`, `go` are also words of code (`ts` for a
   * timestamp), and `java`, `ruby`, `rust` words of docstrings in other languages' code.
   */
  queryWords: readonly string[];
}
