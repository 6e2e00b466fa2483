import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { CodesearchError, describeError } from "../model/errors.js";
import type { IndexEvent } from "../model/events.js";
import type { IndexSummary } from "../model/types.js";
import { entitiesDone, escapeControlChars, formatSummaryLines, formatWatchState, initialProgressState, plural, reduceProgress, terminalText } from "../report/index.js";
import { DEFAULT_ANSWER_TOKENS, cutText } from "./answer-budget.js";
import type { IndexService } from "./index-service.js";
import { readToolInput, readToolOutput, runReadTool } from "./read-tool.js";
import { runSearchTool, searchToolInput, searchToolOutput } from "./search-tool.js";
import { STRUCTURE_INSTRUCTIONS, registerStructureTools } from "./structure-tools.js";

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** Server version reported to clients. */
  version: string;
  /** Default size budget of each answer in estimated tokens (see answer-budget.ts). */
  answerTokens?: number;
  /** Where diagnostics go (never stdout, which carries the protocol). */
  log: (line: string) => void;
  /** Called as each tool call ends, whatever its outcome (the idle collector's activity signal). */
  onToolCall?: () => void;
}

/** Least time between two progress notifications of one reindex call, in ms. */
const PROGRESS_INTERVAL_MS = 250;

const INSTRUCTIONS =
  "codesearch finds functions, methods, classes and other definitions in this repository by meaning and by words. " +
  "Use `search` first (plain words or identifiers), then `read` with a hit's id to see its full source. " +
  "Answers are kept under a size budget: when `has_more` is true, pass `next_cursor` as `cursor` for more hits. " +
  "`status` tells how current the index is; `reindex` brings it up to date with the files on disk. " +
  STRUCTURE_INSTRUCTIONS;

/**
 * Builds the MCP server with the tools `search`, `read`, `status` and `reindex` over `service`, and
 * the structural tools `symbols`, `outline`, `references` and `related` (structure-tools.ts).
 * Tool failures (bad arguments, no index, a locked index, a model that cannot load) come back as
 * results with `isError: true` and a one-line reason; the server keeps running.
 */
