// Resolves each file's reference sites to the definitions they name, with what the file can see:
// its enclosing functions, its module-level definitions and imports (aliases and `*` included),
// its package's files where its language says so, `self.`/`this.`/`super()` inside a type (its
// bases followed), and module qualifiers. Language differences come from lang/'s ReferenceRules. Pure.
import { languageById, languageForPath, type LanguageSpec, type RepositoryFiles } from "../lang/index.js";
import { isTypeKind } from "../model/entity-kinds.js";
import type { FileReferences, ImportBinding, ReferenceKind } from "../model/references.js";
import type { StructureEntity } from "./structure-index.js";

/** How sure a reference is: resolved through scopes and imports, or only a site with the same name. */
export type ReferenceConfidence = "resolved" | "name-match";

/** One reference site with what it resolved to. */
export interface ResolvedSite {
  path: string;
  line: number;
  column: number;
  /** The site's kind; a call of a class reads `instantiate`. */
  kind: ReferenceKind | "instantiate";
  name: string;
  qualifier: string | null;
  /** Index of the innermost entity containing the site, or -1 at module level. */
  enclosing: number;
  /** Index of the entity it resolved to, or -1 when it did not resolve inside the repository. */
  target: number;
}

/** Every resolved site of the index, with the lookups the tools need. */
export interface ReferenceGraph {
  sites: ResolvedSite[];
  /** Site indexes by target entity. */
  byTarget: Map<number, number[]>;
  /** Sites that resolved to nothing known (a variable's attribute, an unknown name), by name: the lower-confidence candidates. */
  unresolvedByName: Map<string, number[]>;
  /** Site indexes by enclosing entity (resolved and unresolved). */
  byEnclosing: Map<number, number[]>;
  /** Entity importance over the resolved graph (file PageRank shared among the definitions referenced, see pageRank), one value per entity, summing to 1 (all 0 without references). */
  rank(): Float64Array;
}

/** One module-level binding of a name: a definition (`entity`), an import (`binding`), or an assignment (neither). */
type ModuleBinding = { line: number; entity?: number; binding?: ImportBinding };
type Value = { kind: "entity"; index: number } | { kind: "module"; path: string } | { kind: "external" } | { kind: "unknown" };
const UNKNOWN: Value = { kind: "unknown" };
const EXTERNAL: Value = { kind: "external" };
/** Most import hops followed for one name (re-exports through `__init__.py` files). */
const MAX_DEPTH = 8;

/**
 * Resolves the reference sites of every file in `references` against `entities` (ordered by
 * path and start line; `byPath` their indexes per file). Sites naming something outside the
 * repository (an import of an absent module) and module references are dropped; sites that
 * resolve to nothing known are kept with target -1.
 */
export function buildReferenceGraph(entities: readonly StructureEntity[], byPath: ReadonlyMap<string, number[]>, references: ReadonlyMap<string, FileReferences>): ReferenceGraph {
  const resolver = new Resolver(entities, byPath, references);
  const sites: ResolvedSite[] = [];
  const byTarget = new Map<number, number[]>();
  const unresolvedByName = new Map<string, number[]>();
  const byEnclosing = new Map<number, number[]>();
  for (const [path, file] of references) {
    for (const site of file.sites) {
      const enclosing = resolver.entityAt(path, site.enclosingLine);
      const value = resolver.resolveSite(path, site.name, site.qualifier, site.kind, site.enclosingLine, site.line);
      if (value.kind === "external" || value.kind === "module") continue;
      const target = value.kind === "entity" ? value.index : -1;
      // A definition's own name inside its decorators or bases is no reference to itself.
      if (target !== -1 && target === enclosing && site.kind !== "call") continue;
      const kind = site.kind === "call" && target !== -1 && isTypeKind(entities[target]!.kind) ? "instantiate" : site.kind;
      const index = sites.push({ path, line: site.line, column: site.column, kind, name: site.name, qualifier: site.qualifier, enclosing, target }) - 1;
      if (target === -1) push(unresolvedByName, site.name, index);
      else push(byTarget, target, index);
      if (enclosing !== -1) push(byEnclosing, enclosing, index);
    }
  }
  let rank: Float64Array | undefined;
  return { sites, byTarget, unresolvedByName, byEnclosing, rank: () => (rank ??= pageRank(entities, sites)) };
}

