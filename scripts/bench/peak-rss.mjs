// (6) Peak memory (RSS, kB): collects the 5k cold index and search processes' GNU time figures and
// the 100k in-process search's maxRSS from the other results, and measures the whole `index`
// process on a 100k-entity synthetic repository with the test model. Writes peak-rss.json.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TEST_MODEL_DIR, parseBenchArgs, readResult, requireInputs, say, writeResult } from "./bench-config.mjs";
import { loadCorpusChunks } from "./corpus-entities.mjs";
import { indexRunSummary, runCodesearch } from "./run-process.mjs";
import { round } from "./stats.mjs";
import { writeSyntheticRepo } from "./synthetic-repo.mjs";

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/peak-rss.mjs [--quick] [--keep]\n(6) peak RSS (kB) of index and search: the cold-index and search-latency results, plus the whole `index` process on a synthetic repository of 100k entities (2k with --quick) with the test model fixtures/model, and one `search` process on that index. --keep leaves the synthetic repository and index in place.",
    { keep: { type: "boolean" } },
  );
  requireInputs(["dist", "corpus", "testModel"]);
  const { plan } = args;
  const log = (line) => say("peak-rss", line);
  const cold = readResult(args.resultsDir, "cold-index");
  const search = readResult(args.resultsDir, "search-latency");
  if (!cold) log("no cold-index.json: run cold-index.mjs for the corpus index's peak RSS");
  if (!search) log("no search-latency.json: run search-latency.mjs for the search figures");

  const { files } = await loadCorpusChunks(plan.corpusRoot);
  const repo = writeSyntheticRepo(files, plan.syntheticRepoEntities);
  log(`synthetic repository: ${repo.entities} entities in ${repo.files} files (${repo.copies} renamed copies of the corpus) at ${repo.dir}`);
  const indexDir = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-synthetic-index-"));
  try {
    const run = await runCodesearch(["index", repo.dir, "--model", TEST_MODEL_DIR, "--db", indexDir, "--json"]);
    let indexed;
    try {
      indexed = indexRunSummary(run);
    } catch (error) {
      // A crash (out of memory, say) is a finding too: keep its exit code and the RSS it reached.
      const file = writeResult(args.resultsDir, "peak-rss", plan, { failed: true, exitCode: run.exitCode, wallMs: round(run.wallMs), maxRssKb: run.maxRssKb, stderrTail: run.stderr.slice(-4000) });
      log(`the index of the synthetic repository failed (exit ${run.exitCode}) at peak RSS ${run.maxRssKb} kB → ${file}`);
      throw error;
    }
    const { summary, phasesMs } = indexed;
    const largeIndex = {
      entities: summary.chunksEmbedded,
      entitiesFound: summary.entitiesFound,
      chunksStored: summary.chunksStored,
      failures: summary.failures.length,
      exitCode: run.exitCode,
      wallMs: round(run.wallMs),
      entitiesPerSec: round(summary.chunksEmbedded / (run.wallMs / 1000), 1),
      phasesMs,
      maxRssKb: run.maxRssKb,
    };
    log(`index of ${largeIndex.entities} entities with the test model: ${largeIndex.wallMs} ms (${largeIndex.entitiesPerSec} entities/s; store ${phasesMs.store} ms), peak RSS ${largeIndex.maxRssKb} kB, exit ${run.exitCode}`);

    const searchRun = await runCodesearch(["search", "escape html special characters in a string", "--db", indexDir, "--json"]);
    if (searchRun.exitCode !== 0) throw new Error(`search exited ${searchRun.exitCode}:\n${searchRun.stderr.slice(-2000)}`);
    const largeSearch = { rows: summary.chunksStored, wallMs: round(searchRun.wallMs), maxRssKb: searchRun.maxRssKb };
    log(`search process on it (test model): ${largeSearch.wallMs} ms, peak RSS ${largeSearch.maxRssKb} kB`);

    const result = {
      unit: { maxRssKb: "kB (GNU time \"Maximum resident set size\", or process.resourceUsage().maxRSS)", wallMs: "ms" },
      corpusIndexProcessKb: cold?.maxRssKbMedian ?? null,
      corpusIndexEntities: cold?.entities ?? null,
      corpusSearchProcessKb: search?.process.maxRssKbMedian ?? null,
      corpusSearchInProcessKb: search?.inProcess.corpus.maxRssKb ?? null,
      syntheticTableSearchInProcessKb: search?.inProcess.synthetic.maxRssKb ?? null,
      syntheticTableRows: search?.inProcess.synthetic.rowCount ?? null,
      syntheticRepo: { files: repo.files, copies: repo.copies, entitiesWritten: repo.entities, model: TEST_MODEL_DIR },
      syntheticRepoIndexProcess: largeIndex,
      syntheticRepoSearchProcess: largeSearch,
    };
    const file = writeResult(args.resultsDir, "peak-rss", plan, result);
    log(`index ${result.corpusIndexEntities ?? "?"} entities: ${result.corpusIndexProcessKb ?? "?"} kB; search process: ${result.corpusSearchProcessKb ?? "?"} kB; in-process search at ${result.syntheticTableRows ?? "?"} rows: ${result.syntheticTableSearchInProcessKb ?? "?"} kB; index ${largeIndex.entities} entities (test model): ${largeIndex.maxRssKb} kB → ${file}`);
  } finally {
    if (!args.keep) {
      rmSync(repo.dir, { recursive: true, force: true });
      rmSync(indexDir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
