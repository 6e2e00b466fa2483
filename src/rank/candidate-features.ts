/**
 * The features of one query's candidates (see `FEATURE_NAMES`): each a small pure function of the
 * query's traits, the candidate's light row and the candidate pool. No I/O.
 */
import { isTypeKind } from "../model/entity-kinds.js";
import type { SideRanks } from "../model/search.js";
import type { EntityRef } from "../model/types.js";
import { codeWords } from "./code-words.js";
import { namedSymbols } from "./query-words.js";
import { type CandidateText, SCORED_FIELDS, type ScoredField, fieldScores, wordStem } from "./field-scores.js";
import type { FeatureVector } from "./ranker-config.js";
import { type SymbolTraits, dottedTailMatch, kindMatch, moduleWords, nameTokenMatch, symbolTraits } from "./symbol-evidence.js";
import { isTestCode } from "../lang/index.js";

/**
 * A candidate as the ranking stage sees it: its light row, its place on each side, whether the
 * query names it, and its text when the search read it (the per-field features need it; without
 * it the signature, docstring and body fields score 0).
 */
export interface RankingCandidate {
  chunk: EntityRef;
  ranks: SideRanks;
  exactName: boolean;
  text?: CandidateText;
  /** Cosine similarity of the query's embedding and the entity's, when the vector side returned it. */
  similarity?: number;
}

/** What the features need to know about the query, computed once per query. */
export interface QueryTraits {
  /** Distinct content words (code words, question filler and `python` left out), lower case. */
  words: string[];
  /** The query looks like a symbol: one identifier, or it spells identifiers as code (`parse_header`, `Cart.total()`, `APIRouter`). */
  symbolLike: boolean;
  /** Name tokens, the kind asked for and dotted symbols (rank/symbol-evidence.ts). */
  symbols: SymbolTraits;
}

/** Words that carry no meaning for locating code: question filler, and the language's name. */
const FILLER = new Set([
  "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in", "into", "is", "it", "its", "of",
  "on", "or", "the", "that", "this", "to", "use", "used", "using", "what", "when", "where", "which", "with", "python", "code", "function", "method",
]);

/** The {@link QueryTraits} of `query`. Pure. */
export function queryTraits(query: string): QueryTraits {
  const words = [...new Set(codeWords(query).split(" ").filter((w) => w !== "" && !FILLER.has(w)))];
  const trimmed = query.trim();
  const single = /^[\p{L}_][\p{L}\p{N}_.]*(\(\))?$/u.test(trimmed);
  return { words, symbolLike: single || namedSymbols(trimmed).length > 0, symbols: symbolTraits(trimmed) };
}

/**
 * Whether two lower-case words are the same word up to an English ending: equal, or sharing a
 * prefix of at least 4 characters that covers at least 60 % of the shorter one
 * (`valid`/`validator`, `register`/`registry`; not `request`/`requirement`).
 */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4) return false;
  let common = 0;
  while (common < shorter && a[common] === b[common]) common++;
  return common >= 4 && common >= 0.6 * shorter;
}

/** Share (0…1) of `wanted` found among `present` by {@link sameWord}; 0 when nothing is wanted. */
export function wordShare(wanted: readonly string[], present: readonly string[]): number {
  if (wanted.length === 0 || present.length === 0) return 0;
  return wanted.filter((w) => present.some((p) => sameWord(w, p))).length / wanted.length;
}

/**
 * Share (0…1) of `wanted` found among the path's words `inPath` (by `same`, default
 * {@link sameWord}) but in none of `ownNames` (the entity's and its parent's name words, by
 * {@link sameWord}): what the file's place adds to what the entity's names already say. A word both
 * name and path hold counts once, under the name, so a path that repeats the query's words
 * (`contrib/admin/sites.py` for "the site admins") supports an entity without outweighing one whose
 * name is the answer (`mail_admins`, `AdminEmailHandler`).
 */
