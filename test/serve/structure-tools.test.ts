// The structural MCP tools (symbols, outline, references, related) driven by the SDK's own Client
// over stdio against the built CLI, on an indexed copy of fixtures/python-references.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { OutlineToolResult } from "../../src/serve/outline-tool.js";
import type { ReferencesToolResult } from "../../src/serve/references-tool.js";
import type { RelatedToolResult } from "../../src/serve/related-tool.js";
import type { SymbolsToolResult } from "../../src/serve/symbols-tool.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, copyCommittedTree, makeTempDir } from "../support/temp-dirs.js";

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

async function indexedFixture(): Promise<string> {
  const repo = await makeTempDir("codesearch-refs-mcp-");
  await copyCommittedTree(path.join(PROJECT_ROOT, "fixtures", "python-references"), repo);
  const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
  return repo;
}

/** Estimated tokens of an answer as the server counts them: its JSON length ÷ 3. */
function estimatedTokens(answer: ToolAnswer): number {
  const { content, structuredContent } = answer;
  return Math.ceil(JSON.stringify({ content, structuredContent }).length / 3);
}

describe("structural MCP tools (SDK client over stdio)", () => {
  it("answers symbols, outline, references and related, with ids that read opens", async () => {
    const repo = await indexedFixture();
    const { client } = await connectMcp([], { cwd: repo });
    const call = async (name: string, args: Record<string, unknown>) => {
      const answer = (await client.callTool({ name, arguments: args })) as ToolAnswer;
      expect(answer.isError, answer.content[0]?.text).toBeFalsy();
      return answer;
    };

    const symbols = (await call("symbols", { query: "total" })).structuredContent as SymbolsToolResult;
    expect(symbols.results.map((r) => `${r.match} ${r.qualname}`)).toEqual(["exact SpecialCart.total", "exact Cart.total", "exact Invoice.total"]);
    const read = (await call("read", { id: symbols.results[1]!.id })).structuredContent as { text: string };
    expect(read.text).toContain("def total(self):");

    const outline = await call("outline", { path: "shop/cart.py" });
    expect(outline.content[0]!.text).toContain("  17-19  def total(self)  — Sum of the items, rounded.");

    const references = (await call("references", { target: "Cart.total" })).structuredContent as ReferencesToolResult;
    expect(references.resolved).toBe(2);
    expect(references.results.map((r) => [r.file, r.line, r.confidence, r.enclosing?.qualname, r.snippet])).toEqual([
      ["app/main.py", 43, "resolved", "SpecialCart.total", "return super().total() + 1"],
      ["shop/cart.py", 23, "resolved", "Cart.checkout", "amount = self.total()"],
      ["app/main.py", 19, "name-match", "run", "total = cart.total()"],
    ]);
    const strict = (await call("references", { target: "Cart.total", include_name_matches: false })).structuredContent as ReferencesToolResult;
    expect(strict.results.every((r) => r.confidence === "resolved")).toBe(true);
    const callees = (await call("references", { target: "shop/cart.py:23", direction: "callees" })).structuredContent as ReferencesToolResult;
    expect(callees.results.map((r) => r.target.qualname)).toEqual(["Cart.total", "apply_discount"]);

    const related = (await call("related", { target: "shop/cart.py:17:Cart.total", limit: 5 })).structuredContent as RelatedToolResult;
    expect(related.target.qualname).toBe("Cart.total");
    expect(related.results).toHaveLength(5);
    expect(related.results.map((r) => r.id)).not.toContain("shop/cart.py:17:Cart.total");

    const unknown = (await client.callTool({ name: "references", arguments: { target: "no_such_name" } })) as ToolAnswer;
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]!.text).toMatch(/no definition is named no_such_name/);
  }, 120_000);

  it("pages the repository map within the size budget: every definition once, in rank order", async () => {
    const repo = await indexedFixture();
    const { client } = await connectMcp([], { cwd: repo });
    const budget = 500;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let total = 0;
    do {
      const answer = (await client.callTool({ name: "outline", arguments: { path: "", max_tokens: budget, ...(cursor ? { cursor } : {}) } })) as ToolAnswer;
      expect(answer.isError, answer.content[0]?.text).toBeFalsy();
      expect(estimatedTokens(answer)).toBeLessThanOrEqual(budget);
      const page = answer.structuredContent as OutlineToolResult;
      expect(page.ranking).toBe("pagerank");
      expect(page.offset).toBe(seen.length);
      seen.push(...page.results.map((r) => r.id));
      total = page.total;
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen.slice(0, 2)).toEqual(["shop/cart.py:11:Cart", "shop/pricing.py:6:round_price"]);

    const other = (await client.callTool({ name: "symbols", arguments: { query: "total", cursor: "eyJvZmZzZXQiOjF9" } })) as ToolAnswer;
    expect(other.isError).toBe(true);
  }, 120_000);

  it("refuses a cursor handed out before the index was rebuilt", async () => {
    const repo = await indexedFixture();
    const { client } = await connectMcp([], { cwd: repo });
    const first = (await client.callTool({ name: "outline", arguments: { path: "", limit: 2 } })) as ToolAnswer;
    const cursor = (first.structuredContent as OutlineToolResult).next_cursor;
    expect(cursor).not.toBeNull();
    const again = (await client.callTool({ name: "outline", arguments: { path: "", limit: 2, cursor } })) as ToolAnswer;
    expect(again.isError, again.content[0]?.text).toBeFalsy();

    const rebuilt = await runCli(["index", ".", "--rebuild", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const stale = (await client.callTool({ name: "outline", arguments: { path: "", limit: 2, cursor } })) as ToolAnswer;
    expect(stale.isError).toBe(true);
    expect(stale.content[0]!.text).toMatch(/earlier state of the index/);
  }, 120_000);

  it("prints the same answers from the command line", async () => {
    const repo = await indexedFixture();
    const refs = await runCli(["refs", "round_price", "--callers"], { cwd: path.join(repo, "shop") });
    expect(refs.code, refs.stderr).toBe(0);
    expect(refs.stdout).toContain("shop/cart.py:19:16  call  in Cart.total  | return round_price(sum(self.items))");
    const outline = await runCli(["outline", "cart.py", "--json"], { cwd: path.join(repo, "shop") });
    expect((JSON.parse(outline.stdout) as OutlineToolResult).results.map((r) => r.qualname)).toEqual([
      "helper", "Cart", "Cart.__init__", "Cart.total", "Cart.checkout", "Invoice", "Invoice.total", "Invoice.render",
    ]);
    const missing = await runCli(["def", "x", "--callers"], { cwd: repo });
    expect(missing.code).not.toBe(0);
    const both = await runCli(["refs", "helper", "--callers", "--callees"], { cwd: repo });
    expect(both.code).toBe(2);
  }, 120_000);
});
