import { createHash } from "node:crypto";
import type { Chunk, CodeEntity } from "../model/types.js";
import { languageById } from "../lang/index.js";

/**
 * Default upper bound on a chunk's text, in UTF-16 characters: 512 tokens (the input limit of
 * CodeBERT-style encoders) × about 4 characters per token of code. Only a cheap bound so huge
 * functions are not tokenized whole; the model's tokenizer truncates precisely afterwards.
 */
export const DEFAULT_MAX_CHUNK_CHARS = 2048;

/** Options of {@link prepareChunks}. */
export interface PrepareChunksOptions {
  /** Longest `text` in UTF-16 characters (a positive integer); see {@link DEFAULT_MAX_CHUNK_CHARS}. */
  maxChars: number;
}

/**
 * Builds the text embedded for each entity, its SHA-256 and its id. Pure and deterministic: the
 * same entities give the same texts and hashes.
 *
 * Text, one part per line, empty parts left out:
 * - a kind its language outlines (`LanguageSpec.outlineKinds`, e.g. a class): qualified name,
 *   signature, doc comment, then the signature of each direct member (the entities of the same
 *   file whose parent is it and that lie inside it), indented by four spaces, in source order;
 *   never the members' bodies;
 * - any other kind (functions, methods, Go structs, Rust enums…): qualified name, signature, doc
 *   comment, then the source with its common indentation removed.
 *
 * Text longer than `maxChars` is cut at the last line break within the limit when that keeps at
 * least half of it, else at `maxChars` exactly (never inside a surrogate pair).
 * @param entities entities of one or several files, as `extractEntities` returns them.
 * @returns one chunk per entity, in input order; `id` is `${path}:${startLine}:${qualifiedName}`,
 *   `contentHash` the hex SHA-256 of the UTF-8 of `text`.
 * @throws RangeError when `options.maxChars` is not a positive integer.
 */
export function prepareChunks(entities: CodeEntity[], options: PrepareChunksOptions): Chunk[] {
  const { maxChars } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  const membersByParent = new Map<string, CodeEntity[]>();
  for (const entity of entities) {
    if (entity.parentQualifiedName === null) continue;
    const key = parentKey(entity.path, entity.parentQualifiedName);
    const members = membersByParent.get(key);
    if (members === undefined) membersByParent.set(key, [entity]);
    else members.push(entity);
  }
  return entities.map((entity) => {
    const text = truncate(entityText(entity, membersByParent), maxChars);
    return {
      ...entity,
      id: `${entity.path}:${entity.startLine}:${entity.qualifiedName}`,
      text,
      contentHash: createHash("sha256").update(text, "utf8").digest("hex"),
    };
  });
}

function parentKey(path: string, qualifiedName: string): string {
  return `${path}\u0000${qualifiedName}`;
}

function entityText(entity: CodeEntity, membersByParent: Map<string, CodeEntity[]>): string {
  const parts = [entity.qualifiedName, entity.signature];
  if (entity.docstring) parts.push(entity.docstring);
  if (languageById(entity.language)?.outlineKinds.includes(entity.kind) === true) {
    const members = (membersByParent.get(parentKey(entity.path, entity.qualifiedName)) ?? [])
      .filter((member) => member.startLine > entity.startLine && member.endLine <= entity.endLine)
      .sort((a, b) => a.startLine - b.startLine);
    for (const member of members) parts.push(`    ${member.signature}`);
  } else {
    parts.push(dedent(entity.source));
  }
  return parts.join("\n");
}

/** Removes the indentation common to all non-blank lines; blank lines become empty. */
function dedent(source: string): string {
  const lines = source.split("\n");
  let margin = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    const content = line.trimStart().length;
    if (content > 0) margin = Math.min(margin, line.length - content);
  }
  if (!Number.isFinite(margin) || margin === 0) return source;
  return lines.map((line) => (line.trim() === "" ? "" : line.slice(margin))).join("\n");
}

function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lineBreak = text.lastIndexOf("\n", maxChars);
  if (lineBreak >= maxChars / 2) return text.slice(0, lineBreak);
  const code = text.charCodeAt(maxChars - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}
