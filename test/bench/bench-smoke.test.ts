// The benchmark harness of issue 4 (scripts/bench/), run end to end in its --smoke mode: the demo
// repository and the test model instead of the corpus and the CodeBERT-shaped model. It asserts
// that every step produces its numbers, never what they are (no timing assertions).
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

function runBench(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "scripts", "bench", "run-all.mjs"), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

const positive = expect.any(Number);

describe("npm run bench -- --smoke", () => {
  it("runs every step on the demo repository and writes a number for each measurement", { timeout: 240_000 }, async () => {
    const results = await makeTempDir();
    const corpus = await copyPythonFixtures();
    const run = await runBench(["--smoke", "--skip", "hf4-compare"], { CODESEARCH_BENCH_RESULTS: results, CODESEARCH_BENCH_CORPUS: corpus });
    expect(run.code, run.output.slice(-3000)).toBe(0);
    const read = async (name: string) => JSON.parse(await readFile(path.join(results, `${name}.json`), "utf8"));

    const corpusEntities = await read("corpus-entities");
    expect(corpusEntities.entities).toBeGreaterThan(20);
    const raw = await read("raw-limit");
    expect(raw.full.entitiesPerSec).toBeGreaterThan(0);
    expect(raw.shapes.length).toBeGreaterThan(0);
    const cold = await read("cold-index");
    expect(cold.entities).toBe(corpusEntities.entities);
    expect(cold.entitiesPerSec).toBeGreaterThan(0);
    expect(cold.ratioToRawLimit).toBeGreaterThan(0);
    const sequential = await read("sequential-baseline");
    expect(sequential.entitiesPerSec).toBeGreaterThan(0);
    const warm = await read("warm-reindex");
    expect(warm.unchangedMsMedian).toBeGreaterThan(0);
    expect(warm.editedMsMedian).toBeGreaterThan(0);
    const search = await read("search-latency");
    expect(search.process.wallMsMedian).toBeGreaterThan(0);
    for (const side of [search.inProcess.corpus, search.inProcess.synthetic]) {
      expect(side.vectorSearchEntities).toMatchObject({ p50: positive, p95: positive });
      expect(side.exactVectorSearch).toMatchObject({ p50: positive, p95: positive });
      expect(side.recallAtLimit).toBeGreaterThanOrEqual(0);
      expect(side.recallAtLimit).toBeLessThanOrEqual(1);
    }
    expect(search.inProcess.synthetic.rowCount).toBe(300);
    const choice = await read("vector-index-choice");
    expect(choice.bySize[0]).toMatchObject({ rows: 300, exactP50: positive, ivfFlatP50: positive, ivfFlatBuildMs: positive });
    expect(choice.atLargest.compared.map((c: { index: string }) => c.index)).toEqual(expect.arrayContaining(["IVF_FLAT", "IVF_HNSW_SQ", "IVF_PQ"]));
    const rss = await read("peak-rss");
    expect(rss.syntheticRepoIndexProcess.entities).toBeGreaterThanOrEqual(60);

    // The table for BENCHMARKS.md names every step's measurement with a value.
    const summary = await readFile(path.join(results, "summary.md"), "utf8");
    for (const row of ["| 1 |", "| 2 |", "| 3 |", "| 4a |", "| 4b |", "| 5a |", "| 5b |", "| 5c |", "| 6d |"]) {
      const line = summary.split("\n").find((l) => l.startsWith(row));
      expect(line, row).toMatch(/\| [\d.]+( \/ [\d.]+)? \|/);
    }
  });
});
