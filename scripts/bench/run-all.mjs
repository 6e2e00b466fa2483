// Runs every benchmark of issue 4 in order, each in its own process, then prints (and writes to
// summary.md) a markdown table of the medians and ratios with the machine's facts, for BENCHMARKS.md.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { machineFacts, parseBenchArgs, readResult, requireInputs, say } from "./bench-config.mjs";
import { round } from "./stats.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The steps, in the order they run; later ones read earlier ones' results (ratios, the kept index). */
export const STEPS = ["corpus-entities", "raw-limit", "cold-index", "max-tokens", "sequential-baseline", "warm-reindex", "search-latency", "vector-index-choice", "peak-rss", "hf4-compare"];

function runStep(step, extraArgs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(HERE, `${step}.mjs`), ...extraArgs], { stdio: "inherit" });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? "—" : String(round(value, digits)));
const pct = (ratio) => (ratio === null || ratio === undefined ? "—" : `${round(100 * ratio, 1)}%`);

/** The markdown report: machine facts, then one table row per measurement (units in their own column). */
export function summaryMarkdown(resultsDir, plan) {
  const m = machineFacts(plan);
  const corpus = readResult(resultsDir, "corpus-entities");
  const raw = readResult(resultsDir, "raw-limit");
  const cold = readResult(resultsDir, "cold-index");
  const seq = readResult(resultsDir, "sequential-baseline");
  const warm = readResult(resultsDir, "warm-reindex");
  const search = readResult(resultsDir, "search-latency");
  const rss = readResult(resultsDir, "peak-rss");
  const hf4 = readResult(resultsDir, "hf4-compare");
  const choice = readResult(resultsDir, "vector-index-choice");
  const maxTokens = readResult(resultsDir, "max-tokens");
  const small = search?.inProcess.corpus;
  const large = search?.inProcess.synthetic;
  const vectorIndexNote = (s) =>
    s?.exactVectorSearch ? `${s.vectorIndex ? `vector index ${s.vectorIndex}` : "no vector index (exact)"}, recall@10 ${s.recallAtLimit} vs exact; exact p50 / p95 ${s.exactVectorSearch.p50} / ${s.exactVectorSearch.p95} ms` : "";
  const hybrid = (s) =>
    [
      s?.hybridRankEntities ? `hybrid rankEntities (default mode, no embedding): p50 ${s.hybridRankEntities.p50} / p95 ${s.hybridRankEntities.p95} ms` : "",
      s?.lexicalRankEntities ? `lexical p50 ${s.lexicalRankEntities.p50} ms` : "",
      s?.lexicalColumnsAtDepth ? `BM25 top ${s.lexicalColumnsAtDepth.depth} p50 by column: head ${s.lexicalColumnsAtDepth.head.p50}, body ${s.lexicalColumnsAtDepth.body.p50}, name trigrams ${s.lexicalColumnsAtDepth.nameGrams.p50}, the three combined ${s.lexicalColumnsAtDepth.combined.p50} ms` : "",
    ].filter(Boolean).join("; ");
  const rows = [
    ["1", `raw onnxruntime-node ${raw?.onnxruntimeNode ?? ""} limit, best shape batch ${raw?.full.batchSize ?? "?"}${raw?.full.batchSize > 1 ? " (length-sorted, padded)" : " (exact lengths)"}`, fmt(raw?.full.entitiesPerSec, 2), "entities/s", raw ? `sample: ${raw.shapes.map((s) => `b${s.batchSize} ${s.entitiesPerSec}`).join(", ")}${raw.pipelineShape ? `, b${raw.pipelineShape.batchSize} padded to 512 (the pipeline's shape) ${raw.pipelineShape.entitiesPerSec}` : ""}; real/padded tokens ${raw.full.paddingEfficiency}` : ""],
    ["2", "cold index, whole `codesearch index` process", fmt(cold?.entitiesPerSec, 2), "entities/s", cold ? `${pct(cold.ratioToRawLimit)} of (1); ${cold.entities} entities in ${fmt(cold.wallMsMedian, 0)} ms; embedding phase ${cold.embedPhaseEntitiesPerSec} entities/s; ${cold.runs} run(s)` : ""],
    ["2b", `cold index with \`--max-tokens\` 512 / 256 / 128 (${maxTokens ? path.basename(maxTokens.corpusRoot) : "?"})`, maxTokens ? maxTokens.runs.map((r) => r.entitiesPerSec).join(" / ") : "—", "entities/s", maxTokens ? maxTokens.runs.map((r) => `${r.maxTokens}: ${r.speedupOver512}×, ${r.entitiesCut} of ${r.entities} cut`).join("; ") : ""],
    ["3", "sequential baseline: embedder, one entity per call (model load excluded)", fmt(seq?.entitiesPerSec, 2), "entities/s", seq?.coldOverSequential ? `(2) is ${round(seq.coldOverSequential, 2)}× (3)` : ""],
    ["4a", `warm re-index, unchanged corpus (median of ${warm?.unchanged.length ?? "?"})`, fmt(warm?.unchangedMsMedian, 0), "ms", ""],
    ["4b", `warm re-index, one function appended to one module (median of ${warm?.edited.length ?? "?"})`, fmt(warm?.editedMsMedian, 0), "ms", warm ? `${warm.editedModule}; 1 entity embedded; model load ${warm.edited[0]?.modelLoadMs} ms of it` : ""],
    ["5a", `search, whole \`codesearch search\` process (median of ${search?.process.runs.length ?? "?"})`, fmt(search?.process.wallMsMedian, 0), "ms", search ? `model load + query embedding (one query ${search.queryEmbedMsP50} ms) + search` : ""],
    ["5b", `query latency at ${small?.rowCount ?? "?"} rows, searchEntities p50 / p95`, small ? `${small.vectorSearchEntities.p50} / ${small.vectorSearchEntities.p95}` : "—", "ms", [vectorIndexNote(small), hybrid(small)].filter(Boolean).join("; ")],
    ["5c", `query latency at ${large?.rowCount ?? "?"} rows (synthetic), searchEntities p50 / p95`, large ? `${large.vectorSearchEntities.p50} / ${large.vectorSearchEntities.p95}` : "—", "ms", [vectorIndexNote(large), hybrid(large)].filter(Boolean).join("; ")],
    ["6a", `peak RSS, cold index process (${cold?.entities ?? "?"} entities)`, fmt(cold?.maxRssKbMedian, 0), "kB", ""],
    ["6b", "peak RSS, search process", fmt(search?.process.maxRssKbMedian, 0), "kB", ""],
    ["6c", `peak RSS, in-process search at ${large?.rowCount ?? "?"} rows`, fmt(large?.maxRssKb, 0), "kB", `at ${small?.rowCount ?? "?"} rows: ${fmt(small?.maxRssKb, 0)} kB`],
    rss?.failed
      ? ["6d", "peak RSS, index process of the synthetic repo (test model)", fmt(rss.maxRssKb, 0), "kB", `FAILED: exit ${rss.exitCode} after ${rss.wallMs} ms (see peak-rss.json)`]
      : ["6d", `peak RSS, index process of a ${rss?.syntheticRepoIndexProcess.entities ?? "?"}-entity synthetic repo (test model)`, fmt(rss?.syntheticRepoIndexProcess.maxRssKb, 0), "kB", rss ? `${rss.syntheticRepoIndexProcess.wallMs} ms, ${rss.syntheticRepoIndexProcess.entitiesPerSec} entities/s; its search process ${rss.syntheticRepoSearchProcess.maxRssKb} kB` : ""],
    hf4?.installed
      ? ["7", `@huggingface/transformers ${hf4.hf4.version} (onnxruntime-node ${hf4.hf4.onnxruntimeNode}) raw limit, batch ${hf4.hf4.raw.full.batchSize}, ${hf4.hf4.raw.full.entities} entities`, fmt(hf4.hf4.raw.full.entitiesPerSec, 2), "entities/s", `${hf4.rawSpeedup}× 2.17's ${hf4.xenova.raw.full.entitiesPerSec} in the same run; each library's model call, one entity at a time as the embedder calls it: 2.17 ${hf4.xenova.modelCallEntitiesPerSec} (padded to ${hf4.xenova.modelCallPaddedWidthMedian} tokens, median), 4.x ${hf4.hf4.modelCallEntitiesPerSec} (${hf4.hf4.modelCallPaddedWidthMedian}); embeddings of ${hf4.sample.entities} entities: cosine min ${hf4.sample.minCosine} (${hf4.sameEmbedding ? "same" : "different"})`]
      : ["7", "@huggingface/transformers 4.x", "—", "", hf4 ? `not installed: ${hf4.installCommand}` : "not run"],
  ];
  const lines = [
    `Machine: ${m.cpuModel}, ${m.availableParallelism} cores (nproc), ${round(m.memoryBytes / 2 ** 30, 1)} GiB; Node ${m.node}; @xenova/transformers ${m.transformersJs}, onnxruntime-node ${m.onnxruntimeNode}, LanceDB ${m.lancedb}; load average ${m.loadAverage1m.toFixed(2)} when the table was made.`,
    `Model: ${m.model} (${m.mode === "smoke" ? "the project's test model" : "CodeBERT-shaped, random weights"}, int8 onnx/model_quantized.onnx, ${round((m.modelFileBytes ?? 0) / 1e6, 1)} MB). Corpus: ${corpus ? `${corpus.entities} entities in ${corpus.files} files` : "?"} under ${path.relative(process.cwd(), m.corpusRoot) || m.corpusRoot}${corpus ? `, ${corpus.tokens.mean} tokens on average, ${corpus.entitiesTruncatedAtMaxTokens} cut at 512` : ""}. Commit ${m.commit}${m.workingTreeDirty ? " (uncommitted changes)" : ""}; mode ${m.mode}.`,
    "",
    "| # | measurement | value | unit | ratio / notes |",
    "|---|---|---:|---|---|",
    ...rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`),
  ];
  if (choice) {
    lines.push("", "Vector index choice (synthetic table, CodeBERT-shaped vectors; p50 ms per query, recall@10 against exact search):", "", "| rows | exact p50 | IVF_FLAT p50 (nprobes 20) | IVF_FLAT recall@10 | IVF_FLAT build ms |", "|---:|---:|---:|---:|---:|");
    for (const r of choice.bySize) lines.push(`| ${r.rows} | ${r.exactP50} | ${r.ivfFlatP50} | ${r.ivfFlatRecallAt10} | ${r.ivfFlatBuildMs} |`);
    lines.push("", `At ${choice.atLargest.rows} rows (exact p50 ${choice.atLargest.exactP50} ms):`, "", "| index | query settings | build ms | p50 | p95 | recall@10 |", "|---|---|---:|---:|---:|---:|");
    for (const r of choice.atLargest.compared) lines.push(`| ${r.index} | ${Object.entries(r.settings).map(([k, v]) => `${k} ${v}`).join(", ")} | ${r.buildMs} | ${r.p50} | ${r.p95} | ${r.recallAt10} |`);
  }
  if (raw?.pipelinePadding) {
    const p = raw.pipelinePadding;
    lines.push("", `Real / computed tokens in the pipeline's batches of 8: ${p.asTokenizerPadsToday} as the 2.17 tokenizer pads them when called as transformers-embedder.ts calls it (\`padding: true, max_length: 512\`); ${p.sortedByChars} if padded to each batch's longest (sorted by characters, as embedChunks sorts); ${p.sortedByTokens} sorted by tokens.`);
  }
  return `${lines.join("\n")}\n`;
}

async function main() {
  const args = parseBenchArgs(
    `usage: node scripts/bench/run-all.mjs [--quick | --smoke] [--skip step,step] [--cold-runs N] [--hf4-entities N] [--table-only]\nRuns ${STEPS.join(", ")} in order (each also runs alone: node scripts/bench/<step>.mjs), then prints a markdown table and writes it to bench-results/summary.md (bench-results/quick/ with --quick). --smoke runs every step in seconds on fixtures/python with the test model (results in $CODESEARCH_BENCH_RESULTS or bench-results/smoke/; the test suite runs it).`,
    { skip: { type: "string" }, "cold-runs": { type: "string" }, "hf4-entities": { type: "string" }, "table-only": { type: "boolean" } },
  );
  requireInputs(["dist", "corpus", "benchModel", "testModel"]);
  const { plan } = args;
  const skip = new Set((args.skip ?? "").split(",").filter(Boolean));
  const unknown = [...skip].filter((s) => !STEPS.includes(s));
  if (unknown.length > 0) {
    process.stderr.write(`unknown step(s): ${unknown.join(", ")}; steps are ${STEPS.join(", ")}\n`);
    process.exit(2);
  }
  const failed = [];
  if (!args["table-only"]) {
    for (const step of STEPS) {
      if (skip.has(step)) continue;
      const stepArgs = [...(args.quick ? ["--quick"] : []), ...(args.smoke ? ["--smoke"] : []), ...(step === "cold-index" && args["cold-runs"] ? ["--runs", args["cold-runs"]] : []), ...(step === "hf4-compare" && args["hf4-entities"] ? ["--entities", args["hf4-entities"]] : [])];
      const startedAt = Date.now();
      const code = await runStep(step, stepArgs);
      say("run-all", `${step}: ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${round((Date.now() - startedAt) / 1000, 1)} s`);
      if (code !== 0) failed.push(step);
    }
  }
  const markdown = summaryMarkdown(args.resultsDir, plan);
  const file = path.join(args.resultsDir, "summary.md");
  writeFileSync(file, markdown);
  process.stdout.write(`\n${markdown}\n`);
  say("run-all", `table written to ${file}${plan.mode === "full" ? "" : ` (--${plan.mode}: a check of the harness; these numbers are not results)`}`);
  if (failed.length > 0) {
    say("run-all", `failed steps: ${failed.join(", ")}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
