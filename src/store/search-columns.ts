import type { FtsOptions } from "@lancedb/lancedb";
import { Bool, Field, Utf8 } from "apache-arrow";
import type { CodeEntity } from "../model/types.js";
import { isTestCode } from "../lang/index.js";
import { lexicalText } from "../rank/index.js";

/** Full-text column: qualified name, decorators, signature, docstring (see rank/lexical-text.ts). */
export const SEARCH_HEAD_COLUMN = "search_head";
/** Full-text column: the entity's source. */
export const SEARCH_BODY_COLUMN = "search_body";
/** Full-text column: the qualified name's words as character trigrams (rank/character-trigrams.ts), one token each. */
export const SEARCH_NAME_GRAMS_COLUMN = "search_name_grams";
/** Boolean column: the entity is test code by path and name conventions (each language's `testCode`, src/lang/). */
export const IS_TEST_COLUMN = "is_test";

/**
 * Tokenizer of the word indexes. The texts are already split into code words (identifiers next to
 * their parts), so LanceDB only splits at spaces, lower-cases, folds accents, stems English and
 * drops English stop words; a query goes through the same steps.
 */
const WORD_OPTIONS: Partial<FtsOptions> = {
  baseTokenizer: "whitespace",
  lowercase: true,
  asciiFolding: true,
  stem: true,
  removeStopWords: true,
  language: "English",
  withPosition: false,
};

/**
 * Tokenizer of the name index. Its text is already cut into overlapping 3-character pieces
 * (`characterTrigrams`), so `iter` finds `iterable` and a misspelt word still meets most of the
 * name; LanceDB only splits at spaces and lower-cases, with no stemming or stop words that would
 * alter a piece. Cutting the pieces here rather than with LanceDB's `ngram` tokenizer gives the
 * same tokens at about a quarter of the query time (BENCHMARKS.md, issue 13).
 */
const TRIGRAM_OPTIONS: Partial<FtsOptions> = {
  baseTokenizer: "whitespace",
  lowercase: true,
  asciiFolding: true,
  stem: false,
  removeStopWords: false,
  withPosition: false,
};

/** Each full-text column with the tokenizer of its BM25 index. */
export const FULL_TEXT_INDEXES: readonly { column: string; options: Partial<FtsOptions> }[] = [
  { column: SEARCH_HEAD_COLUMN, options: WORD_OPTIONS },
  { column: SEARCH_BODY_COLUMN, options: WORD_OPTIONS },
  { column: SEARCH_NAME_GRAMS_COLUMN, options: TRIGRAM_OPTIONS },
];

/** Arrow fields of the search columns, appended to the entity schema. */
export function searchFields(): Field[] {
  return [
    new Field(SEARCH_HEAD_COLUMN, new Utf8(), false),
    new Field(SEARCH_BODY_COLUMN, new Utf8(), false),
    new Field(SEARCH_NAME_GRAMS_COLUMN, new Utf8(), false),
    new Field(IS_TEST_COLUMN, new Bool(), false),
  ];
}

/** Values of the search columns for one entity's row. Pure. */
export function searchColumnValues(entity: CodeEntity): Record<string, string | boolean> {
  const text = lexicalText(entity);
  return {
    [SEARCH_HEAD_COLUMN]: text.head,
    [SEARCH_BODY_COLUMN]: text.body,
    [SEARCH_NAME_GRAMS_COLUMN]: text.nameGrams,
    [IS_TEST_COLUMN]: isTestCode(entity),
  };
}
