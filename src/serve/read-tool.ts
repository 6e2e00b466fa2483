import path from "node:path";
import { z } from "zod";
import { UsageError } from "../model/errors.js";
import type { Chunk } from "../model/types.js";
import { escapeControlChars } from "../report/index.js";
import { CHARS_PER_TOKEN, DEFAULT_ANSWER_TOKENS, cutText, estimateTokens } from "./answer-budget.js";
import type { IndexService } from "./index-service.js";
import { readIndexedFile } from "./indexed-source.js";

/** Lines shown by default, and at most, by one `read` call. */
export const DEFAULT_READ_LINES = 200;
export const MAX_READ_LINES = 1_000;
/** Lines either side of a line that no indexed entity contains. */
const LINES_AROUND = 20;
/** Longest `file` accepted, in characters: Linux's PATH_MAX. */
export const MAX_READ_FILE_CHARS = 4_096;
/** Longest `id` accepted, in characters: a path of {@link MAX_READ_FILE_CHARS} and a long qualified name. */
export const MAX_READ_ID_CHARS = 8_192;
/** Largest `line` accepted (a file within read's 1 MiB limit has fewer lines). */
export const MAX_READ_LINE = 10_000_000;

/** Arguments of the `read` tool (published as its input schema; docs/mcp-limits.md lists the limits). */
export const readToolInput = {
  id: z
    .string()
    .min(1)
    .max(MAX_READ_ID_CHARS, `id is over ${MAX_READ_ID_CHARS} characters: pass a search hit's id unchanged`)
    .optional()
    .describe("A hit's id from search (`path:start_line:qualname`)."),
  file: z
    .string()
    .min(1)
    .max(MAX_READ_FILE_CHARS, `file is over ${MAX_READ_FILE_CHARS} characters`)
    .optional()
    .describe("Repository-relative path of an indexed file, e.g. `pkg/models.py` (instead of id); with line, the definition containing that line is shown."),
  line: z
    .number()
    .int()
    .min(1)
    .max(MAX_READ_LINE)
    .optional()
    .describe("1-based line in file; the innermost function, method or class containing it is shown, or the lines around it."),
  max_lines: z.number().int().min(1).max(MAX_READ_LINES).default(DEFAULT_READ_LINES).describe(`Most lines returned (default ${DEFAULT_READ_LINES}, at most ${MAX_READ_LINES}).`),
};

type ReadToolArgs = z.infer<z.ZodObject<typeof readToolInput>>;

/** `structuredContent` of the `read` tool. */
export const readToolOutput = {
  file: z.string(),
  start_line: z.number().int(),
  end_line: z.number().int(),
  /** The definition shown, or null when the lines around `line` are shown instead. */
  entity: z.object({ id: z.string(), qualname: z.string(), kind: z.string(), start_line: z.number().int(), end_line: z.number().int() }).nullable(),
  /** Numbered source lines as on disk now: `<line>  <code>` per line, control characters in the code shown as escapes (`\x1b`; tabs kept). */
  text: z.string(),
  /** True when `max_lines` or the size budget cut the definition short (a single line too long for the budget ends in "…"). */
  truncated: z.boolean(),
  warnings: z.array(z.string()),
};

/** What one `read` call returns (an MCP CallToolResult). */
export interface ReadToolAnswer {
  [key: string]: unknown;
  content: { type: "text"; text: string }[];
  structuredContent: z.infer<z.ZodObject<typeof readToolOutput>>;
}

/**
 * Shows an indexed definition's current source with line numbers: by `id`, or the innermost
 * definition containing `file:line` (the whole file's first lines for `file` alone; the lines
 * around `line` when no definition contains it). Reads only files the index holds, as
 * {@link readIndexedFile} checks; cut at `max_lines` and at the answer budget.
 * @throws UsageError for missing or conflicting arguments, a file read refuses (outside the
 *   repository, not indexed, a link, not regular, too large), an id the index does not hold, or an
 *   unreadable file; IndexNotFoundError; StoreError.
 */
