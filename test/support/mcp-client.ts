// An MCP client (the SDK's own) driving the built CLI's `codesearch mcp` over stdio, as an agent would.
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach } from "vitest";
import { PROJECT_ROOT } from "./temp-dirs.js";

const open: Client[] = [];

// Registered after temp-dirs.ts's hook, so (after-hooks run last-registered first) each server has
// exited before its repository is removed: a server still watching would write into a folder being deleted.
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

/** A connected client and the server process behind it. */
export interface McpSession {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

/**
 * Spawns `codesearch mcp <args>` in `cwd` (model cache inside `cwd`, `CI=1`) and connects the SDK's
 * Client to it; the client is closed (and the server has exited) when the test ends, before its temp folders are removed.
 */
export async function connectMcp(args: string[], options: { cwd: string }): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(PROJECT_ROOT, "bin", "codesearch.js"), "mcp", ...args],
    cwd: options.cwd,
    env: { ...(process.env as Record<string, string>), CI: "1", NO_COLOR: "1", CODESEARCH_MODEL_CACHE: path.join(options.cwd, ".model-cache") },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "codesearch-test", version: "0.0.0" });
  await client.connect(transport);
  open.push(client);
  return { client, transport, stderr: () => stderr };
}