export function addedPathShare(
  wanted: readonly string[],
  inPath: readonly string[],
  ownNames: readonly (readonly string[])[],
  same: (word: string, present: string) => boolean = sameWord,
): number {
  if (wanted.length === 0 || inPath.length === 0) return 0;
  const added = wanted.filter((w) => inPath.some((p) => same(w, p)) && !ownNames.some((names) => names.some((n) => sameWord(w, n))));
  return added.length / wanted.length;
}

/** Whether two lower-case words share their {@link wordStem} (`filters` ~ `filtered`). */
const sameStem = (a: string, b: string): boolean => wordStem(a) === wordStem(b);

/** Path words that name no concept: source roots and package markers. */
const PATH_NOISE = new Set(["src", "lib", "init", "main", "py", "pyi", "python"]);

/** The words of a repository-relative path: its folders and its file name without extension, split as code (dunder names and source roots left out). */
export function pathWords(path: string): string[] {
  const withoutExtension = path.replace(/\.[^./]+$/, "");
  return codeWords(withoutExtension.replace(/[/.-]/g, " "))
    .split(" ")
    .filter((w) => w !== "" && !w.startsWith("_") && !PATH_NOISE.has(w));
}

/** Folders whose code is not the library itself: examples, docs, benchmarks, vendored copies. */
const AUXILIARY_DIRS = new Set([
  "example", "examples", "docs", "doc", "docs_src", "benchmark", "benchmarks", "bench", "vendor", "vendored", "_vendor", "third_party", "thirdparty", "extern", "external", "scripts", "tools",
]);

/**
 * Whether a file holds code around the library rather than the library: under an examples, docs,
 * benchmarks, scripts or vendored folder, or generated (`*_pb2.py`, `*_pb2_grpc.py`, `*_generated.py`).
 */
export function isAuxiliaryCode(path: string): boolean {
  const parts = path.split("/");
  const file = parts.pop() ?? "";
  if (parts.some((dir) => AUXILIARY_DIRS.has(dir.toLowerCase()))) return true;
  return /(_pb2|_pb2_grpc|_generated)\.[^.]+$/.test(file);
}

/** `1 / log2(1 + rank)` (1 for the first place, 0.5 for the third), 0 without a rank: the discount of DCG. */
export function rankDiscount(rank: number | null): number {
  return rank === null ? 0 : 1 / Math.log2(1 + rank);
}

/** Distinct names and paths whose words are remembered (a search meets the same ones again; calibration ranks each pool once per weight); emptied when full. */
const WORDS_CACHE_LIMIT = 50_000;
const wordsCache = new Map<string, readonly string[]>();

/** `compute(key)`, remembered under `kind` + `key` (bounded by {@link WORDS_CACHE_LIMIT}). */
function remembered(kind: string, key: string, compute: (key: string) => string[]): readonly string[] {
  const cacheKey = `${kind}\u0000${key}`;
  let words = wordsCache.get(cacheKey);
  if (words === undefined) {
    if (wordsCache.size >= WORDS_CACHE_LIMIT) wordsCache.clear();
    wordsCache.set(cacheKey, (words = compute(key)));
  }
  return words;
}

/** Name words of an entity: its name split as code (`EmailValidator` → `emailvalidator email validator`). */
function nameWordsOf(name: string): readonly string[] {
  return remembered("name", name, (n) => codeWords(n).split(" ").filter((w) => w !== ""));
}

/**
 * Each candidate's place (1 = best) among the candidates of its file, by best side rank (a
 * candidate on no side last), ties by input order. Pure; O(n log n).
 */
export function placesInFile(candidates: readonly Pick<RankingCandidate, "chunk" | "ranks">[]): number[] {
  const best = candidates.map(({ ranks }) => Math.min(ranks.lexical ?? Infinity, ranks.vector ?? Infinity));
  const order = candidates.map((_, i) => i).sort((a, b) => best[a]! - best[b]! || a - b);
  const seen = new Map<string, number>();
  const places = new Array<number>(candidates.length);
  for (const i of order) {
    const path = candidates[i]!.chunk.path;
    const place = (seen.get(path) ?? 0) + 1;
    seen.set(path, place);
    places[i] = place;
  }
  return places;
}

