import { z } from "zod";
import { DEFINITION_MATCHES, findDefinitions } from "../pipeline/index.js";
import { DEFAULT_ANSWER_TOKENS } from "./answer-budget.js";
import type { StructureService } from "./structure-answer.js";
import { type StructureAnswer, definitionJsonSchema, definitionJson, elapsedMs, filterInput, fitPage, pageFields, runStructureCall, pagingInput } from "./structure-answer.js";
import { structureWarnings } from "./structure-warnings.js";

/** Arguments of the `symbols` tool. */
export const symbolsToolInput = {
  query: z.string().trim().min(1).describe("A name (`mail_admins`), a qualified name (`Cart.total`, `pkg.module.func`), a glob (`test_*`, `*Error`, `pkg.*.parse`) or part of a name (fuzzy: `mladm`)."),
  ...filterInput,
  ...pagingInput(20, 100),
};

type SymbolsToolArgs = z.infer<z.ZodObject<typeof symbolsToolInput>>;

/** `structuredContent` of the `symbols` tool. */
export const symbolsToolOutput = z.object({
  query: z.string(),
  results: z.array(definitionJsonSchema.extend({ match: z.enum(DEFINITION_MATCHES) })),
  ...pageFields,
});

/** The `symbols` tool's structured answer. */
export type SymbolsToolResult = z.infer<typeof symbolsToolOutput>;

/**
 * Runs one `symbols` call: the definitions the query names, best match first (exact > qualified >
 * prefix > glob > fuzzy; see findDefinitions), paged within the size budget.
 * @throws UsageError for a cursor of another call; IndexNotFoundError; StoreError.
 */
export async function runSymbolsTool(service: StructureService, args: SymbolsToolArgs, defaultBudgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<StructureAnswer<SymbolsToolResult>> {
  const call = await runStructureCall(service, args, ["symbols", args.query], (structure, filters) => ({ hits: findDefinitions(structure, args.query, filters), notes: structureWarnings(structure, false) }));
  const { startedAt, indexVersion, offset, fingerprint } = call;
  const { hits, notes } = call.result;
  const timeMs = elapsedMs(startedAt);
  return fitPage(hits, { offset, limit: args.limit, budgetTokens: args.max_tokens ?? defaultBudgetTokens, fingerprint, indexVersion }, (page, meta) => {
    const structured: SymbolsToolResult = { query: args.query, results: page.map((hit) => ({ ...definitionJson(hit.entity), match: hit.match })), ...meta, time_ms: timeMs, warnings: notes, freshness: service.freshness() };
    return { content: [{ type: "text", text: renderSymbolsText(structured) }], structuredContent: structured };
  });
}

/** The text form: a header line, then one line per definition (`file:start-end  qualname  (kind, match)  signature`). */
export function renderSymbolsText(result: SymbolsToolResult): string {
  const lines = [
    result.count === 0
      ? `no definition matches ${JSON.stringify(result.query)}`
      : `definitions ${result.offset + 1}–${result.offset + result.count} of ${result.total} for ${JSON.stringify(result.query)}${result.has_more ? `; more with cursor=${result.next_cursor}` : ""}`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ];
  for (const hit of result.results) {
    lines.push(`${hit.file}:${hit.start_line}-${hit.end_line}  ${hit.qualname}  (${hit.kind}, ${hit.match})  ${hit.signature}${hit.summary ? `  — ${hit.summary}` : ""}  id=${hit.id}`);
  }
  return lines.join("\n");
}
