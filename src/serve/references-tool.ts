import { z } from "zod";
import { REFERENCE_KINDS } from "../model/references.js";
import { attachSnippets, findReferences, locateEntities } from "../pipeline/index.js";
import { DEFAULT_ANSWER_TOKENS } from "./answer-budget.js";
import type { StructureService } from "./structure-answer.js";
import { type StructureAnswer, definitionJsonSchema, definitionJson, elapsedMs, filterInput, fitPage, pageFields, runStructureCall, pagingInput } from "./structure-answer.js";
import { structureWarnings } from "./structure-warnings.js";

/** Arguments of the `references` tool. */
export const referencesToolInput = {
  target: z.string().trim().min(1).describe("The definition: a name (`mail_admins`, `Cart.total`, `pkg.mod.func`), `file:line`, or an id from another tool."),
  direction: z
    .enum(["references", "callers", "callees"])
    .default("references")
    .describe("references: every place naming it (calls, imports, subclassing, instantiation, decorators, other uses); callers: only the call sites; callees: what it calls (one hop)."),
  include_name_matches: z.boolean().default(true).describe("Also list same-name sites that could not be resolved (e.g. `obj.total()` on a variable), labelled confidence=name-match."),
  ...filterInput,
  ...pagingInput(50, 200),
};

type ReferencesToolArgs = z.infer<z.ZodObject<typeof referencesToolInput>>;

const siteSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  kind: z.enum([...REFERENCE_KINDS, "instantiate"]),
  /** `resolved` through scopes and imports; `name-match`: only the name agrees (lower confidence). */
  confidence: z.enum(["resolved", "name-match"]),
  /** The definition containing the site (the caller), or null at module level. */
  enclosing: z.object({ id: z.string(), qualname: z.string(), kind: z.string() }).nullable(),
  /** The definition referred to (the callee for direction callees). */
  target: z.object({ id: z.string(), qualname: z.string() }),
  /** The site's line as on disk now. */
  snippet: z.string().optional(),
});

/** `structuredContent` of the `references` tool. */
export const referencesToolOutput = z.object({
  direction: z.enum(["references", "callers", "callees"]),
  /** The definitions the target names (several when a bare name is defined in several places). */
  targets: z.array(definitionJsonSchema),
  results: z.array(siteSchema),
  /** Sites resolved through scopes and imports, in the whole list. */
  resolved: z.number().int(),
  ...pageFields,
});

/** The `references` tool's structured answer. */
export type ReferencesToolResult = z.infer<typeof referencesToolOutput>;

/**
 * Runs one `references` call (see findReferences): resolved sites first, then same-name
 * candidates, each with its enclosing definition and its line as on disk now; paged and cut at
 * the size budget.
 * @throws UsageError when the target names nothing or for a cursor of another call; IndexNotFoundError; StoreError.
 */
export async function runReferencesTool(service: StructureService, args: ReferencesToolArgs, defaultBudgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<StructureAnswer<ReferencesToolResult>> {
  const call = await runStructureCall(service, args, ["references", args.target, args.direction, args.include_name_matches], (structure, filters) => {
    const indexes = locateEntities(structure, args.target);
    return {
      targets: indexes.map((index) => structure.entities[index]!),
      hits: findReferences(structure, indexes, { direction: args.direction, nameMatches: args.include_name_matches, filters }),
      notes: structureWarnings(structure, true),
    };
  });
  const { session, startedAt, indexVersion, offset, fingerprint } = call;
  const { targets, hits, notes } = call.result;
  const budgetTokens = args.max_tokens ?? defaultBudgetTokens;
  // Snippets are read from disk for the page only; the page is at most `limit` items.
  const pageHits = await attachSnippets(session.repoRoot, hits.slice(offset, offset + args.limit));
  const results = [...hits.slice(0, offset), ...pageHits, ...hits.slice(offset + args.limit)].map((hit) => ({
    file: hit.path,
    line: hit.line,
    column: hit.column,
    kind: hit.kind,
    confidence: hit.confidence,
    enclosing: hit.enclosing ? { id: hit.enclosing.id, qualname: hit.enclosing.qualifiedName, kind: hit.enclosing.kind } : null,
    target: { id: hit.target.id, qualname: hit.target.qualifiedName },
    ...(hit.snippet !== undefined ? { snippet: hit.snippet } : {}),
  }));
  const resolved = hits.filter((hit) => hit.confidence === "resolved").length;
  const timeMs = elapsedMs(startedAt);
  return fitPage(results, { offset, limit: args.limit, budgetTokens, fingerprint, indexVersion }, (page, meta) => {
    const structured: ReferencesToolResult = {
      direction: args.direction,
      targets: targets.map(definitionJson),
      results: page,
      resolved,
      ...meta,
      time_ms: timeMs,
      warnings: notes,
      freshness: service.freshness(),
    };
    return { content: [{ type: "text", text: renderReferencesText(structured) }], structuredContent: structured };
  });
}

/** The text form: a header naming the targets, then one line per site (`file:line:column  kind  [name-match]  in enclosing  | snippet`). */
export function renderReferencesText(result: ReferencesToolResult): string {
  const names = result.targets.map((t) => `${t.qualname} (${t.file}:${t.start_line})`).join(", ");
  const what = result.direction === "callees" ? "calls made by" : result.direction === "callers" ? "callers of" : "references to";
  const lines = [
    `${what} ${names}: ${result.count === 0 ? "none" : `${result.offset + 1}–${result.offset + result.count} of ${result.total}`} (${result.resolved} resolved)${result.has_more ? `; more with cursor=${result.next_cursor}` : ""}`,
    ...result.warnings.map((w) => `warning: ${w}`),
  ];
  for (const site of result.results) {
    const where = site.enclosing ? site.enclosing.qualname : "<module>";
    const callee = result.direction === "callees" ? `  → ${site.target.qualname}` : "";
    lines.push(`${site.file}:${site.line}:${site.column}  ${site.kind}${site.confidence === "name-match" ? " [name-match]" : ""}  in ${where}${callee}${site.snippet !== undefined ? `  | ${site.snippet}` : ""}`);
  }
  return lines.join("\n");
}
