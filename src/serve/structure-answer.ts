// What the structural tools (symbols, outline, related, references) share: an entity's JSON
// shape, the paging fields, and filling one page within the answer's size budget.
import { z } from "zod";
import { UsageError } from "../model/errors.js";
import { ENTITY_KINDS } from "../model/entity-kinds.js";
import { type SearchSession, type StructureEntity, type StructureFilters, type StructureIndex, withStructure } from "../pipeline/index.js";
import { MIN_ANSWER_TOKENS, decodeCursor, encodeCursor, estimateTokens, searchFingerprint } from "./answer-budget.js";
import type { IndexService } from "./index-service.js";
import { freshnessSchema } from "./search-tool.js";

/** What the structural tools need of the server's index service (the CLI passes a one-shot session and no watcher). */
export type StructureService = Pick<IndexService, "session" | "freshness">;

/** A definition as the structural tools return it: lines 1-based inclusive, `file` repository-relative. */
export const definitionJsonSchema = z.object({
  /** Entity id (`path:start_line:qualname`): pass it to read, related or references. */
  id: z.string(),
  file: z.string(),
  qualname: z.string(),
  name: z.string(),
  kind: z.enum(ENTITY_KINDS),
  start_line: z.number().int(),
  end_line: z.number().int(),
  signature: z.string(),
  /** First line of the docstring, or null. */
  summary: z.string().nullable(),
});

/** One definition in its JSON shape. */
export type DefinitionJson = z.infer<typeof definitionJsonSchema>;

/** The JSON shape of a definition. Pure. */
export function definitionJson(entity: StructureEntity): DefinitionJson {
  return {
    id: entity.id,
    file: entity.path,
    qualname: entity.qualifiedName,
    name: entity.name,
    kind: entity.kind,
    start_line: entity.startLine,
    end_line: entity.endLine,
    signature: entity.signature,
    summary: entity.summary,
  };
}

/** Filter arguments shared by the structural tools (published in their input schemas). */
export const filterInput = {
  kinds: z.array(z.enum(ENTITY_KINDS)).optional().describe("Keep only these kinds of definition."),
  paths: z.array(z.string().min(1)).max(50).optional().describe("Globs over repository-relative paths, e.g. [\"src/**\", \"!**/tests/**\"]; dir/ means everything below dir."),
  languages: z.array(z.string().min(1)).optional().describe("Keep only definitions in these languages (e.g. [\"python\"])."),
  exclude_tests: z.boolean().optional().describe("Leave out test files and test functions."),
};

/** Paging arguments shared by the structural tools. */
export function pagingInput(defaultLimit: number, maxLimit: number) {
  return {
    limit: z.number().int().min(1).max(maxLimit).default(defaultLimit).describe(`Items per page (1–${maxLimit}); fewer come back when the size budget is reached.`),
    cursor: z.string().min(1).optional().describe("next_cursor of the previous page, to fetch the following items (same other arguments)."),
    max_tokens: z.number().int().min(MIN_ANSWER_TOKENS).optional().describe("Size budget of this answer in estimated tokens (default: the server's, normally 8000)."),
  };
}

/** The filters of a tool call's arguments. */
export function filtersOf(args: { kinds?: StructureFilters["kinds"]; paths?: string[]; languages?: string[]; exclude_tests?: boolean }): StructureFilters {
  return {
    ...(args.kinds?.length ? { kinds: args.kinds } : {}),
    ...(args.paths?.length ? { paths: args.paths } : {}),
    ...(args.languages?.length ? { languages: args.languages } : {}),
    excludeTests: args.exclude_tests === true,
  };
}

/** Paging and timing fields every structural answer carries. */
export const pageFields = {
  count: z.number().int(),
  /** 0-based position of this page's first item in the whole list. */
  offset: z.number().int(),
  /** Items in the whole list. */
  total: z.number().int(),
  has_more: z.boolean(),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  /** True when the size budget ended the page before `limit`. */
  truncated: z.boolean(),
  /** Time spent answering inside the server, in ms (reading the index structure on first use included). */
  time_ms: z.number(),
  warnings: z.array(z.string()),
  freshness: freshnessSchema,
};

