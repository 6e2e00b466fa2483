// Every MCP input has a limit answered with a clear isError, every answer keeps its size budget, and an oversized JSON-RPC message leaves the server serving.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

/** Estimated tokens of an answer as the server counts them: its JSON length ÷ 3. */
function estimatedTokens(answer: ToolAnswer): number {
  const { content, structuredContent, isError } = answer;
  return Math.ceil(JSON.stringify({ content, structuredContent, ...(isError ? { isError } : {}) }).length / 3);
}

/** A repository of a few functions, one file holding a 100,000-character line, indexed with the test model. */
async function indexedRepo(): Promise<string> {
  const repo = await makeTempDir();
  await writeFile(path.join(repo, "app.py"), "def handler(event):\n    return event\n\n\ndef cart_total(items):\n    return sum(items)\n");
  await writeFile(path.join(repo, "minified.py"), `BLOB = "${"a".repeat(100_000)}"\n\n\ndef after_blob():\n    return BLOB\n`);
  const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
  return repo;
}

const cursorWith = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify({ offset: 0, depth: 50, search: "s", indexVersion: "v", ...fields })).toString("base64url");

describe("MCP input limits and answer budget", () => {
  it("answers each oversized or malformed input with a usage error that names the limit, and keeps serving", { timeout: 120_000 }, async () => {
    const repo = await indexedRepo();
    const { client } = await connectMcp([], { cwd: repo });
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ["search", { query: "q".repeat(21_000) }, /over 2000 characters/],
      ["search", { query: "w ".repeat(300) }, /over 256 words/],
      ["search", { query: "handler", paths: ["!"] }, /only "!"/],
      ["search", { query: "handler", paths: Array.from({ length: 51 }, (_, i) => `d${i}/`) }, /over 50 globs/],
      ["search", { query: "handler", paths: ["x".repeat(501)] }, /over 500 characters/],
      ["search", { query: "handler", cursor: cursorWith({ offset: 1e300 }) }, /cursor is not one this server returned/],
      ["search", { query: "handler", cursor: cursorWith({ depth: 1e300 }) }, /cursor is not one this server returned/],
      ["search", { query: "handler", cursor: "c".repeat(1_001) }, /cursor is not one this server returned/],
      ["search", { query: "handler", max_tokens: 1e9 }, /max_tokens/],
      ["read", { file: "app.py", line: 1e300 }, /line/],
      ["read", { file: "app.py", line: 7 }, /line 7 is past the end of the file \(6 lines\)/],
      ["read", { file: "a".repeat(4_097) }, /over 4096 characters/],
      ["read", { id: `${"a".repeat(9_000)}:1:f` }, /over 8192 characters/],
      ["read", { file: "app.py", max_lines: 1_001 }, /max_lines/],
    ];
    for (const [tool, args, reason] of refused) {
      const answer = await call(tool, args);
      const text = answer.content[0]!.text;
      expect(answer.isError, `${tool} ${JSON.stringify(args).slice(0, 80)}: ${text}`).toBe(true);
      expect(text, JSON.stringify(args).slice(0, 80)).toMatch(reason);
      expect(text).not.toMatch(/internal error|Output validation/);
      expect(estimatedTokens(answer)).toBeLessThanOrEqual(8_000);
    }
    const after = await call("search", { query: "handler", mode: "lexical" });
    expect((after.structuredContent as SearchToolResult).results[0]!.qualname).toBe("handler");
  });

  it("keeps every answer within its budget: long and control-character queries with and without hits, a 100,000-character line", { timeout: 120_000 }, async () => {
    const repo = await indexedRepo();
    const { client } = await connectMcp(["--max-answer-tokens", "500"], { cwd: repo });
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    const controls = Array.from({ length: 2_000 }, (_, i) => String.fromCharCode(1 + (i % 8))).join("");
    const searches: Record<string, unknown>[] = [
      // No hits, and the echoed query alone (escaped twice over) is larger than the budget.
      { query: controls, mode: "lexical" },
      { query: `${controls.slice(0, 1_990)} handler`, mode: "lexical" },
      { query: `cart total handler ${"zq ".repeat(250)}`.slice(0, 2_000), mode: "lexical" },
      { query: "handler ".repeat(250), context_lines: 20 },
      { query: "\u202e".repeat(2_000), mode: "lexical", max_tokens: 500 },
    ];
    for (const args of searches) {
      const answer = await call("search", args);
      expect(answer.isError, answer.content[0]!.text).toBeFalsy();
      expect(estimatedTokens(answer), JSON.stringify(args).slice(0, 60)).toBeLessThanOrEqual(500);
      expect((answer.structuredContent as SearchToolResult).query.length).toBeLessThanOrEqual(200);
    }
    const withHit = (await call("search", { query: `${controls.slice(0, 1_990)} handler`, mode: "lexical" })).structuredContent as SearchToolResult;
    expect(withHit.results.map((h) => h.qualname)).toContain("handler");

    const blob = await call("read", { file: "minified.py", line: 1 });
    expect(blob.isError, blob.content[0]!.text).toBeFalsy();
    expect(estimatedTokens(blob)).toBeLessThanOrEqual(500);
    const shown = blob.structuredContent as { text: string; truncated: boolean; start_line: number; end_line: number };
    expect(shown).toMatchObject({ truncated: true, start_line: 1, end_line: 1 });
    expect(shown.text).toMatch(/^1 {2}BLOB = "a+…$/);
  });

  it("answers a JSON-RPC message over the size limit with an error, logs it, and goes on serving", { timeout: 120_000 }, async () => {
    const repo = await indexedRepo();
    const session = await connectMcp([], { cwd: repo });
    // Over the SDK's own 10 MB stdio limit too, which used to end the server silently with exit 0.
    const huge = session.client.callTool({ name: "search", arguments: { query: "x".repeat(10_500_000) } });
    await expect(huge).rejects.toThrow(/over the server's limit of 1048576 bytes/);
    const answer = (await session.client.callTool({ name: "search", arguments: { query: "handler", mode: "lexical" } })) as ToolAnswer;
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    expect(session.stderr()).toMatch(/codesearch mcp: rejected a JSON-RPC message: message of 105\d{5} bytes is over the server's limit/);
  });
});
