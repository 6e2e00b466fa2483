import { terminalText } from "../report/index.js";
import { cutText } from "./answer-budget.js";
import { configureServerHeap, idleCollector } from "./server-memory.js";
import type { IndexService } from "./index-service.js";
import { createMcpServer, type McpServerOptions } from "./mcp-server.js";
import { LineStdioTransport } from "./stdio-transport.js";

/** Longest protocol-error log line, in characters (an error may quote a whole message). */
const MAX_LOG_CHARS = 2_000;

/**
 * Serves the MCP tools over this process's stdin/stdout until the client closes stdin (or the
 * transport fails), then stops a reindex in flight (it saves what it has) and closes the index.
 * stdout carries only protocol messages, one JSON-RPC message a line, each at most
 * `MAX_MESSAGE_BYTES` (see stdio-transport.ts: a longer one is answered with an error and the
 * session goes on); diagnostics go to `options.log`. The process is set up to
 * idle at a steady size (server-memory.ts): a small young generation, and one garbage collection
 * after each burst of tool calls once it has been quiet for a while.
 * @returns when the session has ended and everything is closed.
 */
export async function serveMcpOverStdio(service: IndexService, options: McpServerOptions & { signal?: AbortSignal }): Promise<void> {
  const collect = configureServerHeap();
  const collector = collect ? idleCollector(collect) : null;
  const server = createMcpServer(service, {
    ...options,
    onToolCall: () => {
      collector?.activity();
      options.onToolCall?.();
    },
  });
  const transport = new LineStdioTransport({ input: process.stdin, output: process.stdout });
  // Protocol and transport problems (a message over the size limit, a line that is not JSON-RPC) go to the log; the session goes on.
  server.server.onerror = (error) => options.log(`codesearch mcp: ${cutText(terminalText(error.message), MAX_LOG_CHARS)}`);
  const ended = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    // The transport does not watch for the end of input: a client that exits closes stdin.
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.connect(transport);
  options.log("codesearch mcp: serving on stdio");
  await ended;
  collector?.stop();
  await server.close().catch(() => undefined);
  await service.close();
}