class Resolver {
  private readonly files: Set<string>;
  private readonly moduleFiles = new Map<string, string[]>();
  /** `path\0qualifiedName` → entity indexes (module-level ones under `path\0`). */
  private readonly members = new Map<string, number[]>();
  private readonly atLine = new Map<string, number>();
  private readonly parent: Int32Array;
  private readonly languages = new Map<string, LanguageSpec | null>();
  /** `scope\0qualifiedName` → entity indexes, for languages whose files see their package's (see {@link scopeOf}). */
  private readonly scopeMembers = new Map<string, number[]>();
  private readonly repositoryFiles: RepositoryFiles;
  private readonly modules = new Map<string, string | null>();
  /** {@link moduleBindingsOf}'s answers by file. */
  private readonly moduleBindings = new Map<string, Map<string, ModuleBinding[]>>();
  /** {@link packageRootName}'s answer once computed (undefined before). */
  private rootPackage: string | null | undefined;

  constructor(
    private readonly entities: readonly StructureEntity[],
    byPath: ReadonlyMap<string, number[]>,
    private readonly references: ReadonlyMap<string, FileReferences>,
  ) {
    this.files = new Set([...byPath.keys(), ...references.keys()]);
    const filesByDir = new Map<string, string[]>();
    for (const file of [...this.files].sort()) {
      const parts = moduleOf(file).split(".");
      for (let i = 0; i < parts.length; i++) push(this.moduleFiles, parts.slice(i).join("."), file);
      push(filesByDir, dirOf(file), file);
    }
    this.repositoryFiles = { has: (file) => this.files.has(file), filesIn: (dir) => filesByDir.get(dir) ?? [], dirs: new Set(filesByDir.keys()) };
    for (const [path, indexes] of byPath) {
      const language = indexes.length > 0 ? languageById(entities[indexes[0]!]!.language) : null;
      if (language !== null) this.languages.set(path, language);
    }
    this.parent = new Int32Array(entities.length).fill(-1);
    const typesInScope = new Map<string, number>();
    for (const [path, indexes] of byPath) {
      const byQualifiedName = new Map<string, number>();
      const scope = this.scopeOf(path);
      for (const index of indexes) {
        const entity = entities[index]!;
        push(this.members, `${path}\0${entity.parentQualifiedName ?? ""}`, index);
        if (scope !== null) {
          push(this.scopeMembers, `${scope}\0${entity.parentQualifiedName ?? ""}`, index);
          if (isTypeKind(entity.kind) && !typesInScope.has(`${scope}\0${entity.qualifiedName}`)) typesInScope.set(`${scope}\0${entity.qualifiedName}`, index);
        }
        this.atLine.set(`${path}:${entity.startLine}`, index);
        if (entity.parentQualifiedName !== null) this.parent[index] = byQualifiedName.get(entity.parentQualifiedName) ?? -1;
        byQualifiedName.set(entity.qualifiedName, index);
      }
    }
    // A method defined in another file of its type's package (a Go method, a reopened Ruby class).
    for (let index = 0; index < entities.length; index++) {
      const entity = entities[index]!;
      const scope = this.scopeOf(entity.path);
      if (this.parent[index] === -1 && entity.parentQualifiedName !== null && scope !== null) this.parent[index] = typesInScope.get(`${scope}\0${entity.parentQualifiedName}`) ?? -1;
    }
  }

  private languageOf(path: string): LanguageSpec | null {
    let language = this.languages.get(path);
    if (language === undefined) this.languages.set(path, (language = languageForPath(path)));
    return language;
  }

  /** The package a file shares its definitions with (`language\0dir`, `language\0` for the whole repository), or null when it sees only its own. */
  private scopeOf(path: string): string | null {
    const language = this.languageOf(path);
    switch (language?.references?.visibility) {
      case "directory":
        return `${language.id}\0${dirOf(path)}`;
      case "repository":
        return `${language.id}\0`;
      default:
        return null;
    }
  }

  /** The entity of `path` starting at `line`, or -1 (line 0: module level). */
  entityAt(path: string, line: number): number {
    return line === 0 ? -1 : (this.atLine.get(`${path}:${line}`) ?? -1);
  }