export function createMcpServer(service: IndexService, options: McpServerOptions): McpServer {
  const budget = options.answerTokens ?? DEFAULT_ANSWER_TOKENS;
  const server = new McpServer({ name: "codesearch", version: options.version }, { instructions: INSTRUCTIONS });
  const guarded = <A>(tool: string, handler: (args: A, extra: ToolExtra) => Promise<CallToolResult>) => {
    return async (args: A, extra: ToolExtra): Promise<CallToolResult> => {
      try {
        return await handler(args, extra);
      } catch (error) {
        return toolError(tool, error, options.log);
      } finally {
        options.onToolCall?.();
      }
    };
  };

  server.registerTool(
    "search",
    {
      title: "Search code",
      description:
        "Find functions, methods, classes and other definitions in the indexed repository that match a description or an identifier. " +
        "Returns hits best first with file, line range, qualified name, kind, score and the code around the best-matching line. " +
        "Page with cursor; each hit has an id for the read tool.",
      inputSchema: searchToolInput,
      outputSchema: searchToolOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded("search", async (args) => runSearchTool(service, args, budget)),
  );

  server.registerTool(
    "read",
    {
      title: "Read a definition",
      description:
        "Show the current source of a function, method or class with line numbers: by a search hit's id, or by file and line " +
        "(the innermost definition containing the line). Long definitions are cut at max_lines.",
      inputSchema: readToolInput,
      outputSchema: readToolOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded("read", async (args) => runReadTool(service, args, budget)),
  );

  registerStructureTools(server, service, budget, guarded);

  server.registerTool(
    "status",
    {
      title: "Index status",
      description:
        "How complete and current the index is: files and entities indexed, files changed on disk since, failures, the model, the last run, " +
        "whether a refresh is running and whether a watcher follows edits (`watcher`). Same facts as `codesearch status --json`, plus the server's freshness.",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded("status", async () => {
      const status = await service.readStatus();
      const session = await service.session().catch(() => null);
      const memory = process.memoryUsage();
      const structured = {
        ...status,
        server: {
          freshness: service.freshness(),
          reindexing: service.reindexing,
          modelLoaded: session?.modelLoaded ?? false,
          // Entities held in memory for searching (null until the first search, and for a table with a vector index).
          residentEntities: session?.residentEntityCount ?? null,
          // Where the server's memory is (bytes): the JavaScript heap, and what native code (LanceDB, the model runtime) holds besides.
          memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, externalBytes: memory.external, arrayBuffersBytes: memory.arrayBuffers },
        },
      };
      const staleFiles = status.stale.filesAdded + status.stale.filesChanged + status.stale.filesRemoved;
      const text = [
        `${status.entitiesIndexed} entities in ${status.filesIndexed} files, model ${status.modelId}; ${status.lastRun ? `last run ${status.lastRun.finishedAt}` : "no run finished yet (partial: the first run stored nothing)"}`,
        staleFiles === 0 ? "no file changed on disk since the last run" : `${plural(staleFiles, "file")} changed on disk since the last run (${status.stale.examples.slice(0, 5).map(escapeControlChars).join(", ")}); reindex to refresh`,
        status.failed.files === 0 ? "no failures" : `${plural(status.failed.files, "file")} with problems`,
        `freshness: ${structured.server.freshness.state}${structured.server.freshness.message ? ` — ${escapeControlChars(structured.server.freshness.message)}` : ""}`,
        ...(status.watcher ? [`watcher: process ${status.watcher.pid} follows edits — ${formatWatchState(status.watcher.state)} (as of ${status.watcher.updatedAt})`] : []),
      ].join("\n");
      return { content: [{ type: "text", text: terminalText(text) }], structuredContent: structured };
    }),
  );

  server.registerTool(
    "reindex",
    {
      title: "Update the index",
      description:
        "Bring the index up to date with the files on disk now (an incremental run: only new and changed files are read and embedded). " +
        "Sends progress notifications when the call carries a progress token; returns the run's summary. Searches keep working meanwhile.",
      inputSchema: {},
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guarded("reindex", async (_args, extra) => {
      const progressToken = extra._meta?.progressToken;
      let state = initialProgressState();
      let sentAtMs = 0;
      let sent = -1;
      const sink = (event: IndexEvent): void => {
        state = reduceProgress(state, event);
        if (progressToken === undefined) return;
        const done = entitiesDone(state);
        const now = Date.now();
        // Progress must grow with each notification (MCP spec); the last one goes out unthrottled.
        if (done <= sent || (event.type !== "index-finished" && now - sentAtMs < PROGRESS_INTERVAL_MS)) return;
        sent = done;
        sentAtMs = now;
        const total = state.entitiesTotal > 0 ? state.entitiesTotal : undefined;
        void extra
          .sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: done, ...(total !== undefined ? { total } : {}), message: `${state.phase}: ${done}${total !== undefined ? ` of ${total}` : ""} entities` },
          })
          .catch((error: unknown) => options.log(`codesearch mcp: progress notification failed: ${describeError(error)}`));
      };
      const summary = await service.reindex(sink);
      const structured = summaryJson(summary);
      return { content: [{ type: "text", text: terminalText(formatSummaryLines(summary).join("\n")) }], structuredContent: structured };
    }),
  );

  return server;
}

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Longest error text a tool answers with, in characters (a message may quote the client's arguments); well under MIN_ANSWER_TOKENS. */
const MAX_ERROR_CHARS = 1_000;

/**
 * A tool error result: the error's own message for codesearch errors, "internal error" plus a log
 * line for anything else; one line, its control characters escaped (a message may quote a path),
 * cut to {@link MAX_ERROR_CHARS}.
 */
function toolError(tool: string, error: unknown, log: (line: string) => void): CallToolResult {
  if (error instanceof CodesearchError) {
    return { isError: true, content: [{ type: "text", text: cutText(`${tool} failed (${error.code}): ${escapeControlChars(error.message)}`, MAX_ERROR_CHARS) }] };
  }
  log(`codesearch mcp: ${tool}: internal error: ${terminalText(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
  return { isError: true, content: [{ type: "text", text: cutText(`${tool} failed: internal error: ${escapeControlChars(describeError(error))}`, MAX_ERROR_CHARS) }] };
}

/** The summary as JSON: failures without their `cause` (an Error object does not serialise). */
function summaryJson(summary: IndexSummary): Record<string, unknown> {
  return { ...summary, failures: summary.failures.map(({ cause: _cause, ...failure }) => failure) };
}

