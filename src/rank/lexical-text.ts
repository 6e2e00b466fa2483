import type { CodeEntity } from "../model/types.js";
import { expandAbbreviations } from "./code-abbreviations.js";
import { characterTrigrams } from "./character-trigrams.js";
import { codeWords } from "./code-words.js";

/**
 * The texts the full-text indexes hold per entity, in {@link codeWords} form with abbreviations
 * expanded. A query is scored against head and body alike and the scores add up; the body holds
 * the whole source, signature and docstring included, so words of the head count twice.
 */
export interface LexicalText {
  /** Qualified name, decorators, signature and docstring. */
  head: string;
  /** The source from the `def`/`class` line to the end; for a class, its whole body with its members. */
  body: string;
  /** The qualified name's code words as {@link characterTrigrams}, to match parts of names. */
  nameGrams: string;
}

/** Words that name the language of every indexed entity, so they tell no entity from another. */
const LANGUAGE_WORDS = new Set(["python"]);

/** Builds the {@link LexicalText} of an entity. Pure. */
export function lexicalText(entity: CodeEntity): LexicalText {
  const head = [entity.qualifiedName, ...entity.decorators, entity.signature, entity.docstring ?? ""];
  return {
    head: expandAbbreviations(codeWords(head.join("\n"))),
    body: expandAbbreviations(codeWords(entity.source)),
    nameGrams: characterTrigrams(codeWords(entity.qualifiedName)),
  };
}

/**
 * The words of a query for the full-text indexes: its {@link codeWords} without the word
 * `python` — web-search habit ("python read csv"), it names the language of every entity here.
 * `"python parseHTTPHeader"` → `"parsehttpheader parse http header"`.
 */
export function lexicalQuery(query: string): string {
  return codeWords(query)
    .split(" ")
    .filter((word) => word !== "" && !LANGUAGE_WORDS.has(word))
    .join(" ");
}
