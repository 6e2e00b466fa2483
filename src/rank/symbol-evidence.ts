/**
 * What a query says about the kind of answer it wants, and whether a candidate is the definition
 * the query names (issue 18: symbol-query detection, definition against use, the module a
 * question is about). Pure; no I/O.
 */
import { isTypeKind } from "../model/entity-kinds.js";
import type { EntityKind } from "../model/types.js";
import { codeWords } from "./code-words.js";
import { wordStem } from "./field-scores.js";
import { namedSymbols } from "./query-words.js";

/** What a query asks for, beyond its words. */
export interface SymbolTraits {
  /**
   * Tokens spelled as a definition's name would be: containing a capital letter, a digit after a
   * letter or `_` (`Headers`, `TokenStream`, `pass_context`), or every token of a one-word query.
   */
  nameTokens: string[];
  /** `type` when the query says "class"; `callable` when it says function, method, decorator or def; else null. */
  kindWanted: "type" | "callable" | null;
  /** Dotted symbols split as `[owner words…, name]` (`MapAdapter.match` → `["MapAdapter", "match"]`). */
  dotted: string[][];
}

/** A word or identifier of a query (no dots). */
const TOKEN = /[\p{L}_][\p{L}\p{N}_]*/gu;

/** The {@link SymbolTraits} of `query`. Pure. */
export function symbolTraits(query: string): SymbolTraits {
  const tokens = [...query.matchAll(TOKEN)].map((m) => m[0]);
  const nameTokens = tokens.length === 1 ? tokens : tokens.filter((t) => /\p{Lu}|_|\p{L}\p{N}/u.test(t));
  const lower = new Set(tokens.map((t) => t.toLowerCase()));
  const kindWanted = lower.has("class") || lower.has("classes") ? "type" : ["function", "method", "decorator", "def", "func"].some((w) => lower.has(w)) ? "callable" : null;
  const dotted = namedSymbols(query)
    .filter((s) => s.includes("."))
    .map((s) => s.split("."));
  return { nameTokens: [...new Set(nameTokens)], kindWanted, dotted };
}

/** Whether the entity's bare name is one of the query's {@link SymbolTraits.nameTokens}, spelled the same (case included). */
export function nameTokenMatch(name: string, traits: SymbolTraits): boolean {
  return traits.nameTokens.includes(name);
}

/** Whether the entity's kind is the kind the query asks for ("the Rule class", "the redirect function"); false when it asks for none. */
export function kindMatch(kind: EntityKind, traits: SymbolTraits): boolean {
  if (traits.kindWanted === null) return false;
  return traits.kindWanted === "type" ? isTypeKind(kind) : !isTypeKind(kind);
}

/**
 * Whether the entity is the last part of a dotted symbol of the query, its owner being the parent
 * definition or the module: `MapAdapter.match` names the method `match` of `MapAdapter` (not the
 * class, which the exact-name side also finds); `attrs.define` names `define` in a file whose path
 * holds `attr`. Owner words are compared by {@link wordStem}.
 */
export function dottedTailMatch(entity: { name: string; parentQualifiedName: string | null; path: string }, traits: SymbolTraits): boolean {
  return traits.dotted.some((parts) => {
    if (parts.at(-1) !== entity.name) return false;
    const owner = parts.at(-2)!;
    if (entity.parentQualifiedName !== null && entity.parentQualifiedName.split(".").at(-1) === owner) return true;
    const ownerStem = wordStem(owner.toLowerCase());
    return codeWords(entity.path.replace(/\.[^./]+$/, "").replace(/[/.-]/g, " "))
      .split(" ")
      .some((w) => w !== "" && wordStem(w) === ownerStem);
  });
}

/**
 * The words of the module a file is: its file name without extension, or its folder's name for a
 * package's `__init__` file (`jinja2/filters.py` → `filters`, `babel/localtime/__init__.py` →
 * `localtime`), split as code. Pure.
 */
export function moduleWords(path: string): string[] {
  const parts = path.split("/");
  let file = (parts.pop() ?? "").replace(/\.[^.]+$/, "");
  if (/^_*(init|main|index|mod|lib)_*$/.test(file) && parts.length > 0) file = parts.pop()!;
  return codeWords(file)
    .split(" ")
    .filter((w) => w !== "");
}

/** Share (0…1) of the query's words whose {@link wordStem} is the stem of one of `present`; 0 when nothing is wanted. */
export function stemShare(wanted: readonly string[], present: readonly string[]): number {
  if (wanted.length === 0 || present.length === 0) return 0;
  const stems = new Set(present.map(wordStem));
  return wanted.filter((w) => stems.has(wordStem(w))).length / wanted.length;
}
