/**
 * serve/ answers coding agents over MCP: a thin layer of tools (search, read, status, reindex) over
 * pipeline/'s search session and index run. It must not rank, index or print to stdout itself.
 */
export * from "./answer-budget.js";
export * from "./index-service.js";
export * from "./mcp-server.js";
export * from "./read-tool.js";
export * from "./search-tool.js";
export * from "./serve-stdio.js";
export * from "./server-memory.js";
export * from "./watch-freshness.js";
export * from "./structure-tools.js";
