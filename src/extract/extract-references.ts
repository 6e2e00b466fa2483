import type { Node, Query } from "web-tree-sitter";
import { languageForPath, languageForShebang, type LanguageSpec, type ReferenceRules } from "../lang/index.js";
import { isTypeKind, type EntityKind } from "../model/entity-kinds.js";
import type { FileReferences, ReferenceKind, ReferenceSite } from "../model/references.js";
import { DEFAULT_EXTRACT_LIMITS, estimateNesting } from "./extract-limits.js";
import { loadGrammarParser } from "./grammar-parser.js";

const NO_REFERENCES: FileReferences = { sites: [], imports: [], assignments: [] };

/**
 * The reference sites, imports and module-level assignments of one file, as its language's
 * {@link ReferenceRules} read them: by the language's own walk (`extract`), or from its
 * `referencesQuery`, `localsQuery` and `imports` (see {@link queryReferences}). None for a language
 * without rules or a file nested too deep to parse (see extract-limits.ts). Line endings are
 * normalised as in `extractEntities`, so lines agree with the entities'. Pure apart from loading
 * the grammar once.
 * @param path repository-relative path; its extension (or the text's `#!` line) picks the language.
 * @throws Error when the grammar cannot be loaded.
 */
export async function extractReferences(path: string, source: string, options: { language?: LanguageSpec } = {}): Promise<FileReferences> {
  const text = source.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const firstLine = text.slice(0, text.includes("\n") ? text.indexOf("\n") : text.length);
  const language = options.language ?? languageForPath(path) ?? languageForShebang(firstLine);
  const rules = language?.references;
  if (language === null || rules === undefined) return NO_REFERENCES;
  if (estimateNesting(text) > DEFAULT_EXTRACT_LIMITS.maxParseNesting) return NO_REFERENCES;
  const choice = language.grammarFor?.(path) ?? { grammar: language.grammar, definitionsQuery: language.definitionsQuery };
  const parser = await loadGrammarParser(choice.grammar, choice.definitionsQuery);
  const extract = rules.extract;
  if (extract !== undefined) return parser.parse(text, extract);
  const sites = language.referencesQuery === undefined ? null : parser.query(language.referencesQuery);
  const locals = rules.localsQuery === undefined ? null : parser.query(rules.localsQuery);
  return parser.parse(text, (root) => queryReferences(root, { definitions: parser.definitions, sites, locals }, rules));
}

/** The compiled queries {@link queryReferences} runs. */
interface ReferenceQueries {
  definitions: Query;
  sites: Query | null;
  locals: Query | null;
}

/** A definition node's extent and what its scope binds. */
interface DefinitionScope {
  startIndex: number;
  endIndex: number;
  /** 1-based start line: the enclosing line of sites inside it (the entity's `startLine`). */
  line: number;
  node: Node;
  /** Whether it defines a type (its typed fields are read through `this.`). */
  isType: boolean;
  /** Local names bound directly in it, each with its declared type (or null); a type's fields as `self.<name>`. */
  locals: Map<string, string | null>;
  /** The receiver parameter's name (read as `self`), or null. */
  receiver: string | null;
}

const KIND_OF_CAPTURE: Readonly<Record<string, ReferenceKind>> = { call: "call", new: "call", inherit: "inherit", implementation: "inherit", import: "import", decorator: "decorator" };

/**
 * The references of one parsed file read by queries: each `@reference.<what>` match of `sites`
 * becomes a site (one per name node: the first pattern matching it wins), enclosed by the
 * innermost definition of `definitions` around it. A bare name bound as a `@local` in an enclosing
 * definition (module level included) is a variable, not a reference, and is left out; a qualifier
 * whose first part is such a local becomes its declared type (`@local.type`), the call it was
 * assigned from (`@local.call`: `c := cart.New()` makes `c.Total()` read `cart.New().Total()`,
 * resolved through `New`'s return type), or `?`; `this.f`
 * becomes the type of the field `f` (`@field` with `@field.type`, kept by the enclosing type). Names of the
 * definitions themselves and of locals where they are declared are no sites. Imports come from
 * `rules.imports`, each imported name also a site of kind `import`. Pure.
 */
