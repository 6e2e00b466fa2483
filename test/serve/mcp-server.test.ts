// `codesearch mcp` driven by the SDK's own Client over stdio, on real temp repositories and LanceDB indexes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import type { SearchToolResult } from "../../src/serve/search-tool.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { connectMcp } from "../support/mcp-client.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

async function indexWithTestModel(repo: string): Promise<void> {
  const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--batch-size", "8"], { cwd: repo });
  expect(result.code, result.stderr).toBe(0);
}

/** Estimated tokens of an answer as the server counts them: its JSON length ÷ 3. */
function estimatedTokens(answer: ToolAnswer): number {
  const { content, structuredContent, isError } = answer;
  return Math.ceil(JSON.stringify({ content, structuredContent, ...(isError ? { isError } : {}) }).length / 3);
}

// 24 modules × 8 functions that all share the words "scale", "value", "clamp" and "limit".
let synthetic: string;
beforeAll(async () => {
  synthetic = await mkdtemp(path.join(os.tmpdir(), "codesearch-mcp-"));
  await writeSyntheticRepo(synthetic, 24, 8);
  await indexWithTestModel(synthetic);
}, 120_000);
afterAll(async () => {
  await rm(synthetic, { recursive: true, force: true });
});

describe("codesearch mcp (SDK client over stdio)", () => {
  it("lists the tools with their argument and answer schemas", async () => {
    const { client } = await connectMcp([synthetic], { cwd: synthetic });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["outline", "read", "references", "reindex", "related", "search", "status", "symbols"]);
    const search = tools.find((t) => t.name === "search")!;
    expect(search.inputSchema.required).toEqual(["query"]);
    expect(search.inputSchema.properties).toMatchObject({
      query: { type: "string" },
      limit: { type: "integer", maximum: 50, default: 10 },
      mode: { enum: ["hybrid", "vector", "lexical"] },
      cursor: { type: "string" },
    });
    expect(Object.keys(search.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["query", "mode", "results", "warnings", "has_more", "next_cursor", "search_time_ms", "freshness"]),
    );
    expect(tools.find((t) => t.name === "read")!.inputSchema.properties).toHaveProperty("id");
    for (const tool of tools) expect(tool.description!.length).toBeGreaterThan(60);
  });

  it("returns hits whose lines are the real def/class lines of the files, and reads a hit by id", async () => {
    const repo = await copyPythonFixtures();
    await indexWithTestModel(repo);
    const { client } = await connectMcp([], { cwd: repo });
    const answer = (await client.callTool({ name: "search", arguments: { query: "total price of the items in the cart", limit: 8 } })) as ToolAnswer;
    expect(answer.isError).toBeFalsy();
    const result = answer.structuredContent as SearchToolResult;
    expect(result.results.length).toBe(8);
    expect(result.search_time_ms).toBeGreaterThan(0);
    expect(result.freshness.state).toBe("unwatched");
    for (const hit of result.results) {
      const lines = (await readFile(path.join(repo, hit.file), "utf8")).split("\n");
      const keyword = hit.kind === "class" ? "class" : "(?:async\\s+)?def";
      expect(lines[hit.start_line - 1]).toMatch(new RegExp(`^\\s*${keyword}\\s+${hit.name}\\b`));
      expect(hit.snippet!.text.split("\n")[hit.match_line - hit.snippet!.start_line]).toBe(lines[hit.match_line - 1]!.trimEnd());
      expect(answer.content[0]!.text).toContain(`${hit.file}:${hit.start_line}-${hit.end_line}  ${hit.qualname}`);
    }

    const top = result.results[0]!;
    const read = (await client.callTool({ name: "read", arguments: { id: top.id } })) as ToolAnswer;
    expect(read.isError).toBeFalsy();
    const shown = read.structuredContent as { start_line: number; end_line: number; text: string; entity: { id: string } };
    expect(shown.entity.id).toBe(top.id);
    expect(shown.end_line).toBe(top.end_line);
    const lines = (await readFile(path.join(repo, top.file), "utf8")).split("\n");
    expect(shown.text.split("\n").at(-1)).toBe(`${top.end_line}  ${lines[top.end_line - 1]!.trimEnd()}`);
    // By file and line: the innermost definition containing the line (the top hit's own def/class
    // line; its last line may lie in a method when the top hit is a class).
    const byLine = (await client.callTool({ name: "read", arguments: { file: top.file, line: top.start_line } })) as ToolAnswer;
    expect((byLine.structuredContent as { entity: { id: string } }).entity.id).toBe(top.id);
  });

  it("pages through one ranking with the cursor, each hit once, the first page equal to `search --json`", async () => {
    const { client } = await connectMcp([synthetic], { cwd: synthetic });
    const query = "scale the value and clamp it to the limit";
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = (await client.callTool({ name: "search", arguments: { query, limit: 7, context_lines: 0, ...(cursor ? { cursor } : {}) } })) as ToolAnswer;
      expect(answer.isError, answer.content[0]?.text).toBeFalsy();
      const page = answer.structuredContent as SearchToolResult;
      expect(page.offset).toBe(seen.length);
      seen.push(...page.results.map((h) => h.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 40);
    expect(cursor).toBeUndefined();
    // Hybrid mode with the test model's vector weight (0: its vectors mean little) ranks lexical's 50 candidates.
    expect(seen.length).toBeGreaterThanOrEqual(50);
    expect(new Set(seen).size).toBe(seen.length);

    const cli = await runCli(["search", query, "--json", "-n", "7"], { cwd: synthetic });
    expect((JSON.parse(cli.stdout) as { results: SearchHitJson[] }).results.map((h) => h.id)).toEqual(seen.slice(0, 7));
    // A cursor is bound to its search.
    const first = (await client.callTool({ name: "search", arguments: { query, limit: 7 } })) as ToolAnswer;
    const other = (await client.callTool({ name: "search", arguments: { query: "module", cursor: (first.structuredContent as SearchToolResult).next_cursor } })) as ToolAnswer;
    expect(other.isError).toBe(true);
    expect(other.content[0]!.text).toMatch(/cursor belongs to another search/);
  });

  it("refuses a search cursor handed out before the index was updated", async () => {
    const repo = await makeTempDir("codesearch-mcp-cursor-");
    await writeSyntheticRepo(repo, 4, 8);
    await indexWithTestModel(repo);
    const { client } = await connectMcp([], { cwd: repo });
    const args = { query: "scale the value and clamp it to the limit", limit: 3, mode: "lexical" };
    const first = (await client.callTool({ name: "search", arguments: args })) as ToolAnswer;
    const cursor = (first.structuredContent as SearchToolResult).next_cursor;
    expect(cursor).not.toBeNull();
    const second = (await client.callTool({ name: "search", arguments: { ...args, cursor } })) as ToolAnswer;
    expect(second.isError, second.content[0]?.text).toBeFalsy();

    // An update (one new file) commits another generation: the ranking the cursor paged may have changed.
    await writeFile(path.join(repo, "added.py"), "def scale_value(value, limit):\n    \"\"\"Scale the value and clamp it to the limit.\"\"\"\n    return min(value * 2, limit)\n");
    await indexWithTestModel(repo);
    const stale = (await client.callTool({ name: "search", arguments: { ...args, cursor } })) as ToolAnswer;
    expect(stale.isError).toBe(true);
    expect(stale.content[0]!.text).toMatch(/earlier state of the index/);
    const fresh = (await client.callTool({ name: "search", arguments: args })) as ToolAnswer;
    expect(fresh.isError, fresh.content[0]?.text).toBeFalsy();
  }, 120_000);

  it("keeps every answer within its size budget on a query that matches hundreds of entities", async () => {
    const { client } = await connectMcp([synthetic, "--max-answer-tokens", "3000"], { cwd: synthetic });
    const args = { query: "scale value clamp limit module", limit: 50, mode: "lexical", context_lines: 20 };
    const byDefault = (await client.callTool({ name: "search", arguments: args })) as ToolAnswer;
    const page = byDefault.structuredContent as SearchToolResult;
    expect(estimatedTokens(byDefault)).toBeLessThanOrEqual(3000);
    expect(page.truncated).toBe(true);
    expect(page.count).toBeGreaterThan(2);
    expect(page.count).toBeLessThan(50);
    expect(page.has_more).toBe(true);
    // The next page starts exactly where the budget ended this one.
    const next = (await client.callTool({ name: "search", arguments: { ...args, cursor: page.next_cursor } })) as ToolAnswer;
    expect((next.structuredContent as SearchToolResult).offset).toBe(page.count);

    const tight = (await client.callTool({ name: "search", arguments: { ...args, max_tokens: 500 } })) as ToolAnswer;
    expect(estimatedTokens(tight)).toBeLessThanOrEqual(500);
    expect((tight.structuredContent as SearchToolResult).count).toBeGreaterThanOrEqual(1);
    const read = (await client.callTool({ name: "read", arguments: { file: "pkg/mod_3.py", max_lines: 1000 } })) as ToolAnswer;
    expect(estimatedTokens(read)).toBeLessThanOrEqual(3000);
  });

  it("answers malformed arguments and a missing index with isError and keeps serving", async () => {
    const empty = await makeTempDir();
    await writeFile(path.join(empty, "app.py"), "def handler(event):\n    return event\n");
    const { client } = await connectMcp([empty], { cwd: empty });
    const noIndex = (await client.callTool({ name: "search", arguments: { query: "handler" } })) as ToolAnswer;
    expect(noIndex.isError).toBe(true);
    expect(noIndex.content[0]!.text).toMatch(/no codesearch index|index-not-found|no index/i);
    expect(((await client.callTool({ name: "status", arguments: {} })) as ToolAnswer).isError).toBe(true);

    for (const args of [{}, { query: "" }, { query: "x", limit: 0 }, { query: "x", limit: "ten" }, { query: "x", mode: "fuzzy" }, { query: "x", cursor: "not-a-cursor" }, { query: "x", mode: "lexical", vector_weight: 1 }]) {
      const bad = (await client.callTool({ name: "search", arguments: args })) as ToolAnswer;
      expect(bad.isError, JSON.stringify(args)).toBe(true);
    }
    expect(((await client.callTool({ name: "read", arguments: { file: "../etc/passwd", line: 1 } })) as ToolAnswer).isError).toBe(true);

    // An index built meanwhile is found by the next call: the server did not die or cache the failure.
    await indexWithTestModel(empty);
    const found = (await client.callTool({ name: "search", arguments: { query: "handler" } })) as ToolAnswer;
    expect(found.isError).toBeFalsy();
    expect((found.structuredContent as SearchToolResult).results[0]!.qualname).toBe("handler");
    // status now answers, with where the server's memory is: the heap is part of the resident set.
    type ServerFacts = { server: { memory: { rssBytes: number; heapUsedBytes: number; externalBytes: number }; residentEntities: number | null } };
    const serverFacts = async () => ((await client.callTool({ name: "status", arguments: {} })) as ToolAnswer).structuredContent as ServerFacts;
    const { memory } = (await serverFacts()).server;
    expect(memory.heapUsedBytes).toBeGreaterThan(0);
    expect(memory.rssBytes).toBeGreaterThan(memory.heapUsedBytes);
    // The first search read the table into memory in the background: the server then holds its one entity.
    let resident: number | null = null;
    for (let i = 0; i < 100 && resident === null; i++) {
      resident = (await serverFacts()).server.residentEntities;
      if (resident === null) await new Promise((done) => setTimeout(done, 50));
    }
    expect(resident).toBe(1);
  });

  it("answers 10 concurrent calls like the same calls made one at a time", async () => {
    const { client } = await connectMcp([synthetic], { cwd: synthetic });
    const queries = Array.from({ length: 10 }, (_, i) => ({ query: `f_${i}_${i % 8} clamp value ${i}`, limit: 5, mode: i % 3 === 0 ? "lexical" : "hybrid" }));
    const ids = (answer: unknown) => (answer as { structuredContent: SearchToolResult }).structuredContent.results.map((h) => h.id);
    const together = await Promise.all(queries.map((args) => client.callTool({ name: "search", arguments: args })));
    const alone = [];
    for (const args of queries) alone.push(await client.callTool({ name: "search", arguments: args }));
    expect(together.map(ids)).toEqual(alone.map(ids));
    expect(together.every((a) => ids(a).length === 5)).toBe(true);
  });

  it("reindexes with progress notifications, and a kill -9 mid-reindex leaves an index the next run completes exactly", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    await indexWithTestModel(repo);
    const edit = async (tag: string) => {
      for (let i = 0; i < 24; i++) {
        const file = path.join(repo, "pkg", `mod_${i}.py`);
        await writeFile(file, (await readFile(file, "utf8")).replaceAll("clamp it", `clamp it (${tag})`));
      }
    };

    // A whole reindex through the tool: progress grows, the summary counts the edited files, and search sees the new text.
    await edit("first");
    const done = await connectMcp([repo], { cwd: repo });
    const progress: number[] = [];
    const reindex = done.client.callTool({ name: "reindex", arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress), timeout: 60_000 });
    // Searches made while the run is under way answer from the last committed index, and say a refresh is running.
    const during: SearchToolResult[] = [];
    while (progress.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 3; i++) {
      const hit = (await done.client.callTool({ name: "search", arguments: { query: "clamp it", mode: "lexical", limit: 3 } })) as ToolAnswer;
      expect(hit.isError, hit.content[0]?.text).toBeFalsy();
      during.push(hit.structuredContent as SearchToolResult);
    }
    expect(during[0]!.freshness.state).toBe("refreshing");
    expect(during.every((d) => d.results.length === 3)).toBe(true);
    const answer = (await reindex) as ToolAnswer;
    expect(answer.isError, answer.content[0]?.text).toBeFalsy();
    expect(answer.structuredContent).toMatchObject({ filesIndexed: 24, chunksEmbedded: 192, failures: [] });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBe(progress.length);
    const fresh = (await done.client.callTool({ name: "search", arguments: { query: "first", mode: "lexical", limit: 1 } })) as ToolAnswer;
    expect((fresh.structuredContent as SearchToolResult).results).toHaveLength(1);
    await done.client.close();

    await edit("second");
    const victim = await connectMcp([repo], { cwd: repo });
    const killed = new Promise<void>((resolve) => {
      void victim.client
        .callTool({ name: "reindex", arguments: {} }, undefined, {
          onprogress: (p) => {
            if (p.progress >= 40) {
              process.kill(victim.transport.pid!, "SIGKILL");
              resolve();
            }
          },
          timeout: 60_000,
        })
        .catch(() => resolve());
    });
    await killed;
    const next = await runCli(["index", ".", "--json"], { cwd: repo });
    expect(next.code, next.stderr).toBe(0);
    const summary = JSON.parse(next.stdout.trim().split("\n").at(-1)!) as { summary: { filesIndexed: number; chunksFromCache: number; chunksEmbedded: number } };
    // The kill came before the refresh committed: the next run still had all 24 edited files to store.
    // (Whether it also came before the embedding finished depends on the machine's speed: with the
    // 250 ms progress throttle, the first notification past 40 may already say 192.)
    expect(summary.summary.filesIndexed).toBe(24);
    // What the killed run embedded was checkpointed to the cache or embedded again, nothing lost or doubled.
    expect(summary.summary.chunksFromCache + summary.summary.chunksEmbedded).toBe(192);
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  });
});
