import path from "node:path";
import { z } from "zod";
import { defaultModelCacheDir, offlineFromEnv } from "../embed/model-source.js";
import { ExitCode, UsageError, type ExitCodeValue } from "../model/errors.js";
import { type SearchResultJson, toSearchHitJson } from "../model/search-result.js";
import type { RankedHit } from "../model/search.js";
import { readRankerFile } from "../pipeline/load-ranker.js";
import { openSearchSession, type SearchSession } from "../pipeline/search-repo.js";
import { type EmbedderCliOptions, remoteTuningFromOptions } from "./embedder-options.js";
import { readJsonLines } from "./json-lines.js";
import { type OutputPipes, watchOutputPipes } from "./output-pipes.js";
import { type RankingCliOptions, toSearchRequest } from "./ranking-options.js";
import { searchHints } from "./search-hints.js";
import { displayPath, formatSearchHits, formatVimgrepLines } from "./search-output.js";
import { shouldColor, writeHuman } from "./terminal.js";

/** Parsed options of `codesearch search`. */
export interface SearchCommandOptions extends RankingCliOptions {
  repo?: string;
  db?: string;
  limit: number;
  json?: boolean;
  queries?: string;
  offline?: boolean;
  preview: number;
  /** Lines of code shown before and after each hit's match line, instead of the preview. */
  context?: number;
  /** One `file:line:column:text` line per hit (see `formatVimgrepLines`). */
  vimgrep?: boolean;
  requestTimeout?: EmbedderCliOptions["requestTimeout"];
  retries?: EmbedderCliOptions["retries"];
}

const queryLineSchema = z.object({
  query: z.string().min(1),
  id: z.union([z.string(), z.number()]).optional(),
});

const QUERY_LINE_SHAPE = '{"query": "...", "id"?: ...}';

/** One line of a `--queries` file: a non-empty `query` and an optional `id`; other fields are ignored. */
export type QueryLine = z.infer<typeof queryLineSchema>;

/**
 * Runs `codesearch search`: one query from the command line, or every line of `--queries`
 * (model loaded once). Results go to stdout; once stdout loses its reader, no further query runs.
 * Returns exit code 0 (the caller makes it 141 when a pipe closed).
 * @throws UsageError, IndexNotFoundError, IndexMismatchError, ModelLoadError, StoreError.
 */
export async function runSearchCommand(query: string | undefined, options: SearchCommandOptions, pipes: OutputPipes = watchOutputPipes()): Promise<ExitCodeValue> {
  const cwd = process.cwd();
  let batch: QueryLine[] | null = null;
  if (options.queries !== undefined) {
    if (query !== undefined) throw new UsageError("give either a query or --queries <file>, not both");
    batch = await readJsonLines(cwd, options.queries, queryLineSchema, QUERY_LINE_SHAPE);
  } else if (query === undefined || query.trim() === "") {
    throw new UsageError("missing query: codesearch search \"<question>\"");
  }

  if (options.vimgrep && (options.json || batch)) throw new UsageError("--vimgrep prints lines for one query; it does not go with --json or --queries");
  toSearchRequest(options, options.limit); // usage errors before the index is opened
  const session = await openCliSearchSession(cwd, options);
  const { repoRoot } = session;
  const request = toSearchRequest(options, options.limit, { cwd, repoRoot });
  const toJson = (hit: RankedHit) => toSearchHitJson(hit, { repoRoot });
  const showPath = (file: string) => displayPath(file, repoRoot, cwd);
  try {
    if (batch) {
      for (const item of batch) {
        if (pipes.closed("stdout")) break;
        const hits = await session.search(item.query, request);
        process.stdout.write(`${JSON.stringify({ id: item.id ?? null, query: item.query, mode: request.mode, results: hits.map(toJson) })}\n`);
      }
      return ExitCode.Success;
    }
    const hits = await session.search(query!, request);
    const warnings = await session.warnings(hits);
    for (const warning of warnings) writeHuman(process.stderr, `codesearch: warning: ${warning}`);
    const pathGlobs = request.filters.paths ?? [];
    const hints = searchHints({ query: query!, mode: request.mode, hits, pathGlobs, indexedPaths: pathGlobs.length > 0 ? await session.indexedPaths() : [] });
    for (const hint of hints) writeHuman(process.stderr, `codesearch: hint: ${hint}`);
    if (options.json) {
      const result: SearchResultJson = { query: query!, mode: request.mode, results: hits.map(toJson), warnings };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (hits.length === 0) {
      process.stderr.write("no results: nothing in the index matches the query and filters\n");
    } else if (options.vimgrep) {
      process.stdout.write(`${formatVimgrepLines(hits, showPath).join("\n")}\n`);
    } else {
      const lines = formatSearchHits(hits, {
        color: shouldColor(process.stdout),
        showPath,
        previewLines: options.preview,
        ...(options.context !== undefined ? { contextLines: options.context } : {}),
      });
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    return ExitCode.Success;
  } finally {
    await session.close();
  }
}

/**
 * Opens the search session the command line asks for: `--repo` / `--db` / the nearest index from
 * `cwd`, `--offline` or the environment's offline switch, `HF_ENDPOINT`, and for an index built
 * with a remote model `--request-timeout` / `--retries`; `--ranker <file>` (read relative to
 * `cwd`); `residentEntities` for a long-lived session (the MCP server, see `SearchSessionOptions`).
 * @throws UsageError for an unreadable `--ranker` file; IndexNotFoundError, IndexMismatchError, ModelLoadError, StoreError.
 */
export function openCliSearchSession(
  cwd: string,
  options: { repo?: string; db?: string; offline?: boolean; residentEntities?: boolean; ranker?: string } & Pick<EmbedderCliOptions, "requestTimeout" | "retries">,
): Promise<SearchSession> {
  const remote = remoteTuningFromOptions(options);
  const ranker = options.ranker !== undefined ? readRankerFile(path.resolve(cwd, options.ranker)) : undefined;
  return openSearchSession({
    cwd,
    modelCacheDir: defaultModelCacheDir(),
    offline: options.offline || offlineFromEnv(),
    ...(options.repo !== undefined ? { repoRoot: options.repo } : {}),
    ...(options.db !== undefined ? { indexDir: options.db } : {}),
    ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
    ...(remote ? { remote } : {}),
    ...(options.residentEntities ? { residentEntities: true } : {}),
    ...(ranker ? { ranker } : {}),
  });
}
