import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { latencySummary } from "../../src/cli/eval-command.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

// Two queries on fixtures/python: one names retry_request (rank 1 in lexical mode), one has an
// answer that is not in the repository (a miss). By hand: MRR@10 = (1 + 0) / 2, and so on.
const QUERIES = [
  { id: "hit", query: "retry_request", relevant: [{ file: "shop/net/retry.py", qualname: "retry_request", start_line: 15, end_line: 29 }] },
  { id: "miss", query: "retry a request", relevant: [{ file: "shop/nowhere.py", name: "retry_request" }] },
];

async function indexedRepo(): Promise<string> {
  const repo = await copyPythonFixtures();
  expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
  await writeFile(path.join(repo, "queries.jsonl"), `${QUERIES.map((q) => JSON.stringify(q)).join("\n")}\n`);
  return repo;
}

describe("codesearch eval", () => {
  it("--json prints the metrics worked out by hand, the mode, latency and each query's first rank", async () => {
    const repo = await indexedRepo();
    const result = await runCli(["eval", "queries.jsonl", "--mode", "lexical", "--json", "--per-query"], { cwd: repo });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      mode: "lexical",
      queries: 2,
      metrics: { "MRR@10": 0.5, "Recall@1": 0.5, "Recall@5": 0.5, "Recall@10": 0.5, "nDCG@10": 0.5 },
      latency_ms: { median: expect.any(Number), p90: expect.any(Number) },
      per_query: [
        { id: "hit", query: "retry_request", first_rank: 1, metrics: { "MRR@10": 1, "Recall@1": 1, "Recall@5": 1, "Recall@10": 1, "nDCG@10": 1 } },
        { id: "miss", query: "retry a request", first_rank: null, metrics: { "MRR@10": 0, "Recall@1": 0, "Recall@5": 0, "Recall@10": 0, "nDCG@10": 0 } },
      ],
    });
  });

  it("prints a table by default, hybrid mode unless told otherwise", async () => {
    const repo = await indexedRepo();
    const result = await runCli(["eval", "queries.jsonl"], { cwd: repo });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("mode hybrid, 2 queries");
    expect(lines[1]).toBe("fusion     vector weight 0 (uncalibrated default), lexical 1, names 1, RRF k 60");
    expect(lines.slice(2, 7).map((l) => l.split(/\s+/)[0])).toEqual(["MRR@10", "Recall@1", "Recall@5", "Recall@10", "nDCG@10"]);
    expect(lines[2]).toBe("MRR@10     0.5000");
    expect(lines[7]).toMatch(/^latency +median [\d.]+ ms, p90 [\d.]+ ms per query$/);
  });

  it("a queries line without relevant answers is a usage error naming the line", async () => {
    const repo = await indexedRepo();
    await writeFile(path.join(repo, "bad.jsonl"), `${JSON.stringify(QUERIES[0])}\n{"query": "x", "relevant": []}\n`);
    const result = await runCli(["eval", "bad.jsonl"], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("bad.jsonl:2: expected");
  });
});

// Categories and a file-level answer: "retry_request" is answered by the whole file (any of its
// entities matches; in lexical mode retry_request itself is rank 1), the other two as above.
const CATEGORISED = [
  { id: "file", query: "retry_request", category: "architecture", relevant: [{ file: "shop/net/retry.py" }] },
  { id: "span", query: "retry_request", category: "symbol", relevant: [{ file: "shop/net/retry.py", qualname: "retry_request", start_line: 15, end_line: 29 }] },
  { id: "miss", query: "retry a request", category: "symbol", relevant: [{ file: "shop/nowhere.py" }] },
];

describe("codesearch eval --group-by category", () => {
  async function categorisedRepo(): Promise<string> {
    const repo = await indexedRepo();
    await writeFile(path.join(repo, "dev.jsonl"), `${CATEGORISED.map((q) => JSON.stringify(q)).join("\n")}\n`);
    return repo;
  }

  it("--json reports each category's means and counts, the file-level answer matched by a hit in its file", async () => {
    const repo = await categorisedRepo();
    const result = await runCli(["eval", "dev.jsonl", "--mode", "lexical", "--json", "--per-query", "--group-by", "category"], { cwd: repo });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { metrics: Record<string, number>; groups: unknown; per_query: { id: string; category: string; first_rank: number | null }[] };
    expect(out.metrics["MRR@10"]).toBeCloseTo(2 / 3, 6);
    const all = { "MRR@10": 1, "Recall@1": 1, "Recall@5": 1, "Recall@10": 1, "nDCG@10": 1 };
    expect(out.groups).toEqual({
      category: {
        architecture: { queries: 1, metrics: all },
        symbol: { queries: 2, metrics: { "MRR@10": 0.5, "Recall@1": 0.5, "Recall@5": 0.5, "Recall@10": 0.5, "nDCG@10": 0.5 } },
      },
    });
    expect(out.per_query.map((q) => [q.id, q.category, q.first_rank])).toEqual([
      ["file", "architecture", 1],
      ["span", "symbol", 1],
      ["miss", "symbol", null],
    ]);
  });

  it("prints a table per field after the overall metrics", async () => {
    const repo = await categorisedRepo();
    const result = await runCli(["eval", "dev.jsonl", "--mode", "lexical", "--group-by", "category"], { cwd: repo });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const header = lines.findIndex((l) => l.startsWith("by category"));
    expect(lines[header]!.split(/\s+/)).toEqual(["by", "category", "n", "MRR@10", "Recall@1", "Recall@5", "Recall@10", "nDCG@10"]);
    expect(lines[header + 1]!.split(/\s+/)).toEqual(["architecture", "1", "1.0000", "1.0000", "1.0000", "1.0000", "1.0000"]);
    expect(lines[header + 2]!.split(/\s+/)).toEqual(["symbol", "2", "0.5000", "0.5000", "0.5000", "0.5000", "0.5000"]);
  });

  it("a field no query has, or a file-level answer with lines, is a usage error", async () => {
    const repo = await categorisedRepo();
    const unknown = await runCli(["eval", "dev.jsonl", "--group-by", "difficulty"], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--group-by difficulty: no query has a "difficulty" field');
    await writeFile(path.join(repo, "lines.jsonl"), `${JSON.stringify({ query: "x", relevant: [{ file: "a.py", start_line: 3 }] })}\n`);
    const lines = await runCli(["eval", "lines.jsonl"], { cwd: repo });
    expect(lines.code).toBe(2);
    expect(lines.stderr).toContain("lines.jsonl:1: expected");
  });
});

describe("latencySummary", () => {
  it.each([
    [[], { medianMs: 0, p90Ms: 0 }],
    [[5], { medianMs: 5, p90Ms: 5 }],
    [[4, 1, 3, 2], { medianMs: 2.5, p90Ms: 4 }],
    [[10, 1, 2, 3, 4, 5, 6, 7, 8, 9], { medianMs: 5.5, p90Ms: 9 }],
    [[1.234, 1.26, 9], { medianMs: 1.3, p90Ms: 9 }],
  ])("%j → %j", (values, expected) => {
    expect(latencySummary(values)).toEqual(expected);
  });
});