/** The paging part of an answer. */
export interface PageMeta {
  count: number;
  offset: number;
  total: number;
  has_more: boolean;
  next_cursor: string | null;
  truncated: boolean;
}

/** An MCP tool answer with structured content. */
export interface StructureAnswer<S> {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent: S;
}

/** What every structural tool call has once it read the index: its session, clock, filters, where its page starts, and what it computed. */
export interface StructureCall<T> {
  session: SearchSession;
  /** `performance.now()` when the call started. */
  startedAt: number;
  filters: StructureFilters;
  /** The committed index the answer came from (`StructureIndex.versionKey`: table version and generation; a rebuild never repeats one). */
  indexVersion: string;
  /** 0, or the offset the cursor carries. */
  offset: number;
  /** Identifies the call's arguments in the cursors it hands out. */
  fingerprint: string;
  /** What `use` returned. */
  result: T;
}

/**
 * Runs the common part of a structural tool call: opens the service's session, reads the filters
 * of `args`, checks its cursor against `fields` (the tool's name and own arguments; the filters
 * are added) and against the committed index `use` then runs on (withStructure).
 * @throws UsageError for a cursor of another call, or of another commit of the index (updated or
 *   rebuilt since the first page: offsets into the old list mean nothing in the new one).
 */
export async function runStructureCall<T>(
  service: StructureService,
  args: Parameters<typeof filtersOf>[0] & { cursor?: string | undefined },
  fields: readonly unknown[],
  use: (structure: StructureIndex, filters: StructureFilters) => T | Promise<T>,
): Promise<StructureCall<T>> {
  const session = await service.session();
  const startedAt = performance.now();
  const filters = filtersOf(args);
  const fingerprint = searchFingerprint([...fields, filters]);
  const cursor = args.cursor === undefined ? null : decodeCursor(args.cursor);
  if (cursor !== null && cursor.search !== fingerprint) throw new UsageError("cursor belongs to another call: repeat the arguments of the page that returned it");
  return withStructure(session, async (structure) => {
    if (cursor !== null && cursor.indexVersion !== structure.versionKey) {
      throw new UsageError("cursor belongs to an earlier state of the index (it was updated or rebuilt since the first page): call again without cursor");
    }
    const result = await use(structure, filters);
    return { session, startedAt, filters, indexVersion: structure.versionKey, offset: cursor?.offset ?? 0, fingerprint, result };
  });
}

/**
 * The largest page of `items` from `offset` (at most `limit` items, at least one when any is left)
 * whose whole answer, as `answerFor` builds it, stays within `budgetTokens` (estimated as JSON
 * characters ÷ 3); found by bisection, since the answer grows with the page.
 */
export function fitPage<T, S>(
  items: readonly T[],
  paging: { offset: number; limit: number; budgetTokens: number; fingerprint: string; indexVersion: string },
  answerFor: (page: T[], meta: PageMeta) => StructureAnswer<S>,
): StructureAnswer<S> {
  const { offset, limit, budgetTokens, fingerprint, indexVersion } = paging;
  const available = Math.max(0, Math.min(limit, items.length - offset));
  const build = (count: number, truncated: boolean) => {
    const next = offset + count;
    const hasMore = items.length > next;
    return answerFor(items.slice(offset, next), {
      count,
      offset,
      total: items.length,
      has_more: hasMore,
      next_cursor: hasMore ? encodeCursor({ offset: next, depth: 1, search: fingerprint, indexVersion }) : null,
      truncated,
    });
  };
  const fits = (answer: StructureAnswer<S>) => estimateTokens(JSON.stringify(answer)) <= budgetTokens;
  const whole = build(available, false);
  if (available === 0 || fits(whole)) return whole;
  let low = 1;
  let high = available - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(build(middle, true))) low = middle;
    else high = middle - 1;
  }
  return build(low, true);
}

/** Milliseconds since `startedAt` (performance.now()), to 2 decimals. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 100) / 100;
}