  resolveSite(path: string, name: string, qualifier: string | null, kind: ReferenceKind, enclosingLine: number, line: number): Value {
    if (kind === "import") {
      const module = this.resolveModule(qualifier ?? "", path);
      if (module === null) return EXTERNAL;
      return this.nameInModule(module, name, 0);
    }
    const enclosing = this.entityAt(path, enclosingLine);
    if (qualifier === null) return this.bareName(path, name, enclosing, line, 0);
    if (qualifier === "self" || qualifier === "cls") {
      const owner = this.enclosingClass(enclosing);
      return owner === -1 ? UNKNOWN : this.member(owner, name, 0);
    }
    if (qualifier === "super()") {
      const owner = this.enclosingClass(enclosing);
      if (owner === -1) return UNKNOWN;
      for (const base of this.bases(owner, 0)) {
        const found = base.kind === "entity" ? this.member(base.index, name, 0) : base;
        if (found.kind !== "unknown") return found;
      }
      return UNKNOWN;
    }
    if (qualifier === "?") return UNKNOWN;
    return this.attribute(this.dotted(path, qualifier, enclosing, line, 0), name, 0);
  }

  /**
   * `a.b.c` resolved part by part; a part written `f()` stands for what `f` returns (see
   * {@link returned}); `self.f()` starts at the enclosing type's method `f`.
   */
  private dotted(path: string, text: string, enclosing: number, line: number, depth: number): Value {
    const [first, ...rest] = text.split(".");
    const called = (part: string) => part.endsWith("()");
    const owner = first === "self" && rest.length > 0 && called(rest[0]!) ? this.enclosingClass(enclosing) : -1;
    let value = owner !== -1 ? ({ kind: "entity", index: owner } as Value) : this.bareName(path, first!.replace(/\(\)$/, ""), enclosing, line, depth);
    if (called(first!)) value = this.returned(value, depth);
    for (const part of rest) {
      value = this.attribute(value, part.replace(/\(\)$/, ""), depth);
      if (called(part)) value = this.returned(value, depth);
    }
    return value;
  }

  /** The type a call of `value` gives: a type itself (a constructor), or the type a function's signature says it returns (`ReferenceRules.returnType`), resolved where the function is defined. */
  private returned(value: Value, depth: number): Value {
    if (value.kind !== "entity" || depth > MAX_DEPTH) return UNKNOWN;
    const entity = this.entities[value.index]!;
    if (isTypeKind(entity.kind)) return value;
    const written = this.languageOf(entity.path)?.references?.returnType?.(entity.signature, entity.name);
    if (!written) return UNKNOWN;
    const owner = this.parent[value.index]!;
    if (written === "Self") return owner === -1 ? UNKNOWN : { kind: "entity", index: owner };
    const type = this.dotted(entity.path, written, owner, entity.startLine, depth + 1);
    return type.kind === "entity" && isTypeKind(this.entities[type.index]!.kind) ? type : UNKNOWN;
  }

  private attribute(value: Value, name: string, depth: number): Value {
    if (value.kind === "module") return this.nameInModule(value.path, name, depth + 1);
    if (value.kind === "entity" && isTypeKind(this.entities[value.index]!.kind)) return this.member(value.index, name, depth + 1);
    return value.kind === "external" ? EXTERNAL : UNKNOWN;
  }

  /** What a bare name means at a site: enclosing functions' definitions and imports, the class body it is in, the module, `*` imports. */
  private bareName(path: string, name: string, enclosing: number, line: number, depth: number): Value {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const lexicalTypes = this.languageOf(path)?.references?.lexicalTypes === true;
    for (let scope = enclosing; scope !== -1; scope = this.parent[scope]!) {
      const entity = this.entities[scope]!;
      if (isTypeKind(entity.kind) && scope !== enclosing && !lexicalTypes) continue;
      const nested = this.lastOf(this.members.get(`${path}\0${entity.qualifiedName}`), name);
      if (nested !== -1) return { kind: "entity", index: nested };
      const local = this.references.get(path)?.imports.findLast((binding) => binding.scopeLine === entity.startLine && binding.alias === name);
      if (local) return this.importValue(path, local, depth + 1);
    }
    if (this.languageOf(path)?.references?.implicitSelf) {
      const owner = this.enclosingClass(enclosing);
      const member = owner === -1 ? UNKNOWN : this.member(owner, name, depth + 1);
      if (member.kind !== "unknown") return member;
    }
    return this.moduleName(path, name, enclosing === -1 ? line : undefined, depth);
  }

