// (4) Warm re-index: the whole `codesearch index` process on the unchanged corpus, and after
// appending a function to one module (restored afterwards, bytes and mtime). Writes warm-reindex.json.
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { ensureBenchIndex } from "./cold-index.mjs";
import { loadCorpusChunks } from "./corpus-entities.mjs";
import { indexRunSummary, runCodesearch } from "./run-process.mjs";
import { median, round, sampleInOrder, seededRandom } from "./stats.mjs";

const EDIT_SEED = 7;

/** The module edited: a seeded pick among the corpus files with at least 5 entities. */
function pickModule(files) {
  const candidates = files.filter((f) => f.chunks.length >= 5);
  return sampleInOrder(candidates.length > 0 ? candidates : files, 1, seededRandom(EDIT_SEED))[0].file;
}

/** A new top-level function, different for each edit so each is one cache miss. */
function appendedFunction(edit) {
  return `\n\ndef _bench_appended_${edit}(value):\n    """Return the value doubled (benchmark edit ${edit})."""\n    return value * 2\n`;
}

/**
 * Runs `fn` with `absPath` holding its original text plus `extra`, then puts back the original
 * bytes and access/modification times, also on SIGINT/SIGTERM.
 */
async function withAppended(absPath, extra, fn) {
  const original = readFileSync(absPath);
  const { atime, mtime } = statSync(absPath);
  const restore = () => {
    writeFileSync(absPath, original);
    utimesSync(absPath, atime, mtime);
  };
  const onSignal = (signal) => {
    restore();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    writeFileSync(absPath, Buffer.concat([original, Buffer.from(extra)]));
    return await fn();
  } finally {
    restore();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/warm-reindex.mjs [--quick]\n(4) whole `codesearch index` process (ms, peak RSS kB) re-indexing the unchanged corpus, and after appending a function to one module; medians of 5 (3 with --quick). Reuses the index cold-index.mjs kept, or builds one.",
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("warm-reindex", line);
  const indexDir = await ensureBenchIndex(plan, args.resultsDir, log);
  const indexArgs = ["index", plan.corpusRoot, "--model", BENCH_MODEL_DIR, "--db", indexDir, "--json"];
  const runIndex = async (expectEmbedded) => {
    const run = await runCodesearch(indexArgs);
    const { summary, phasesMs } = indexRunSummary(run);
    if (expectEmbedded !== null && summary.chunksEmbedded !== expectEmbedded) {
      throw new Error(`expected ${expectEmbedded} entities embedded, the run embedded ${summary.chunksEmbedded} (read ${summary.filesIndexed} files)`);
    }
    return { wallMs: round(run.wallMs), maxRssKb: run.maxRssKb, exitCode: run.exitCode, filesIndexed: summary.filesIndexed, chunksEmbedded: summary.chunksEmbedded, chunksFromCache: summary.chunksFromCache, modelLoadMs: phasesMs.modelLoad };
  };

  await runIndex(null); // settle: a kept index may lag the tree by one edit of an interrupted earlier run
  const unchanged = [];
  for (let i = 0; i < plan.warmRuns; i++) {
    const run = await runIndex(0);
    unchanged.push(run);
    log(`unchanged ${i + 1}/${plan.warmRuns}: ${run.wallMs} ms, ${run.filesIndexed} files read, peak RSS ${run.maxRssKb} kB`);
  }

  const { files } = await loadCorpusChunks(plan.corpusRoot);
  const module = pickModule(files);
  const edited = [];
  for (let i = 0; i < plan.warmRuns; i++) {
    const run = await withAppended(module.absPath, appendedFunction(i + 1), () => runIndex(1));
    edited.push(run);
    log(`one function appended to ${module.path} (${i + 1}/${plan.warmRuns}): ${run.wallMs} ms, ${run.chunksEmbedded} embedded, ${run.chunksFromCache} from cache, model load ${run.modelLoadMs} ms, peak RSS ${run.maxRssKb} kB`);
    await runIndex(0); // the restored file: rows back to the original, nothing embedded
  }

  const result = {
    unit: { wallMs: "ms", maxRssKb: "kB" },
    indexDir,
    unchangedMsMedian: median(unchanged.map((r) => r.wallMs)),
    editedMsMedian: median(edited.map((r) => r.wallMs)),
    editedModule: module.path,
    edit: "one top-level function (3 lines) appended; restored with its original bytes and mtime after each run",
    unchanged,
    edited,
  };
  const file = writeResult(args.resultsDir, "warm-reindex", plan, result);
  log(`median: unchanged ${result.unchangedMsMedian} ms, one module edited ${result.editedMsMedian} ms → ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