function queryReferences(root: Node, queries: ReferenceQueries, rules: ReferenceRules): FileReferences {
  const definitionNames = new Set<number>();
  const scopes: DefinitionScope[] = [];
  const scopeIds = new Set<number>();
  for (const match of queries.definitions.matches(root)) {
    for (const capture of match.captures) {
      if (capture.name === "name") definitionNames.add(capture.node.id);
      else if (capture.name.startsWith("definition.") && !scopeIds.has(capture.node.id)) {
        const node = capture.node;
        scopeIds.add(node.id);
        const isType = isTypeKind(capture.name.slice("definition.".length) as EntityKind);
        scopes.push({ startIndex: node.startIndex, endIndex: node.endIndex, line: node.startPosition.row + 1, node, isType, locals: new Map(), receiver: rules.receiverName?.(node) ?? null });
      }
    }
  }
  scopes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  const moduleScope: DefinitionScope = { startIndex: root.startIndex, endIndex: root.endIndex, line: 0, node: root, isType: false, locals: new Map(), receiver: null };
  const chainAt = scopeChains(scopes, moduleScope);
  const declarations = new Set<number>();
  for (const match of queries.locals?.matches(root) ?? []) {
    const field = match.captures.find((capture) => capture.name === "field")?.node;
    const fieldType = match.captures.find((capture) => capture.name === "field.type")?.node.text;
    if (field !== undefined && fieldType !== undefined) {
      const type = qualifierText(fieldType.replace(/^[*&\s]+|\s*[<[].*$/gs, ""));
      const owner = chainAt(field).findLast((scope) => scope.isType);
      if (owner !== undefined && type !== "?" && !owner.locals.has(`self.${field.text}`)) owner.locals.set(`self.${field.text}`, type);
      continue;
    }
    const local = match.captures.find((capture) => capture.name === "local")?.node;
    if (local === undefined || definitionNames.has(local.id)) continue;
    const written = match.captures.findLast((capture) => capture.name === "local.type")?.node.text;
    const call = match.captures.find((capture) => capture.name === "local.call")?.node;
    // `*Cart`, `&Cart`, `Cart<T>`, `Cart[T]` name the type `Cart`; `c := cart.New()` the type `cart.New` returns, written `cart.New()`.
    const callee = call === undefined ? "?" : qualifierText(call);
    const type = written !== undefined ? qualifierText(written.replace(/^[*&\s]+|\s*[<[].*$/gs, "")) : call !== undefined ? (callee === "?" ? "?" : `${callee}()`) : null;
    if (type === "?") continue;
    declarations.add(local.id);
    const scope = chainAt(local).at(-1)!;
    if (!scope.locals.has(local.text) || (type !== null && scope.locals.get(local.text) === null)) scope.locals.set(local.text, type);
  }
  const imports = rules.imports?.(root) ?? [];
  // A module-level `const x = require("m")` is an import, not a variable.
  for (const binding of imports) moduleScope.locals.delete(binding.alias);
  // One site per name position: an import's own, else the first pattern matching it.
  const byPosition = new Map<string, { pattern: number; site: ReferenceSite | null }>();
  for (const binding of imports) {
    if (binding.aliasColumn !== undefined) byPosition.set(`${binding.line}:${binding.aliasColumn}`, { pattern: -1, site: null });
    if (binding.column === 0 || binding.name === null) continue;
    byPosition.set(`${binding.line}:${binding.column}`, { pattern: -1, site: { line: binding.line, column: binding.column, kind: "import", name: binding.name, qualifier: binding.module, enclosingLine: 0 } });
  }
  const self = new Set(rules.selfNames);
  const base = new Set(rules.superNames ?? []);
  for (const match of queries.sites?.matches(root) ?? []) {
    let name: Node | null = null;
    let qualifierNode: Node | null = null;
    let kind: ReferenceKind = "name";
    for (const capture of match.captures) {
      if (capture.name === "name") name = capture.node;
      else if (capture.name === "qualifier") qualifierNode = capture.node;
      else if (capture.name.startsWith("reference.")) kind = KIND_OF_CAPTURE[capture.name.slice("reference.".length)] ?? "name";
    }
    if (name === null || definitionNames.has(name.id) || declarations.has(name.id)) continue;
    const key = `${name.startPosition.row + 1}:${name.startPosition.column + 1}`;
    const known = byPosition.get(key);
    if (known !== undefined && known.pattern <= match.patternIndex) continue;
    // A base type is named in its type's header, read in the scope around the type (as Python reads bases).
    const around = chainAt(name);
    const chain = kind === "inherit" && around.length > 1 ? around.slice(0, -1) : around;
    const localType = (word: string): string | null | undefined => {
      for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.locals.has(word)) return chain[i]!.locals.get(word)!;
      return undefined;
    };
    let qualifier: string | null = null;
    if (qualifierNode !== null) {
      const written = qualifierText(qualifierNode);
      const first = written.split(".")[0]!;
      const receiver = chain.some((scope) => scope.receiver === first);
      if (self.has(first) || receiver) {
        // `this.cart.total()` with a field `cart: Cart` reads as `Cart.total()`.
        const [, field, ...rest] = written.split(".");
        const type = field === undefined ? undefined : localType(`self.${field}`);
        qualifier = field === undefined ? "self" : typeof type === "string" ? [type, ...rest].join(".") : "?";
      }
      else if (base.has(written)) qualifier = "super()";
      else if (written === "?") qualifier = "?";
      else {
        const type = localType(first);
        qualifier = type === undefined ? written : type === null ? "?" : [type, ...written.split(".").slice(1)].join(".");
      }
    } else if (localType(name.text) !== undefined || self.has(name.text) || base.has(name.text)) continue;
    const site: ReferenceSite = { line: name.startPosition.row + 1, column: name.startPosition.column + 1, kind, name: name.text, qualifier, enclosingLine: chain.at(-1)!.line };
    byPosition.set(key, { pattern: match.patternIndex, site });
  }
  const sites = [...byPosition.values()].flatMap((entry) => (entry.site === null ? [] : [entry.site])).sort((a, b) => a.line - b.line || a.column - b.column);
  return { sites, imports: imports.map(({ column: _column, aliasColumn: _alias, ...binding }) => binding), assignments: [] };
}

/**
 * A lookup of the definitions around a node, outermost (`moduleScope`) first, in O(log n + depth):
 * `scopes` sorted by start (an enclosing one before those inside it) nest, so each has one parent.
 */
function scopeChains(scopes: readonly DefinitionScope[], moduleScope: DefinitionScope): (node: Node) => DefinitionScope[] {
  const parent = new Int32Array(scopes.length).fill(-1);
  const open: number[] = [];
  scopes.forEach((scope, index) => {
    while (open.length > 0 && scopes[open.at(-1)!]!.endIndex < scope.endIndex) open.pop();
    parent[index] = open.at(-1) ?? -1;
    open.push(index);
  });
  return (node) => {
    let low = 0;
    let high = scopes.length - 1;
    let at = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (scopes[middle]!.startIndex <= node.startIndex) {
        at = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    while (at !== -1 && scopes[at]!.endIndex < node.endIndex) at = parent[at]!;
    const chain: DefinitionScope[] = [];
    for (; at !== -1; at = parent[at]!) chain.push(scopes[at]!);
    chain.push(moduleScope);
    return chain.reverse();
  };
}

/** `a.b.c` for a chain of names (`::` and `->` read as `.`), `?` for any other expression. */
function qualifierText(node: Node | string): string {
  const text = (typeof node === "string" ? node : node.text).replace(/::/g, ".").replace(/\s+/g, "");
  return /^[\p{L}_$@][\p{L}\p{N}_$@]*(\.[\p{L}_$@][\p{L}\p{N}_$@]*)*$/u.test(text) ? text : "?";
}