  /** A name at module level of `path`: its last binding (definition, import or assignment; before `beforeLine` when given), else a `*` import that provides it. */
  private moduleName(path: string, name: string, beforeLine: number | undefined, depth: number): Value {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const file = this.references.get(path);
    const bindings = this.moduleBindingsOf(path).get(name);
    if (bindings !== undefined) {
      const before = beforeLine === undefined ? bindings : bindings.filter((b) => b.line <= beforeLine);
      // The last binding (a later one of the same line wins: an import after a definition, an assignment after both).
      const chosen = (before.length > 0 ? before : bindings).reduce((a, b) => (b.line >= a.line ? b : a));
      return chosen.entity !== undefined ? { kind: "entity", index: chosen.entity } : chosen.binding !== undefined ? this.importValue(path, chosen.binding, depth + 1) : UNKNOWN;
    }
    const scope = this.scopeOf(path);
    const shared = scope === null ? -1 : this.lastOf(this.scopeMembers.get(`${scope}\0`), name);
    if (shared !== -1) return { kind: "entity", index: shared };
    for (const binding of file?.imports ?? []) {
      if (binding.scopeLine !== 0 || binding.alias !== "*") continue;
      const module = this.resolveModule(binding.module, path);
      if (module === null) continue;
      const found = this.moduleName(module, name, undefined, depth + 1);
      if (found.kind !== "unknown") return found;
    }
    return UNKNOWN;
  }

  /**
   * The module-level bindings of a file by name, in the order {@link moduleName} weighs them:
   * definitions, then imports, then the first assignment; built on the first lookup in the file.
   */
  private moduleBindingsOf(path: string): Map<string, ModuleBinding[]> {
    let byName = this.moduleBindings.get(path);
    if (byName !== undefined) return byName;
    byName = new Map();
    for (const index of this.members.get(`${path}\0`) ?? []) push(byName, this.entities[index]!.name, { line: this.entities[index]!.startLine, entity: index });
    const file = this.references.get(path);
    for (const binding of file?.imports ?? []) if (binding.scopeLine === 0) push(byName, binding.alias, { line: binding.line, binding });
    const assigned = new Set<string>();
    for (const assignment of file?.assignments ?? []) {
      if (assigned.has(assignment.name)) continue;
      assigned.add(assignment.name);
      push(byName, assignment.name, { line: assignment.line });
    }
    this.moduleBindings.set(path, byName);
    return byName;
  }

  /** A name looked up in a module from outside: its module-level binding, else a submodule of that name. */
  private nameInModule(modulePath: string, name: string, depth: number): Value {
    // The root's own __init__.py (a repository that is a package) has no dotted name: its submodules are relative to the root.
    const found = this.moduleName(modulePath, name, undefined, depth);
    if (found.kind !== "unknown") return found;
    const own = this.languageOf(modulePath)?.references;
    const submodule =
      own?.submodule !== undefined ? own.submodule(modulePath, name, this.repositoryFiles) : own?.resolveModule !== undefined ? null : this.resolveModule(modulePath === "__init__.py" ? `.${name}` : `${moduleOf(modulePath)}.${name}`, modulePath);
    return submodule === null ? UNKNOWN : { kind: "module", path: submodule };
  }

  private importValue(path: string, binding: ImportBinding, depth: number): Value {
    if (binding.name === null) {
      // `import a.b` binds `a`; `import a.b as x` binds x to a.b.
      const module = binding.alias === binding.module.split(".")[0] ? binding.alias : binding.module;
      const found = this.resolveModule(module, path);
      return found === null ? EXTERNAL : { kind: "module", path: found };
    }
    const module = this.resolveModule(binding.module, path);
    if (module === null) return EXTERNAL;
    const found = this.nameInModule(module, binding.name, depth);
    // A default import of a module without a default export is the module itself (CommonJS `require`).
    return found.kind === "unknown" && binding.name === "default" ? { kind: "module", path: module } : found;
  }

  /** A class's member `name`, looked up along its bases. */
  private member(owner: number, name: string, depth: number): Value {
    if (depth > MAX_DEPTH) return UNKNOWN;
    const entity = this.entities[owner]!;
    const own = this.lastOf(this.members.get(`${entity.path}\0${entity.qualifiedName}`), name);
    if (own !== -1) return { kind: "entity", index: own };
    const scope = this.scopeOf(entity.path);
    const shared = scope === null ? -1 : this.lastOf(this.scopeMembers.get(`${scope}\0${entity.qualifiedName}`), name);
    if (shared !== -1) return { kind: "entity", index: shared };
    for (const base of this.bases(owner, depth)) {
      if (base.kind !== "entity" || !isTypeKind(this.entities[base.index]!.kind)) continue;
      const found = this.member(base.index, name, depth + 1);
      if (found.kind !== "unknown") return found;
    }
    return UNKNOWN;
  }

