import { z } from "zod";
import { findRelated, locateEntities } from "../pipeline/index.js";
import { DEFAULT_ANSWER_TOKENS } from "./answer-budget.js";
import type { StructureService } from "./structure-answer.js";
import { type StructureAnswer, definitionJsonSchema, definitionJson, elapsedMs, filterInput, fitPage, pageFields, runStructureCall, pagingInput } from "./structure-answer.js";

/** Most related definitions one call ranks (pages slice this list). */
export const MAX_RELATED = 50;

/** Arguments of the `related` tool. */
export const relatedToolInput = {
  target: z.string().trim().min(1).describe("The definition to start from: an id from another tool (`pkg/cart.py:12:Cart.total`), `file:line`, or a name (`Cart.total`)."),
  ...filterInput,
  ...pagingInput(10, MAX_RELATED),
};

type RelatedToolArgs = z.infer<z.ZodObject<typeof relatedToolInput>>;

/** `structuredContent` of the `related` tool. */
export const relatedToolOutput = z.object({
  target: definitionJsonSchema,
  results: z.array(
    definitionJsonSchema.extend({
      score: z.number(),
      /** Cosine similarity of the stored vectors, or null when only the other signals found it. */
      similarity: z.number().nullable(),
      /** Jaccard overlap of the names both reference. */
      shared_identifiers: z.number(),
      /** One calls or names the other. */
      linked: z.boolean(),
    }),
  ),
  ...pageFields,
});

/** The `related` tool's structured answer. */
export type RelatedToolResult = z.infer<typeof relatedToolOutput>;

/**
 * Runs one `related` call (see findRelated) for the first definition `target` names.
 * @throws UsageError when the target names nothing or for a cursor of another call; IndexNotFoundError; StoreError.
 */
export async function runRelatedTool(service: StructureService, args: RelatedToolArgs, defaultBudgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<StructureAnswer<RelatedToolResult>> {
  const call = await runStructureCall(service, args, ["related", args.target], async (structure, filters) => {
    const [first, ...rest] = locateEntities(structure, args.target);
    return { subject: structure.entities[first!]!, others: rest.length, hits: await findRelated(structure, first!, MAX_RELATED, filters) };
  });
  const { startedAt, indexVersion, offset, fingerprint } = call;
  const { subject, hits, others } = call.result;
  const notes = others > 0 ? [`${others + 1} definitions are named ${args.target}; showing ${subject.id} (pass an id to pick another)`] : [];
  const round = (value: number) => Math.round(value * 1e4) / 1e4;
  const results = hits.map((hit) => ({ ...definitionJson(hit.entity), score: round(hit.score), similarity: hit.similarity === null ? null : round(hit.similarity), shared_identifiers: round(hit.sharedIdentifiers), linked: hit.linked }));
  const timeMs = elapsedMs(startedAt);
  return fitPage(results, { offset, limit: args.limit, budgetTokens: args.max_tokens ?? defaultBudgetTokens, fingerprint, indexVersion }, (page, meta) => {
    const structured: RelatedToolResult = { target: definitionJson(subject), results: page, ...meta, time_ms: timeMs, warnings: notes, freshness: service.freshness() };
    return { content: [{ type: "text", text: renderRelatedText(structured) }], structuredContent: structured };
  });
}

/** The text form: a header naming the target, then one line per related definition with its score and why. */
export function renderRelatedText(result: RelatedToolResult): string {
  const lines = [
    `related to ${result.target.qualname} (${result.target.file}:${result.target.start_line}): ${result.count === 0 ? "none" : `${result.offset + 1}–${result.offset + result.count} of ${result.total}`}${result.has_more ? `; more with cursor=${result.next_cursor}` : ""}`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ];
  for (const hit of result.results) {
    const why = [hit.similarity !== null ? `similar ${hit.similarity.toFixed(2)}` : null, hit.shared_identifiers > 0 ? `shares ${Math.round(hit.shared_identifiers * 100)}% of names` : null, hit.linked ? "calls/called" : null].filter(Boolean).join(", ");
    lines.push(`${hit.file}:${hit.start_line}-${hit.end_line}  ${hit.qualname}  (${hit.kind})  ${hit.score.toFixed(3)}  [${why}]  id=${hit.id}`);
  }
  return lines.join("\n");
}
