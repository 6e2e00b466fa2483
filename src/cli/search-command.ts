import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { defaultModelCacheDir, offlineFromEnv } from "../embed/index.js";
import { ExitCode, UsageError, describeError, type ExitCodeValue } from "../model/errors.js";
import { openSearchSession } from "../pipeline/index.js";
import { formatSearchHits, toSearchHitJson } from "./search-output.js";
import { shouldColor } from "./terminal.js";

/** Parsed options of `codesearch search`. */
export interface SearchCommandOptions {
  repo?: string;
  db?: string;
  limit: number;
  json?: boolean;
  queries?: string;
  offline?: boolean;
  preview: number;
}

const queryLineSchema = z.object({
  query: z.string().min(1),
  id: z.union([z.string(), z.number()]).optional(),
});

/** One line of a `--queries` file. */
export type QueryLine = z.infer<typeof queryLineSchema>;

/**
 * Parses a JSON-lines query file: one object per non-blank line with a non-empty `query` and an
 * optional `id` (string or number); other fields are ignored.
 * @throws UsageError naming the first bad line (1-based).
 */
export function parseQueryLines(text: string, fileName: string): QueryLine[] {
  const queries: QueryLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${fileName}:${i + 1}: not valid JSON (${describeError(error)})`);
    }
    const parsed = queryLineSchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${fileName}:${i + 1}: expected {"query": "...", "id"?: ...}`);
    queries.push(parsed.data);
  }
  return queries;
}

/**
 * Runs `codesearch search`: one query from the command line, or every line of `--queries`
 * (model loaded once). Results go to stdout. Returns exit code 0.
 * @throws UsageError, IndexNotFoundError, IndexMismatchError, ModelLoadError, StoreError.
 */
export async function runSearchCommand(query: string | undefined, options: SearchCommandOptions): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  let batch: QueryLine[] | null = null;
  if (options.queries !== undefined) {
    if (query !== undefined) throw new UsageError("give either a query or --queries <file>, not both");
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, options.queries), "utf8");
    } catch (error) {
      throw new UsageError(`cannot read queries file ${options.queries}: ${describeError(error)}`, { cause: error });
    }
    batch = parseQueryLines(text, options.queries);
  } else if (query === undefined || query.trim() === "") {
    throw new UsageError("missing query: codesearch search \"<question>\"");
  }

  const session = await openSearchSession({
    cwd,
    modelCacheDir: defaultModelCacheDir(),
    offline: options.offline || offlineFromEnv(),
    ...(options.repo !== undefined ? { repoRoot: options.repo } : {}),
    ...(options.db !== undefined ? { indexDir: options.db } : {}),
    ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
  });
  try {
    if (batch) {
      for (const item of batch) {
        const hits = await session.search(item.query, options.limit);
        process.stdout.write(`${JSON.stringify({ id: item.id ?? null, query: item.query, results: hits.map(toSearchHitJson) })}\n`);
      }
      return ExitCode.Success;
    }
    const hits = await session.search(query!, options.limit);
    const warnings = await session.warnings(hits);
    for (const warning of warnings) process.stderr.write(`codesearch: warning: ${warning}\n`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ query, results: hits.map(toSearchHitJson), warnings })}\n`);
    } else if (hits.length === 0) {
      process.stderr.write("no results: the index is empty\n");
    } else {
      const lines = formatSearchHits(hits, { color: shouldColor(process.stdout), previewLines: options.preview });
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return ExitCode.Success;
  } finally {
    await session.close();
  }
}
