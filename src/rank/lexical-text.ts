import type { CodeEntity } from "../model/types.js";
import { expandAbbreviations } from "./code-abbreviations.js";
import { characterTrigrams } from "./character-trigrams.js";
import { codeWords } from "./code-words.js";
import { LANGUAGE_QUERY_WORDS } from "../lang/index.js";

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
 * The words of a query for the full-text indexes: its {@link codeWords} without words that name a
 * language (`LANGUAGE_QUERY_WORDS`, e.g. `python`) — web-search habit ("python read csv"): the
 * word names the language, not what the code does.
 * `"python parseHTTPHeader"` → `"parsehttpheader parse http header"`.
 */
export function lexicalQuery(query: string): string {
  return codeWords(query)
    .split(" ")
    .filter((word) => word !== "" && !LANGUAGE_QUERY_WORDS.has(word))
    .join(" ");
}
