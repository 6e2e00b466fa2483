// Filters run before the top k are chosen: 61 test functions outrank the real answers on both
// sides (more than the 50 candidates a side fetches), and each filter must still bring the answers
// back, in every mode.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { SEARCH_MODES } from "../../src/model/search.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR } from "../support/temp-dirs.js";

const DECOYS = Array.from(
  { length: 60 },
  (_, i) => `def test_parse_http_header_${i}():\n    """Parse an HTTP header line."""\n    assert parse_http_header("Host: x") == ("Host", "x")\n`,
).join("\n\n");

const LIB = `class HttpHeaders:
    """HTTP header fields of a response, parsed."""

    def get(self, name):
        """The value of one header."""
        return self.fields.get(name)


def split_header_block(text):
    """Parse the HTTP header block of a response into lines."""
    return text.split("\\r\\n")
`;

const SELF_CHECK = `def test_parse_http_header_roundtrip():
    """Parse an HTTP header line and print it again."""
    assert parse_http_header("A: b") == ("A", "b")
`;

let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "codesearch-filters-"));
  await mkdir(path.join(repo, "tests"));
  await mkdir(path.join(repo, "lib"));
  await writeFile(path.join(repo, "tests", "test_headers.py"), DECOYS);
  await writeFile(path.join(repo, "lib", "headers.py"), LIB);
  await writeFile(path.join(repo, "lib", "selfcheck.py"), SELF_CHECK);
  const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(index.code).toBe(0);
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

/** Hybrid mode runs with both sides (`--vector-weight 1`): this index is too small to calibrate, which would leave the vector side out. */
async function search(mode: string, ...args: string[]): Promise<{ mode: string; results: SearchHitJson[] }> {
  const weight = mode === "hybrid" ? ["--vector-weight", "1"] : [];
  const result = await runCli(["search", "parse http header", "--json", "-n", "3", "--mode", mode, ...weight, ...args], { cwd: repo });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { mode: string; results: SearchHitJson[] };
}

describe.each(SEARCH_MODES)("search --mode %s", (mode) => {
  it("without filters, every top hit is a test function", async () => {
    const { results } = await search(mode);
    expect(results).toHaveLength(3);
    for (const hit of results) expect(hit.name).toMatch(/^test_parse_http_header_/);
  });

  // The class is an answer of its own beside its method (issue 18), so the three answers fill the three places.
  it("--exclude-tests drops test files and test_* functions, and the answers come back", async () => {
    const { results } = await search(mode, "--exclude-tests");
    expect(results.map((h) => h.qualname).sort()).toEqual(["HttpHeaders", "HttpHeaders.get", "split_header_block"]);
  });

  it("--path keeps only matching files, and the answers come back", async () => {
    const { results } = await search(mode, "--path", "lib/headers.py");
    expect(results.map((h) => h.qualname).sort()).toEqual(["HttpHeaders", "HttpHeaders.get", "split_header_block"]);
    const excluded = await search(mode, "--path", "!tests/", "--path", "!**/selfcheck.py");
    expect(excluded.results.map((h) => h.qualname).sort()).toEqual(["HttpHeaders", "HttpHeaders.get", "split_header_block"]);
  });

  it("--kind keeps only that kind of entity", async () => {
    expect((await search(mode, "--kind", "class")).results.map((h) => h.qualname)).toEqual(["HttpHeaders"]);
    expect((await search(mode, "--kind", "method")).results.map((h) => h.qualname)).toEqual(["HttpHeaders.get"]);
  });

  it("--json names the mode and each side's rank", async () => {
    const { mode: shown, results } = await search(mode, "--exclude-tests");
    expect(shown).toBe(mode);
    for (const hit of results) {
      expect(hit.ranks.vector === null).toBe(mode === "lexical");
      expect(hit.ranks.lexical === null).toBe(mode === "vector");
      expect(hit.match_line).toBeGreaterThanOrEqual(hit.start_line);
      expect(hit.match_line).toBeLessThanOrEqual(hit.end_line);
    }
  });
});

describe("search --vector-weight", () => {
  it("by default an uncalibrated index searches hybrid mode without the vector side", async () => {
    const result = await runCli(["search", "parse http header", "--json", "-n", "3", "--exclude-tests"], { cwd: repo });
    const { results } = JSON.parse(result.stdout) as { results: SearchHitJson[] };
    expect(results.length).toBeGreaterThan(0);
    for (const hit of results) expect(hit.ranks.vector).toBeNull();
  });

  it("is a usage error outside hybrid mode, or when not a number ≥ 0", async () => {
    expect((await runCli(["search", "x", "--mode", "lexical", "--vector-weight", "1"], { cwd: repo })).code).toBe(2);
    expect((await runCli(["search", "x", "--vector-weight", "-1"], { cwd: repo })).code).toBe(2);
    expect((await runCli(["search", "x", "--vector-weight", "lots"], { cwd: repo })).code).toBe(2);
  });
});

describe("search filters, whole results", () => {
  it("a glob that matches no file gives no results and says so", async () => {
    const result = await runCli(["search", "parse http header", "--path", "docs/**"], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no results");
  });

  it("rejects an unknown --kind or --mode as a usage error", async () => {
    expect((await runCli(["search", "x", "--kind", "lambda"], { cwd: repo })).code).toBe(2);
    expect((await runCli(["search", "x", "--mode", "fuzzy"], { cwd: repo })).code).toBe(2);
  });

  it("hybrid puts an entity the query names as code first", async () => {
    const { results } = await search("hybrid", "-n", "1");
    expect(results[0]!.exact_name).toBe(false);
    const named = await runCli(["search", "HttpHeaders.get()", "--json", "-n", "1"], { cwd: repo });
    const hit = (JSON.parse(named.stdout) as { results: SearchHitJson[] }).results[0]!;
    expect([hit.qualname, hit.exact_name]).toEqual(["HttpHeaders.get", true]);
  });
});
