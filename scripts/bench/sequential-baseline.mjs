// (3) Sequential baseline: the pipeline's own embedder (`loadTransformersEmbedder`) called with one
// entity at a time over the same entities; the cold index's ratio over it. Writes sequential-baseline.json.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, distModule, parseBenchArgs, readResult, requireInputs, say, writeResult } from "./bench-config.mjs";
import { loadCorpusChunks } from "./corpus-entities.mjs";
import { median, percentile, round } from "./stats.mjs";

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/sequential-baseline.mjs [--quick]\n(3) loadTransformersEmbedder's embed([text]) once per entity, in corpus order, model load excluded: entities/s, and cold-index.json's ratio over it.",
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("sequential", line);
  const { chunks } = await loadCorpusChunks(plan.corpusRoot);
  const { loadTransformersEmbedder } = await distModule("embed/index.js");
  const loadStartedAt = performance.now();
  const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: BENCH_MODEL_DIR }, cacheDir: path.join(BENCH_MODEL_DIR, ".unused-cache"), offline: true });
  const modelLoadMs = performance.now() - loadStartedAt;
  log(`model loaded in ${round(modelLoadMs)} ms; embedding ${chunks.length} entities one at a time…`);

  await embedder.embed([chunks[0].text]); // warm-up, as the embedder's own load-time probe is for the pipeline
  const callMs = [];
  const startedAt = performance.now();
  for (const chunk of chunks) {
    const callStartedAt = performance.now();
    const [vector] = await embedder.embed([chunk.text]);
    callMs.push(performance.now() - callStartedAt);
    if (vector.length !== embedder.dimension) throw new Error(`got a ${vector.length}-d vector`);
  }
  const wallMs = performance.now() - startedAt;
  await embedder.dispose();
  const entitiesPerSec = chunks.length / (wallMs / 1000);

  const cold = readResult(args.resultsDir, "cold-index");
  const coldOverSequential = cold ? cold.entitiesPerSec / entitiesPerSec : null;
  log(`${chunks.length} entities in ${round(wallMs)} ms → ${round(entitiesPerSec, 2)} entities/s (call p50 ${round(median(callMs))} ms, p95 ${round(percentile(callMs, 95))} ms)`);
  if (cold) log(`cold index (whole process) ${cold.entitiesPerSec} entities/s = ${round(coldOverSequential, 3)}× this baseline`);

  const file = writeResult(args.resultsDir, "sequential-baseline", plan, {
    unit: { entitiesPerSec: "entities/s", ms: "ms" },
    entities: chunks.length,
    entitiesPerSec: round(entitiesPerSec, 2),
    wallMs: round(wallMs),
    modelLoadMs: round(modelLoadMs),
    callMsP50: round(median(callMs), 2),
    callMsP95: round(percentile(callMs, 95), 2),
    coldIndexEntitiesPerSec: cold?.entitiesPerSec ?? null,
    coldOverSequential: coldOverSequential === null ? null : round(coldOverSequential, 4),
    processMaxRssKb: process.resourceUsage().maxRSS,
  });
  log(`→ ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
