import { createHash } from "node:crypto";
import { UsageError } from "../model/errors.js";

/**
 * Default size budget of one tool answer, in estimated tokens. Claude Code warns when a tool answer
 * passes 10,000 tokens and cuts it at 25,000 (its MAX_MCP_OUTPUT_TOKENS default); 8,000 stays
 * clear of both with room for the client's own framing.
 */
export const DEFAULT_ANSWER_TOKENS = 8_000;

/** Smallest budget accepted: one hit with a short snippet and the answer's fixed fields. */
export const MIN_ANSWER_TOKENS = 500;

/**
 * Largest budget a `search` call may ask for (`max_tokens`): 100,000 estimated tokens, about
 * 300,000 characters, four times Claude Code's hard cut; a page of 50 hits with 41-line snippets stays below it.
 */
export const MAX_ANSWER_TOKENS = 100_000;

/**
 * Largest offset a cursor may carry. A ranking holds at most a few candidate lists' worth of hits
 * (hundreds), so any larger offset did not come from this server.
 */
export const MAX_CURSOR_OFFSET = 10_000;

/** Largest candidate depth a cursor may carry (the depth of a 50-hit page is 100). */
export const MAX_CURSOR_DEPTH = 1_000;

/**
 * Characters per estimated token. Tokenizers of current models average ~3.5–4 characters per token
 * on English and more on code; 3 overestimates the count, so an answer within the estimate stays
 * within the budget.
 */
export const CHARS_PER_TOKEN = 3;

/** Estimated tokens of `text`: `ceil(length / CHARS_PER_TOKEN)`. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Where the next page of one search starts. */
export interface PageCursor {
  /** Hits already returned, i.e. the 0-based offset of the next page. */
  offset: number;
  /** Candidate depth of the first page, kept so that every page slices the same ranking. */
  depth: number;
  /** {@link searchFingerprint} of the search the cursor belongs to. */
  search: string;
  /** The index's last-run time when the first page was served: a later run may reorder the hits. */
  indexVersion: string;
}

/** A short hash of the fields that define a ranking (query, mode, filters), so a cursor cannot be reused for another search. */
export function searchFingerprint(fields: unknown): string {
  return createHash("sha256").update(JSON.stringify(fields)).digest("base64url").slice(0, 16);
}

/** The opaque string form of a cursor (base64url of its JSON). */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/**
 * Reads a cursor made by {@link encodeCursor}.
 * @throws UsageError when `text` is not one, or its offset or depth is past
 *   {@link MAX_CURSOR_OFFSET} or {@link MAX_CURSOR_DEPTH}.
 */
export function decodeCursor(text: string): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    value = null;
  }
  const c = value as Partial<PageCursor> | null;
  if (
    !c ||
    typeof c !== "object" ||
    !Number.isInteger(c.offset) ||
    (c.offset ?? -1) < 0 ||
    (c.offset ?? 0) > MAX_CURSOR_OFFSET ||
    !Number.isInteger(c.depth) ||
    (c.depth ?? 0) < 1 ||
    (c.depth ?? 0) > MAX_CURSOR_DEPTH ||
    typeof c.search !== "string" ||
    typeof c.indexVersion !== "string"
  ) {
    throw new UsageError("cursor is not one this server returned; pass next_cursor from the previous page unchanged, or omit it for the first page");
  }
  return c as PageCursor;
}

/**
 * `text` cut to at most `maxChars` characters (code points kept whole), ending in "…" when cut;
 * "" for `maxChars` 0. For free text an answer repeats (the query, warnings), so its size stays bounded.
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 0) return "";
  const kept = Array.from(text.slice(0, maxChars)).slice(0, -1).join("");
  return `${kept}…`;
}
