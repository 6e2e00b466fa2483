import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { buildProgram } from "../../src/cli/main.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

describe("codesearch CLI (built), on a copy of fixtures/python with the test model", () => {
  it("indexes with JSON-line events, exits 1 for the syntax error, and search --json points at real definitions", async () => {
    const repo = await copyPythonFixtures({ withBrokenFile: true });
    const spawnedAt = Date.now();
    const index = await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--json"], { cwd: repo });
    const exitedAt = Date.now();
    expect(index.stderr).toBe("");
    expect(index.code).toBe(1);
    const events = index.stdout.trim().split("\n").map((l) => JSON.parse(l) as {
      type: string; elapsedMs: number; startedAt?: string; summary?: { chunksStored: number; failures: { path: string; stage: string }[] };
    });
    expect(events[0]!.type).toBe("run-started");
    // Each event's time is a duration from the run's start (whole ms, never decreasing, shorter than the
    // process lived), not a timestamp; the wall-clock start is run-started's.
    const elapsed = events.map((e) => e.elapsedMs);
    expect(elapsed.every((ms) => Number.isInteger(ms) && ms >= 0 && ms <= exitedAt - spawnedAt)).toBe(true);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(events.some((e) => "timeMs" in e)).toBe(false);
    const startedAt = Date.parse(events[0]!.startedAt!);
    expect(startedAt).toBeGreaterThanOrEqual(spawnedAt - 1_000);
    expect(startedAt).toBeLessThanOrEqual(exitedAt);
    const finished = events.at(-1)!;
    expect(finished.type).toBe("index-finished");
    expect(finished.summary!.failures).toEqual([expect.objectContaining({ path: "shop/broken.py", stage: "parse" })]);

    const search = await runCli(["search", "retry a request when the connection resets", "--json", "-n", "5"], { cwd: path.join(repo, "shop") });
    expect(search.code).toBe(0);
    const { results } = JSON.parse(search.stdout) as { results: SearchHitJson[] };
    expect(results).toHaveLength(5);
    expect(results[0]).toMatchObject({ file: "shop/net/retry.py", qualname: "retry_request", name: "retry_request", kind: "function" });
    for (const hit of results) {
      const lines = (await readFile(path.join(repo, hit.file), "utf8")).split("\n");
      const defLine = lines[hit.start_line - 1]!;
      expect(defLine).toMatch(new RegExp(`^\\s*(async\\s+)?(def|class)\\s+${hit.name}\\b`));
      expect(hit.end_line).toBeGreaterThanOrEqual(hit.start_line);
      expect(hit.end_line).toBeLessThanOrEqual(lines.length);
    }
  });

  it("exits 0 on a clean repository and prints human hits with location, qualified name, kind, score and a preview", async () => {
    const repo = await copyPythonFixtures();
    const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(index.code).toBe(0);
    expect(index.stderr).toMatch(/^finished$/m);
    const search = await runCli(["search", "retry request connection reset", "-n", "2", "--preview", "3"], { cwd: repo });
    expect(search.code).toBe(0);
    const lines = search.stdout.split("\n");
    expect(lines[0]).toMatch(/^shop\/net\/retry\.py:15-29 {2}retry_request {2}\(function\) {2}0\.\d+$/);
    expect(lines[1]).toBe("    def retry_request(send, request, attempts: int = 5, sleep=time.sleep):");
    expect(search.stdout).not.toContain("\u001b");
    expect(search.stdout).not.toMatch(/ +$/m);
  });

  it("plain progress goes to stderr, ends with the summary and failure table", async () => {
    const repo = await copyPythonFixtures({ withBrokenFile: true });
    const index = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(index.code).toBe(1);
    expect(index.stdout).toBe("");
    expect(index.stderr).toContain("loading model");
    expect(index.stderr).toMatch(/entities {2}\d+ found: \d+ embedded, 0 from cache, 0 failed/);
    expect(index.stderr).toMatch(/shop\/broken\.py:10 +- +parse +syntax error/);
    expect(index.stderr).not.toContain("\u001b");
  });

  it("--queries runs a JSON-lines batch with one model load and keeps ids", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    const queries = path.join(repo, "queries.jsonl");
    await writeFile(queries, '{"id": "q1", "query": "retry a request when the connection resets"}\n\n{"query": "cart checkout total", "id": 7}\n');
    const batch = await runCli(["search", "--queries", queries, "-n", "3"], { cwd: repo });
    expect(batch.code).toBe(0);
    const lines = batch.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: unknown; query: string; results: SearchHitJson[] });
    expect(lines.map((l) => [l.id, l.query, l.results.length])).toEqual([
      ["q1", "retry a request when the connection resets", 3],
      [7, "cart checkout total", 3],
    ]);
    expect(lines[0]!.results[0]!.qualname).toBe("retry_request");
  });

  it("a bad queries line is a usage error naming the line", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    await writeFile(path.join(repo, "q.jsonl"), '{"query": "ok"}\n{"text": "no query field"}\n');
    const result = await runCli(["search", "--queries", "q.jsonl"], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("q.jsonl:2:");
  });

  it.each([
    [["search", "anything"], 5, /no codesearch index in .* or its parents/],
    [["index", "--no-such-flag"], 2, /unknown option '--no-such-flag'/],
    [["search", "x", "--limit", "0"], 2, /--limit must be a positive integer/],
    [["index", "does-not-exist", "--model", TEST_MODEL_DIR], 2, /cannot index .*does-not-exist: no such directory/],
  ])("codesearch %j exits %i", async (args, code, stderr) => {
    const dir = await makeTempDir();
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(stderr);
    expect(existsSync(path.join(dir, "does-not-exist"))).toBe(false);
  });

  it("a directory without source files exits 3 (nothing indexed), never 0", async () => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, "setup.cfg"), "[metadata]\n");
    const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/codesearch: error: no source files to index/);
    expect(existsSync(path.join(dir, ".codesearch"))).toBe(false);
  });

  it.each([
    ["--offline", ["--offline"], {}],
    ["CODESEARCH_OFFLINE=1", [], { CODESEARCH_OFFLINE: "1" }],
    ["an unreachable hub", [], { HF_ENDPOINT: "http://127.0.0.1:9" }],
  ])("a hub model that cannot be had (%s) exits 4, lists the missing files once, says what to do, and leaves no index folder", async (_name, flags, env) => {
    const repo = await copyPythonFixtures();
    const result = await runCli(["index", ".", ...flags], { cwd: repo, env });
    expect(result.code).toBe(4);
    const cacheDir = path.join(repo, ".model-cache", "onnx-community", "codebert-base-ONNX");
    const errorLine = result.stderr.split("\n").find((line) => line.startsWith("codesearch: error:"))!;
    expect(errorLine).toContain("onnx-community/codebert-base-ONNX");
    expect(errorLine).not.toContain("tokenizer.json");
    expect(result.stderr.split("missing model files").length - 1).toBe(1);
    expect(result.stderr).toContain(`missing model files in ${cacheDir}: config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx`);
    expect(result.stderr).toContain("--model codesearch-small   the model shipped with codesearch (no download)");
    expect(result.stderr).toContain("--model <folder>");
    expect(result.stderr).toContain("HF_ENDPOINT=<url>          a hub mirror serving <url>/onnx-community/codebert-base-ONNX/resolve/main/<file>");
    expect(result.stderr).toContain(`copy the files into ${cacheDir}/`);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
  });

  it("refuses another model on an existing index (exit 5) and says how to proceed", async () => {
    const repo = await copyPythonFixtures();
    await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    const result = await runCli(["index", "--model", "someone/other-model", "--offline"], { cwd: repo });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`the index was built with model ${TEST_MODEL_DIR}, not someone/other-model`);
    expect(result.stderr).toContain("--rebuild");
  });

  it.each(["index", "search", "status", "eval", "watch", "mcp", "verify"])("%s --help shows examples and no empty default", async (command) => {
    const result = await runCli([command, "--help"], { cwd: await makeTempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Examples:");
    expect(result.stdout).not.toContain("(default: [])");
  });

  it("index and watch describe the options they share alike", () => {
    const described = (name: string) =>
      new Map(buildProgram({ exitCode: 0 }).commands.find((c) => c.name() === name)!.options.map((o) => [o.long!, `${o.flags}: ${o.description}`]));
    const index = described("index");
    const watch = described("watch");
    for (const flag of ["--db", "--cache-dir", "--offline", "--batch-size", "--max-tokens", "--max-file-bytes"]) {
      expect(watch.get(flag), flag).toBe(index.get(flag));
    }
    expect(watch.get("--model")).toContain("codesearch-small (bundled, no download)");
    expect(watch.get("--model")).not.toContain("--embedder");
    expect(watch.get("--exclude")).toContain("do not watch");
  });

  it("names every syntax-error line of a file in the failure table", async () => {
    const repo = await copyPythonFixtures({ withBrokenFile: true });
    const result = await runCli(["index", ".", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^shop\/broken\.py:10 +- +parse +.*; also at line 21; kept \d+ recovered entities$/m);
    expect(result.stderr).not.toContain("more)");
  });

  it("--help explains commands and exit codes, and exits 0", async () => {
    const result = await runCli(["--help"], { cwd: await makeTempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("index [options] [repo]");
    expect(result.stdout).toContain("search [options] [query]");
    expect(result.stdout).toContain("3   nothing indexed");
  });
});