  /** A class's bases as written in its header, each resolved where the class is defined. */
  private bases(owner: number, depth: number): Value[] {
    const entity = this.entities[owner]!;
    if (depth > MAX_DEPTH) return [];
    const scope = this.parent[owner]!;
    return (this.languageOf(entity.path)?.references?.baseTypes ?? parenthesisedBases)(entity.signature)
      .filter((part) => /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(part))
      .map((part) => this.dotted(entity.path, part, scope, entity.startLine, depth + 1));
  }

  private enclosingClass(index: number): number {
    for (let scope = index; scope !== -1; scope = this.parent[scope]!) if (isTypeKind(this.entities[scope]!.kind)) return scope;
    return -1;
  }

  private lastOf(indexes: readonly number[] | undefined, name: string): number {
    let found = -1;
    for (const index of indexes ?? []) if (this.entities[index]!.name === name) found = index;
    return found;
  }

  /**
   * A repository whose root is itself a package (`django/` indexed as the root, so `core/mail.py` is
   * the module Django's own code imports as `django.core.mail`): imports that start with the
   * package's name ({@link packageRootName}) resolve under the root, and must then name a file's
   * whole module (`core.mail` → `core/mail/__init__.py`; the name alone → `__init__.py`).
   */
  private underPackageRoot(module: string): string[] | undefined {
    const root = this.packageRootName();
    if (root === null) return undefined;
    if (module === root) return ["__init__.py"];
    if (!module.startsWith(`${root}.`)) return undefined;
    const rest = module.slice(root.length + 1);
    const whole = this.moduleFiles.get(rest)?.filter((file) => moduleOf(file) === rest);
    return whole !== undefined && whole.length > 0 ? whole : undefined;
  }