export async function runReadTool(service: IndexService, args: ReadToolArgs, budgetTokens: number = DEFAULT_ANSWER_TOKENS): Promise<ReadToolAnswer> {
  if ((args.id === undefined) === (args.file === undefined)) throw new UsageError("give either id (from a search hit) or file (with an optional line), not both and not neither");
  const session = await service.session();
  const file = args.id !== undefined ? fileOfId(args.id) : normaliseFile(args.file!);
  const source = await readIndexedFile(session, file);
  const entities = await session.entitiesOfFile(file);
  let entity: Chunk | null = null;
  if (args.id !== undefined) {
    entity = entities.find((e) => e.id === args.id) ?? null;
    if (!entity) throw new UsageError("the index holds no entity with this id; search again (the file may have been re-indexed)");
  } else if (args.line !== undefined) {
    const line = args.line;
    const containing = entities.filter((e) => (e.decoratorLine ?? e.startLine) <= line && line <= e.endLine);
    entity = containing.sort((a, b) => a.endLine - a.startLine - (b.endLine - b.startLine))[0] ?? null;
  }

  const lines = source.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (!entity && args.line !== undefined && args.line > lines.length) throw new UsageError(`line ${args.line} is past the end of the file (${lines.length} lines)`);
  const first = entity ? (entity.decoratorLine ?? entity.startLine) : args.line !== undefined ? Math.max(1, args.line - LINES_AROUND) : 1;
  const wanted = entity ? entity.endLine : args.line !== undefined ? args.line + LINES_AROUND : lines.length;
  const last = Math.min(wanted, lines.length, first + args.max_lines - 1);
  const width = String(last).length;
  const numbered: string[] = [];
  for (let n = first; n <= last; n++) numbered.push(`${String(n).padStart(width)}  ${escapeControlChars(lines[n - 1]!.replace(/\s+$/, ""))}`);
  const warnings = await session.warnings(entity ? [{ chunk: entity, score: 0 }] : []);
  if (entity && entity.endLine > lines.length) warnings.push("the file is shorter than when it was indexed: run reindex");

  const answerFor = (shown: string[], truncated: boolean): ReadToolAnswer => {
    const shownEnd = first + shown.length - 1;
    const structured: ReadToolAnswer["structuredContent"] = {
      file,
      start_line: first,
      end_line: shownEnd,
      entity: entity ? { id: entity.id, qualname: entity.qualifiedName, kind: entity.kind, start_line: entity.startLine, end_line: entity.endLine } : null,
      text: shown.join("\n"),
      truncated,
      warnings,
    };
    const header = `${escapeControlChars(file)}:${first}-${shownEnd}${entity ? `  ${escapeControlChars(entity.qualifiedName)}  (${entity.kind})` : ""}${truncated ? "  [cut: raise max_lines or read from a later line]" : ""}`;
    return {
      content: [{ type: "text", text: [header, ...warnings.map((w) => `warning: ${escapeControlChars(w)}`), structured.text].join("\n") }],
      structuredContent: structured,
    };
  };
  return fitLines(numbered, last < wanted, answerFor, budgetTokens);
}

/**
 * The answer with the most of `numbered` (from the first line on) that fits `budgetTokens`,
 * measured as sent (its JSON ÷ CHARS_PER_TOKEN): all of them; else the longest run that fits; else
 * the first line cut to what the budget leaves (a long minified line).
 * @throws UsageError when not even the answer's fixed part (path, name, warnings) fits.
 */
function fitLines(numbered: string[], cutByLines: boolean, answerFor: (shown: string[], truncated: boolean) => ReadToolAnswer, budgetTokens: number): ReadToolAnswer {
  const fits = (answer: ReadToolAnswer) => estimateTokens(JSON.stringify(answer)) <= budgetTokens;
  const whole = answerFor(numbered, cutByLines);
  if (fits(whole)) return whole;
  // Fitting is monotone in the number of lines: find the most that fit.
  let low = 0;
  let high = numbered.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(answerFor(numbered.slice(0, middle), true))) low = middle;
    else high = middle - 1;
  }
  if (low > 0) return answerFor(numbered.slice(0, low), true);
  const bare = answerFor([], true);
  if (!fits(bare)) throw new UsageError(`the file's path, definition name and warnings alone pass the answer budget of ${budgetTokens} tokens`);
  // The line appears twice (text and structured content), and JSON escaping may double it.
  const spareChars = Math.floor(((budgetTokens - estimateTokens(JSON.stringify(bare))) * CHARS_PER_TOKEN) / 4);
  const cut = answerFor([cutText(numbered[0] ?? "", spareChars)], true);
  return fits(cut) ? cut : bare;
}

/** The path part of an entity id `path:start_line:qualname` (a path may itself hold colons). */
function fileOfId(id: string): string {
  const match = /^(.*):\d+:[^:]+$/s.exec(id);
  if (!match?.[1]) throw new UsageError("id is not an entity id; ids look like pkg/mod.py:12:Class.method");
  return match[1];
}

function normaliseFile(file: string): string {
  return path.posix.normalize(file.replaceAll("\\", "/")).replace(/^\.\//, "");
}