/**
 * The features of every candidate of one query, in the candidates' order (see `FEATURE_NAMES`).
 * `vectorWeight` scales the vector feature (the fusion's vector weight; 0 switches it off).
 * Pool features (`memberHits`, `fileSupport`) count the other candidates. Only the per-field
 * scores of `scoredFields` are computed (default all; see {@link weighedFields}), the others are 0.
 * Pure; O(candidates + words of the scored fields).
 */
export function candidateFeatures(candidates: readonly RankingCandidate[], traits: QueryTraits, vectorWeight: number, scoredFields: readonly ScoredField[] = SCORED_FIELDS): FeatureVector[] {
  const perFile = new Map<string, number>();
  const members = new Map<string, number>();
  const key = (path: string, qualifiedName: string) => `${path}\u0000${qualifiedName}`;
  for (const { chunk } of candidates) {
    perFile.set(chunk.path, (perFile.get(chunk.path) ?? 0) + 1);
    if (chunk.parentQualifiedName !== null) {
      const parent = key(chunk.path, chunk.parentQualifiedName);
      members.set(parent, (members.get(parent) ?? 0) + 1);
    }
  }
  let lowest = Infinity;
  let highest = -Infinity;
  for (const { similarity } of candidates) {
    if (similarity === undefined) continue;
    lowest = Math.min(lowest, similarity);
    highest = Math.max(highest, similarity);
  }
  const spread = highest - lowest;
  const placeInFile = placesInFile(candidates);
  const fields = fieldScores(
    candidates.map(({ chunk, text }) => ({ qualifiedName: chunk.qualifiedName, path: chunk.path, text })),
    traits.words,
    scoredFields,
  );
  return candidates.map(({ chunk, ranks, exactName, similarity }, i) => {
    const isType = isTypeKind(chunk.kind);
    const field = fields[i]!;
    const parentName = chunk.parentQualifiedName?.split(".").at(-1) ?? "";
    const ownName = nameWordsOf(chunk.name);
    const parentNameWords = nameWordsOf(parentName);
    const ownNames = [ownName, parentNameWords];
    // Path and module words are the file's evidence: they lift its best candidate (by side rank)
    // fully and its n-th by rankDiscount(n), so a file's weak matches cannot ride its path above
    // the answer, while an architecture question still finds the file through its best entity.
    const pathSupport = rankDiscount(placeInFile[i]!);
    return {
      lexical: rankDiscount(ranks.lexical),
      vector: vectorWeight * rankDiscount(ranks.vector),
      exactName: exactName ? 1 : 0,
      nameWords: wordShare(traits.words, ownName),
      parentWords: wordShare(traits.words, parentNameWords),
      pathWords: addedPathShare(traits.words, remembered("path", chunk.path, pathWords), ownNames) * pathSupport,
      typeForSymbol: isType && traits.symbolLike ? 1 : 0,
      memberHits: isType ? Math.log2(1 + (members.get(key(chunk.path, chunk.qualifiedName)) ?? 0)) : 0,
      fileSupport: Math.log2(perFile.get(chunk.path) ?? 1),
      testCode: isTestCode({ path: chunk.path, kind: chunk.kind, name: chunk.name }) ? 1 : 0,
      auxiliaryCode: isAuxiliaryCode(chunk.path) ? 1 : 0,
      fieldName: field.name,
      fieldSignature: field.signature,
      fieldDocstring: field.docstring,
      fieldBody: field.body,
      fieldPath: field.path,
      moduleWords: addedPathShare(traits.words, remembered("module", chunk.path, moduleWords), ownNames, sameStem) * pathSupport,
      nameToken: nameTokenMatch(chunk.name, traits.symbols) ? 1 : 0,
      kindMatch: kindMatch(chunk.kind, traits.symbols) ? 1 : 0,
      dottedTail: dottedTailMatch(chunk, traits.symbols) ? 1 : 0,
      vectorSimilarity: similarity === undefined || !(spread > 0) ? 0 : (vectorWeight * (similarity - lowest)) / spread,
    };
  });
}
