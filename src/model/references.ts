/**
 * Reference sites: the places a file names a definition (calls, imports, base classes,
 * decorators, other loads), as extraction finds them and the index stores them per file.
 * Pure types only: no I/O.
 */

/**
 * How a site names what it refers to: `call` (the callee of a call; a call of a class is reported
 * as an instantiation once resolved), `import` (a name in `from m import name`), `inherit` (a base
 * class in a class header), `decorator` (a decorator expression), `name` (any other load).
 */
export const REFERENCE_KINDS = ["call", "import", "inherit", "decorator", "name"] as const;

/** One of {@link REFERENCE_KINDS}. */
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

/** One place where a file names something (not yet resolved to a definition). Lines and columns are 1-based. */
export interface ReferenceSite {
  line: number;
  /** Column of the name's first character, 1-based, in UTF-16 code units. */
  column: number;
  kind: ReferenceKind;
  /** The name referred to (the last part of `a.b.name`). */
  name: string;
  /**
   * What the name is an attribute of, as written: `self`, `cls`, `os.path`, `super()`; `?` when it
   * is an attribute of another expression (a call's result, a subscript); null for a bare name.
   * For `import` sites: the module as written (`pkg.mod`, `..pkg`, `.`).
   */
  qualifier: string | null;
  /** Start line of the innermost function or class containing the site (its entity's `startLine`), or 0 at module level. */
  enclosingLine: number;
}

/** One name an `import` statement binds. */
export interface ImportBinding {
  line: number;
  /** Start line of the function or class whose body holds the import, or 0 at module level. */
  scopeLine: number;
  /** The module as written, leading dots of a relative import included (`pkg.mod`, `..util`, `.`). */
  module: string;
  /** The imported name for `from module import name`; null for `import module` and for `*`. */
  name: string | null;
  /** The local name bound (`alias` of `as alias`, else the name, else the first part of the module); `*` for a star import. */
  alias: string;
}

/** Everything extraction records about one file's references. */
export interface FileReferences {
  sites: ReferenceSite[];
  imports: ImportBinding[];
  /** Module-level names bound by assignment (or `for`, `with … as`), each with the line of its last binding: they shadow earlier imports and definitions. */
  assignments: { name: string; line: number }[];
}
