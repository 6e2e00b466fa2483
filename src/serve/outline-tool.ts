import { z } from "zod";
import { outlineEntities } from "../pipeline/index.js";
import { DEFAULT_ANSWER_TOKENS } from "./answer-budget.js";
import type { StructureService } from "./structure-answer.js";
import { type StructureAnswer, definitionJsonSchema, definitionJson, elapsedMs, filterInput, fitPage, pageFields, runStructureCall, pagingInput } from "./structure-answer.js";
import { structureWarnings } from "./structure-warnings.js";

/** Arguments of the `outline` tool. */
export const outlineToolInput = {
  path: z.string().default("").describe("A repository-relative file (`pkg/models.py`: its definitions as a tree) or folder (`pkg/`; empty or `.` for the whole repository: a map, most referenced definitions first)."),
  ...filterInput,
  ...pagingInput(200, 1000),
};

type OutlineToolArgs = z.infer<z.ZodObject<typeof outlineToolInput>>;

/** `structuredContent` of the `outline` tool. */
export const outlineToolOutput = z.object({
  path: z.string(),
  shape: z.enum(["file", "map"]),
  /** How the items are ordered: `source` (a file), `pagerank` (a map over the reference graph) or `fallback` (a map without references). */
  ranking: z.enum(["source", "pagerank", "fallback"]),
  results: z.array(definitionJsonSchema.extend({ depth: z.number().int(), score: z.number() })),
  ...pageFields,
});

/** The `outline` tool's structured answer. */
export type OutlineToolResult = z.infer<typeof outlineToolOutput>;

/**
 * Runs one `outline` call (see outlineEntities): a file's definitions in source order, or a
 * folder's most important first, paged and cut at the size budget.
 * @throws UsageError for an unknown path or a cursor of another call; IndexNotFoundError; StoreError.
 */
export async function runOutlineTool(service: StructureService, args: OutlineToolArgs, defaultBudgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<StructureAnswer<OutlineToolResult>> {
  const call = await runStructureCall(service, args, ["outline", args.path], (structure, filters) => {
    const outline = outlineEntities(structure, args.path, filters);
    return { outline, notes: structureWarnings(structure, outline.ranking === "pagerank") };
  });
  const { startedAt, indexVersion, offset, fingerprint } = call;
  const { outline, notes } = call.result;
  // Items become JSON page by page: a repository map holds every definition.
  const toJson = (item: (typeof outline.items)[number]) => ({ ...definitionJson(item.entity), depth: item.depth, score: Math.round(item.score * 1e4) / 1e4 });
  const timeMs = elapsedMs(startedAt);
  return fitPage(outline.items, { offset, limit: args.limit, budgetTokens: args.max_tokens ?? defaultBudgetTokens, fingerprint, indexVersion }, (page, meta) => {
    const structured: OutlineToolResult = { path: outline.scope, shape: outline.shape, ranking: outline.ranking, results: page.map(toJson), ...meta, time_ms: timeMs, warnings: notes, freshness: service.freshness() };
    return { content: [{ type: "text", text: renderOutlineText(structured) }], structuredContent: structured };
  });
}

/**
 * The text form: a header, then for a file each definition indented by depth
 * (`start-end  signature  — summary`); for a map the definitions grouped under their file, files
 * in the order of their first (most important) definition.
 */
export function renderOutlineText(result: OutlineToolResult): string {
  const where = result.path === "" ? "the repository" : result.path;
  const lines = [
    `${result.shape === "file" ? "outline of" : `map of (${result.ranking === "pagerank" ? "most referenced first" : "public module-level definitions first"})`} ${where}: items ${result.count === 0 ? 0 : result.offset + 1}–${result.offset + result.count} of ${result.total}${result.has_more ? `; more with cursor=${result.next_cursor}` : ""}`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ];
  const line = (item: OutlineToolResult["results"][number], indent: string) => `${indent}${item.start_line}-${item.end_line}  ${item.signature}${item.summary ? `  — ${item.summary}` : ""}`;
  if (result.shape === "file") {
    for (const item of result.results) lines.push(line(item, "  ".repeat(item.depth)));
    return lines.join("\n");
  }
  const byFile = new Map<string, OutlineToolResult["results"]>();
  for (const item of result.results) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item]);
  for (const [file, items] of byFile) {
    lines.push(file);
    for (const item of items.sort((a, b) => a.start_line - b.start_line)) lines.push(line({ ...item, signature: item.depth > 0 ? `${item.qualname}: ${item.signature}` : item.signature }, "  "));
  }
  return lines.join("\n");
}