  /**
   * The name a root that is itself a package (it holds `__init__.py`) is imported by, inferred from
   * the repository's own absolute imports: the first component, not a top-level module of the repository,
   * after which the rest names a file's whole module — `django` in `from django.core.mail import …`.
   * It must be the most frequent such component, seen at least twice and in more than half of those
   * imports (so one `from os.path import join` beside a `path.py` does not decide it). Null otherwise.
   */
  private packageRootName(): string | null {
    if (this.rootPackage !== undefined) return this.rootPackage;
    this.rootPackage = null;
    if (!this.files.has("__init__.py")) return null;
    const counts = new Map<string, number>();
    for (const file of this.references.values()) {
      for (const { module } of file.imports) {
        const dot = module.indexOf(".");
        if (dot <= 0 || this.isWholeModule(module.slice(0, dot))) continue;
        if (this.isWholeModule(module.slice(dot + 1))) counts.set(module.slice(0, dot), (counts.get(module.slice(0, dot)) ?? 0) + 1);
      }
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const [name, count] = [...counts].reduce<[string | null, number]>((best, entry) => (entry[1] > best[1] ? entry : best), [null, 0]);
    if (name !== null && count >= 2 && count * 2 > total) this.rootPackage = name;
    return this.rootPackage;
  }

  /** Whether `module` is the whole dotted name of a file from the root (`core.mail` for `core/mail/__init__.py`), not only a suffix of one. */
  private isWholeModule(module: string): boolean {
    return this.moduleFiles.get(module)?.some((path) => moduleOf(path) === module) ?? false;
  }

  /** The file of a module named as in an import (`pkg.mod`, `.mod`, `..`) from `fromPath`, or null when the repository has none. */
  resolveModule(module: string, fromPath: string): string | null {
    const own = this.languageOf(fromPath)?.references?.resolveModule;
    if (own !== undefined) {
      const key = `${fromPath}\0${module}`;
      let found = this.modules.get(key);
      if (found === undefined) this.modules.set(key, (found = own(module, fromPath, this.repositoryFiles)));
      return found;
    }
    const level = /^\.*/.exec(module)![0].length;
    const rest = module.slice(level);
    if (level > 0) {
      let dir = fromPath.includes("/") ? fromPath.slice(0, fromPath.lastIndexOf("/")) : "";
      for (let i = 1; i < level; i++) dir = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
      const base = [dir, ...(rest ? rest.split(".") : [])].filter((p) => p !== "").join("/");
      for (const candidate of [`${base}.py`, `${base}/__init__.py`, `${base}.pyi`, `${base}/__init__.pyi`]) {
        const normal = candidate.replace(/^\//, "");
        if (this.files.has(normal)) return normal;
      }
      return null;
    }
    const candidates = this.underPackageRoot(rest) ?? this.moduleFiles.get(rest);
    if (!candidates || candidates.length === 0) return null;
    // The shortest path: `pkg/mod.py` before `vendored/pkg/mod.py`.
    return candidates.reduce((a, b) => (b.length < a.length ? b : a));
  }
}

/** The bases of a class header written `class Name(Base, pkg.Other, metaclass=M)`: the plain names and dotted paths of its parenthesised list. */
function parenthesisedBases(signature: string): string[] {
  const open = signature.indexOf("(");
  if (open === -1) return [];
  return signature
    .slice(open + 1, signature.lastIndexOf(")"))
    .split(",")
    .map((part) => part.trim());
}

/** The directory of a repository-relative path, "" for a file at the root. */
function dirOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}

/** The dotted module a file defines: `pkg/mod.py` → `pkg.mod`, `pkg/__init__.py` → `pkg`. Pure. */
export function moduleOf(path: string): string {
  const parts = path.replace(/\.pyi?$/, "").split("/");
  if (parts.at(-1) === "__init__" && parts.length > 1) parts.pop();
  return parts.join(".");
}

/**
 * Importance of each definition, as a repository map ranks them (after Aider's): PageRank over
 * files (an edge from file A to file B weighted by how many distinct definitions of A, or A's
 * module level, reference definitions of B; damping 0.85, 30 iterations), then each file's rank
 * shared among the definitions of other files it references, in proportion to those edges. A
 * reference from the definition's own file adds 1 % of that file's rank per referencing
 * definition, so helpers used only at home rank above unused code but below shared definitions.
 * (Ranking the definitions themselves let mutually recursive pairs soak up the rank.)
 */
function pageRank(entities: readonly StructureEntity[], sites: readonly ResolvedSite[]): Float64Array {
  const fileIndex = new Map<string, number>();
  const fileOf = (path: string) => {
    let index = fileIndex.get(path);
    if (index === undefined) fileIndex.set(path, (index = fileIndex.size));
    return index;
  };
  // (referencing definition or module level, target) pairs, each counted once.
  const seen = new Set<string>();
  const edges = new Map<string, { from: number; target: number; weight: number }>();
  for (const site of sites) {
    if (site.target === -1 || site.target === site.enclosing) continue;
    const from = fileOf(site.path);
    const pair = `${site.enclosing === -1 ? `m${from}` : site.enclosing}:${site.target}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const key = `${from}:${site.target}`;
    const edge = edges.get(key) ?? { from, target: site.target, weight: 0 };
    edge.weight++;
    edges.set(key, edge);
  }
  const targetFileOf = (target: number) => fileOf(entities[target]!.path);
  const cross = [...edges.values()].filter((edge) => targetFileOf(edge.target) !== edge.from);
  const files = fileIndex.size;
  const outWeight = new Float64Array(files);
  for (const edge of cross) outWeight[edge.from]! += edge.weight;
  const damping = 0.85;
  let fileRank = new Float64Array(files).fill(files === 0 ? 0 : 1 / files);
  for (let iteration = 0; iteration < 30; iteration++) {
    const next = new Float64Array(files);
    let dangling = 0;
    for (let f = 0; f < files; f++) if (outWeight[f] === 0) dangling += fileRank[f]!;
    next.fill((1 - damping) / files + (damping * dangling) / files);
    for (const edge of cross) next[targetFileOf(edge.target)]! += (damping * fileRank[edge.from]! * edge.weight) / outWeight[edge.from]!;
    fileRank = next;
  }
  const rank = new Float64Array(entities.length);
  for (const edge of edges.values()) {
    const home = targetFileOf(edge.target) === edge.from;
    rank[edge.target]! += home ? 0.01 * fileRank[edge.from]! * edge.weight : (fileRank[edge.from]! * edge.weight) / outWeight[edge.from]!;
  }
  const total = rank.reduce((sum, value) => sum + value, 0);
  if (total > 0) for (let i = 0; i < rank.length; i++) rank[i]! /= total;
  return rank;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
