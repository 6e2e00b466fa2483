import type { Node, Query } from "web-tree-sitter";
import { languageForPath, languageForShebang, type LanguageSpec, type ReferenceRules } from "../lang/index.js";
import { isTypeKind, type EntityKind } from "../model/entity-kinds.js";
import type { FileReferences, ReferenceKind, ReferenceSite } from "../model/references.js";
import { DEFAULT_EXTRACT_LIMITS, estimateNesting } from "./extract-limits.js";
import { declaredTypeName, isCallChain, qualifierText, resolveQualifier, type LocalBinding, type QualifierScope } from "./qualifier-types.js";
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
  /** Local names bound directly in it, each with its binding; a type's fields as `self.<name>`. */
  locals: Map<string, LocalBinding>;
  /** The receiver parameter's name (read as `self`), or null. */
  receiver: string | null;
  /** The receiver's type name (its fields read through the receiver), or null. */
  receiverType: string | null;
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
  // Types by name, whose fields a method outside them reads through its receiver (Go).
  const typesByName = new Map<string, DefinitionScope>();
  for (const match of queries.definitions.matches(root)) {
    const nameNode = match.captures.find((capture) => capture.name === "name")?.node;
    for (const capture of match.captures) {
      if (capture.name === "name") definitionNames.add(capture.node.id);
      else if (capture.name.startsWith("definition.") && !scopeIds.has(capture.node.id)) {
        const node = capture.node;
        scopeIds.add(node.id);
        const isType = isTypeKind(capture.name.slice("definition.".length) as EntityKind);
        const scope: DefinitionScope = { startIndex: node.startIndex, endIndex: node.endIndex, line: node.startPosition.row + 1, node, isType, locals: new Map(), receiver: rules.receiverName?.(node) ?? null, receiverType: rules.receiverType?.(node) ?? null };
        scopes.push(scope);
        if (isType && nameNode !== undefined && !typesByName.has(nameNode.text)) typesByName.set(nameNode.text, scope);
      }
    }
  }
  scopes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  const moduleScope: DefinitionScope = { startIndex: root.startIndex, endIndex: root.endIndex, line: 0, node: root, isType: false, locals: new Map(), receiver: null, receiverType: null };
  const chainAt = scopeChains(scopes, moduleScope);
  const declarations = new Set<number>();
  const chainTypes = (scopes: readonly DefinitionScope[]) => (word: string) => scopes.findLast((scope) => scope.locals.has(word))?.locals;
  for (const match of queries.locals?.matches(root) ?? []) {
    const captured = (name: string) => match.captures.findLast((capture) => capture.name === name)?.node;
    const field = captured("field");
    const fieldType = captured("field.type")?.text;
    if (field !== undefined && fieldType !== undefined) {
      const type = declaredTypeName(fieldType);
      const owner = chainAt(field).findLast((scope) => scope.isType);
      if (owner !== undefined && type !== "?" && !owner.locals.has(`self.${field.text}`)) owner.locals.set(`self.${field.text}`, { type });
      continue;
    }
    const binding = localBinding(captured("local.type")?.text, captured("local.call"), captured("local.value"));
    if (binding === "?") continue;
    const assigned = captured("assigned");
    if (assigned !== undefined) {
      // `c = new Cart()` types a variable declared untyped earlier (`let c = null`), and binds nothing.
      const locals = chainTypes(chainAt(assigned))(assigned.text);
      if (locals !== undefined && locals.get(assigned.text) === null && binding !== null) locals.set(assigned.text, binding);
      continue;
    }
    const local = captured("local");
    if (local === undefined || definitionNames.has(local.id)) continue;
    declarations.add(local.id);
    const scope = chainAt(local).at(-1)!;
    if (!scope.locals.has(local.text) || (binding !== null && scope.locals.get(local.text) === null)) scope.locals.set(local.text, binding);
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
  const typeMembers = new Set(rules.typeMembers ?? []);
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
    const local = (word: string): LocalBinding | undefined => {
      const found = chainTypes(chain)(word)?.get(word);
      if (found !== undefined || !word.startsWith("self.")) return found;
      // A receiver's fields: kept by its type's definition in this file.
      const receiverType = chain.findLast((scope) => scope.receiverType !== null)?.receiverType;
      return receiverType === undefined || receiverType === null ? undefined : typesByName.get(receiverType)?.locals.get(word);
    };
    const scope: QualifierScope = { local, isSelf: (word) => self.has(word) || chain.some((s) => s.receiver === word), isSuper: (word) => base.has(word), typeMembers };
    let qualifier: string | null = null;
    if (qualifierNode !== null) {
      const written = qualifierText(qualifierNode.text);
      const expression = written === "?" ? rules.qualifierExpression?.(qualifierNode) : undefined;
      qualifier = resolveQualifier(expression !== undefined && expression !== null && isCallChain(expression) ? expression : written, scope);
    } else if (local(name.text) !== undefined || self.has(name.text) || base.has(name.text)) continue;
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

/**
 * A local's binding from its locals-query captures: the declared or constructed type, the call
 * it was assigned (`c := cart.New()` → `cart.New()`, read through `New`'s return type), the name
 * or member chain it was assigned, null when untyped; `?` when the captured expression is no chain
 * (the variable is then no binding the query recognised).
 */
function localBinding(written: string | undefined, call: Node | undefined, value: Node | undefined): LocalBinding | "?" {
  if (written !== undefined) {
    const type = declaredTypeName(written);
    return type === "?" ? "?" : { type };
  }
  if (call !== undefined) {
    const callee = qualifierText(call.text);
    return callee === "?" ? "?" : { assigned: `${callee}()` };
  }
  if (value !== undefined) {
    const chain = qualifierText(value.text);
    return chain === "?" ? "?" : { assigned: chain };
  }
  return null;
}
