/**
 * Per-field lexical evidence for the ranking stage (issue 18): a BM25 score of the query's words
 * in each field of each candidate (name, signature, docstring, body, file path), computed over the
 * candidate pool itself — the pool is the collection, so a word most candidates share (the
 * library's own name) weighs little. Pure; no I/O, no index.
 */
import { codeWords } from "./code-words.js";

/** The text of a candidate the field scores read: what a whole row holds beyond its light reference. */
export interface CandidateText {
  /** Header up to the body (`def f(a, b)`, `class A(B)`). */
  signature: string;
  /** Doc comment without its markers, or null. */
  docstring: string | null;
  /** Source of the definition (its body included). */
  source: string;
}

/** The fields scored, in this order (see {@link fieldScores}). */
export const SCORED_FIELDS = ["name", "signature", "docstring", "body", "path"] as const;

/** One of {@link SCORED_FIELDS}. */
export type ScoredField = (typeof SCORED_FIELDS)[number];

/** Suffixes removed by {@link wordStem}, longest first. */
const SUFFIXES = ["ations", "ation", "ings", "ing", "ers", "ors", "ions", "ion", "ed", "er", "or", "es", "s", "e"];

/**
 * A light English stem of a lower-case code word, so `compiled`, `compiler` and `compile` meet, and
 * `converters` meets `convert`: up to two suffixes of {@link SUFFIXES} removed (`filtered` →
 * `filter` → `filt`; the second of two letters or more), each only when at least 3 characters remain, then cut to 6 characters. Words of 3 characters or fewer are kept whole. Pure.
 */
export function wordStem(word: string): string {
  if (word.length <= 3) return word;
  let stem = word;
  for (let round = 0; round < 2; round++) {
    // A second round removes only a suffix of two letters or more (`parsed` → `pars`, not `par`).
    const suffix = SUFFIXES.find((s) => (round === 0 || s.length >= 2) && stem.endsWith(s) && stem.length - s.length >= 3);
    if (suffix === undefined) break;
    stem = stem.slice(0, -suffix.length);
  }
  return stem.slice(0, 6);
}

/** A field's words as stems with their counts, and its length in words. */
interface FieldTerms {
  counts: Map<string, number>;
  length: number;
}

/** Distinct field texts whose terms are remembered (a search meets the same rows again; calibration ranks each pool many times); emptied when full. */
const TERMS_CACHE_LIMIT = 20_000;
const termsCache = new Map<string, FieldTerms>();

/** The stems of `text` as code words (identifiers split), counted; remembered by text. */
function fieldTerms(text: string): FieldTerms {
  let terms = termsCache.get(text);
  if (terms === undefined) {
    const counts = new Map<string, number>();
    let length = 0;
    for (const word of codeWords(text).split(" ")) {
      if (word === "") continue;
      const stem = wordStem(word);
      counts.set(stem, (counts.get(stem) ?? 0) + 1);
      length++;
    }
    if (termsCache.size >= TERMS_CACHE_LIMIT) termsCache.clear();
    termsCache.set(text, (terms = { counts, length }));
  }
  return terms;
}

/** A candidate's fields as text: its qualified name, path and, when read, its signature, docstring and body. */
export interface FieldTexts {
  qualifiedName: string;
  path: string;
  text: CandidateText | undefined;
}

/** The text of one field of a candidate ("" when the candidate's text was not read). */
function fieldText(candidate: FieldTexts, field: ScoredField): string {
  switch (field) {
    case "name":
      return candidate.qualifiedName;
    case "path":
      return candidate.path.replace(/\.[^./]+$/, "").replace(/[/.-]/g, " ");
    case "signature":
      return candidate.text?.signature ?? "";
    case "docstring":
      return candidate.text?.docstring ?? "";
    case "body":
      return candidate.text?.source ?? "";
  }
}

/** BM25's term-frequency saturation (Robertson & Zaragoza 2009, the usual 1.2). */
const K1 = 1.2;
/** BM25's length normalisation (the usual 0.75). */
const B = 0.75;

/**
 * Each candidate's BM25 score of `queryWords` in each field of {@link SCORED_FIELDS}, with the pool
 * as the collection (document frequency and average length counted over the candidates), divided
 * by the score a field holding every query word would approach (Σ idf × (k1 + 1)): 0 when no query
 * word is in the field, towards 1 when all are, rarer words counting more. Query words are matched
 * by {@link wordStem}. Fields whose text was not read (no `text`) score 0 for signature, docstring
 * and body. Only `fields` are scored (default all; the others stay 0): a ranker that weighs one
 * field pays for that one.
 * @returns one record per candidate, in their order. Pure; O(total words of the fields).
 */
export function fieldScores(candidates: readonly FieldTexts[], queryWords: readonly string[], fields: readonly ScoredField[] = SCORED_FIELDS): Record<ScoredField, number>[] {
  const stems = [...new Set(queryWords.map(wordStem))];
  const out = candidates.map(() => ({ name: 0, signature: 0, docstring: 0, body: 0, path: 0 }) as Record<ScoredField, number>);
  const n = candidates.length;
  if (stems.length === 0 || n === 0) return out;
  for (const field of fields) {
    const terms = candidates.map((c) => fieldTerms(fieldText(c, field)));
    const averageLength = terms.reduce((sum, t) => sum + t.length, 0) / n;
    if (averageLength === 0) continue;
    const idf = stems.map((stem) => {
      const df = terms.filter((t) => t.counts.has(stem)).length;
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    });
    const ceiling = idf.reduce((sum, v) => sum + v, 0) * (K1 + 1);
    terms.forEach((t, i) => {
      if (t.length === 0) return;
      const norm = K1 * (1 - B + (B * t.length) / averageLength);
      let score = 0;
      stems.forEach((stem, k) => {
        const tf = t.counts.get(stem);
        if (tf !== undefined) score += (idf[k]! * tf * (K1 + 1)) / (tf + norm);
      });
      out[i]![field] = score / ceiling;
    });
  }
  return out;
}
