// (1) The limit: raw onnxruntime throughput on the pipeline's own token ids, at the best batch
// shape. Drives onnxruntime-node directly (the copy transformers.js 2.17 uses); writes raw-limit.json.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, distModule, loadOnnxRuntime, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { MAX_TOKENS, loadCorpusChunks, loadTokenizer, tokenizeTexts } from "./corpus-entities.mjs";
import { batchesOf, cosine, lengthSortedOrder, meanPool, paddingEfficiency, runBatches } from "./onnx-batches.mjs";
import { median, percentile, round, sampleInOrder, seededRandom } from "./stats.mjs";

/** Batch sizes tried: 1 runs each entity at its exact length; larger ones are length-sorted and padded to the batch's longest. */
export const SHAPES = [1, 2, 4, 8];
const SAMPLE_SEED = 4;
/** Session options: what transformers.js 2.17 passes in Node (CPU provider, onnxruntime's default threads and graph optimisation). */
export const SESSION_OPTIONS = { executionProviders: ["cpu"] };

/**
 * The seeded shape-selection sample: `windowCount` windows of `windowSize` consecutive entities
 * in token-length order, aligned to multiples of `windowSize`. Every batch of every tried size
 * in the sample is then exactly a batch of the full length-sorted run, so the sample pads as
 * much as the full run would.
 * @returns indices into the entity list, in length order.
 */
export function shapeSample(order, windowSize, windowCount, seed = SAMPLE_SEED) {
  const windows = batchesOf(order, windowSize).filter((w) => w.length === windowSize);
  return sampleInOrder(windows, windowCount, seededRandom(seed)).flat();
}

/**
 * The batches the pipeline computes today, for comparison (not a candidate for the limit):
 * `embedChunks` cuts batches of 8 and transformers-embedder.ts calls the 2.17 tokenizer with
 * `padding: true, max_length: 512`, which pads every row to 512 tokens, whatever the batch's longest.
 */
export const PIPELINE_SHAPE = { batchSize: 8, padTo: 512 };

/**
 * Measures each batch size of `shapes` on the sample, then the fastest on every entity; with
 * `pipelineShape`, also that shape on the sample (reported apart, never chosen as the best).
 * @param session an onnxruntime InferenceSession; `Tensor` that runtime's tensor class.
 * @param idsList token ids per entity (BigInt64Array, truncated, unpadded).
 * @param onFullOutput optional `(batch, output, mask, width)` callback during the full run.
 * @returns `{ shapes: [{ batchSize, entitiesPerSec, ... }], best, full, pipelineShape }`; rates in entities/s, times in ms.
 */
export async function measureRawLimit({ session, Tensor, idsList, padId, windowCount, shapes = SHAPES, pipelineShape = null, log = (/** @type {string} */ _line) => {}, onFullOutput = undefined }) {
  const lengths = idsList.map((ids) => ids.length);
  const order = lengthSortedOrder(lengths);
  const windowSize = Math.max(...shapes);
  const sample = shapeSample(order, windowSize, windowCount);
  if (sample.length === 0) throw new Error(`fewer than ${windowSize} entities: nothing to sample`);
  await runBatches(session, Tensor, idsList, [sample.slice(0, 1)], { padId }); // first call: allocations, thread pool

  const measureSample = async (batchSize, padTo = 0) => {
    const batches = batchesOf(sample, batchSize);
    await runBatches(session, Tensor, idsList, batches.slice(0, 1), { padId, padTo }); // warm-up of this shape
    const run = await runBatches(session, Tensor, idsList, batches, { padId, padTo });
    return {
      batchSize,
      padding: padTo > 0 ? `every row padded to ${padTo} tokens` : batchSize === 1 ? "none (exact lengths)" : "length-sorted, padded to the batch's longest",
      sampleEntities: run.entities,
      entitiesPerSec: round(run.entities / (run.wallMs / 1000), 2),
      wallMs: round(run.wallMs),
      runMs: round(run.runMs),
      batchMsP50: round(median(run.batchMs), 2),
      paddingEfficiency: round(paddingEfficiency(lengths, batches, padTo), 4),
    };
  };
  const shapeResults = [];
  for (const batchSize of shapes) {
    const result = await measureSample(batchSize);
    shapeResults.push(result);
    log(`sample of ${result.sampleEntities} entities, batch ${batchSize}: ${result.entitiesPerSec} entities/s (session.run ${result.runMs} ms of ${result.wallMs} ms; real/padded tokens ${result.paddingEfficiency})`);
  }
  let pipeline = null;
  if (pipelineShape) {
    pipeline = await measureSample(pipelineShape.batchSize, pipelineShape.padTo);
    log(`for comparison, batch ${pipeline.batchSize} with ${pipeline.padding} (what transformers-embedder.ts gets from the 2.17 tokenizer today): ${pipeline.entitiesPerSec} entities/s on the same sample (real/padded tokens ${pipeline.paddingEfficiency})`);
  }
  const best = shapeResults.reduce((a, b) => (b.entitiesPerSec > a.entitiesPerSec ? b : a));
  log(`best shape: batch ${best.batchSize}; measuring it on all ${idsList.length} entities…`);
  const fullBatches = batchesOf(order, best.batchSize);
  const run = await runBatches(session, Tensor, idsList, fullBatches, { padId, onOutput: onFullOutput });
  const full = {
    batchSize: best.batchSize,
    entities: run.entities,
    entitiesPerSec: round(run.entities / (run.wallMs / 1000), 2),
    wallMs: round(run.wallMs),
    runMs: round(run.runMs),
    batchMsP50: round(median(run.batchMs), 2),
    batchMsP95: round(percentile(run.batchMs, 95), 2),
    paddingEfficiency: round(paddingEfficiency(lengths, fullBatches), 4),
  };
  log(`all ${full.entities} entities, batch ${full.batchSize}: ${full.entitiesPerSec} entities/s (${full.wallMs} ms)`);
  return { shapes: shapeResults, best: best.batchSize, full, pipelineShape: pipeline, sampleSeed: SAMPLE_SEED, sampleWindows: windowCount, sampleWindowSize: windowSize };
}

/**
 * Padding of the pipeline's batches: `embedChunks` sorts by `text.length` (characters) and cuts
 * batches of 8. `sortedByChars` / `sortedByTokens`: real / computed tokens when each batch is
 * padded to its longest, with the two sort keys; `asTokenizerPadsToday`: the same with the width
 * the 2.17 tokenizer really returns when called as transformers-embedder.ts calls it
 * (`padding: true, truncation: true, max_length`).
 */
export function pipelinePadding(tokenizer, texts, lengths, batchSize = 8, maxTokens = MAX_TOKENS) {
  const byChars = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  let real = 0;
  let computed = 0;
  for (const batch of batchesOf(byChars, batchSize)) {
    const encoded = tokenizer(batch.map((i) => texts[i]), { padding: true, truncation: true, max_length: maxTokens });
    computed += encoded.input_ids.dims[0] * encoded.input_ids.dims[1];
    for (const i of batch) real += lengths[i];
  }
  return {
    batchSize,
    sortedByChars: round(paddingEfficiency(lengths, batchesOf(byChars, batchSize)), 4),
    sortedByTokens: round(paddingEfficiency(lengths, batchesOf(lengthSortedOrder(lengths), batchSize)), 4),
    asTokenizerPadsToday: round(real / computed, 4),
  };
}

/**
 * Embeds `texts` with the pipeline's embedder (`loadTransformersEmbedder`, one text per call) and
 * returns the cosine of each with `vectors`: a check that the raw path feeds the model what the
 * pipeline feeds it (1.0 up to float rounding).
 */
export async function checkAgainstEmbedder(modelDir, texts, vectors) {
  const { loadTransformersEmbedder } = await distModule("embed/index.js");
  const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: modelDir }, cacheDir: path.join(modelDir, ".unused-cache"), offline: true });
  try {
    const cosines = [];
    for (let i = 0; i < texts.length; i++) cosines.push(cosine((await embedder.embed([texts[i]]))[0], vectors[i]));
    return cosines;
  } finally {
    await embedder.dispose();
  }
}

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/raw-limit.mjs [--quick]\n(1) raw onnxruntime-node throughput (entities/s) on the pipeline's token ids: batch 1 exact, length-sorted batches of 2/4/8 padded; the best on a seeded sample, then on all entities.",
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("raw-limit", line);
  const { chunks } = await loadCorpusChunks(plan.corpusRoot);
  const texts = chunks.map((c) => c.text);
  const tokenizer = await loadTokenizer(BENCH_MODEL_DIR);
  const tokenized = tokenizeTexts(tokenizer, texts);
  const lengths = tokenized.ids.map((ids) => ids.length);
  log(`${chunks.length} entities tokenised in ${round(tokenized.durationMs)} ms (mean ${round(lengths.reduce((a, b) => a + b, 0) / lengths.length)} tokens)`);

  const { ort, version } = loadOnnxRuntime();
  const modelFile = path.join(BENCH_MODEL_DIR, "onnx", "model_quantized.onnx");
  const loadStartedAt = performance.now();
  const session = await ort.InferenceSession.create(modelFile, SESSION_OPTIONS);
  const sessionLoadMs = performance.now() - loadStartedAt;
  log(`onnxruntime-node ${version}: session created in ${round(sessionLoadMs)} ms; inputs ${session.inputNames.join(", ")}`);

  // Keep the pooled vectors of a few seeded entities from the full run, to compare with the pipeline's embedder.
  const checkIndices = new Set(sampleInOrder(texts.map((_, i) => i), 3, seededRandom(11)));
  const pooled = new Map();
  const onFullOutput = (batch, output, mask, width) => {
    const hidden = output.last_hidden_state;
    batch.forEach((entity, b) => {
      if (!checkIndices.has(entity)) return;
      const [, tokens, dim] = hidden.dims;
      const rowMask = mask.subarray(b * width, (b + 1) * width);
      pooled.set(entity, meanPool(hidden.data.subarray(b * tokens * dim, (b + 1) * tokens * dim), rowMask, 1, tokens, dim)[0]);
    });
  };
  const measured = await measureRawLimit({ session, Tensor: ort.Tensor, idsList: tokenized.ids, padId: tokenizer.pad_token_id, windowCount: plan.shapeSampleWindows, pipelineShape: PIPELINE_SHAPE, log, onFullOutput });
  const checked = [...checkIndices];
  const cosines = await checkAgainstEmbedder(BENCH_MODEL_DIR, checked.map((i) => texts[i]), checked.map((i) => pooled.get(i)));
  log(`same inputs as the pipeline: cosine with loadTransformersEmbedder's vectors ${cosines.map((c) => c.toFixed(6)).join(", ")}`);
  const padding = pipelinePadding(tokenizer, texts, lengths);
  log(`real/computed tokens in batches of 8: sorted by characters (as embedChunks does) ${padding.sortedByChars}, sorted by tokens ${padding.sortedByTokens}; as the 2.17 tokenizer pads when called as the embedder calls it ${padding.asTokenizerPadsToday}`);

  const file = writeResult(args.resultsDir, "raw-limit", plan, {
    unit: { entitiesPerSec: "entities/s", ms: "ms", paddingEfficiency: "real tokens / computed token positions" },
    entities: chunks.length,
    tokens: { mean: round(lengths.reduce((a, b) => a + b, 0) / lengths.length), p50: percentile(lengths, 50), p95: percentile(lengths, 95), max: Math.max(...lengths) },
    tokenizeMs: round(tokenized.durationMs),
    sessionLoadMs: round(sessionLoadMs),
    sessionOptions: SESSION_OPTIONS,
    onnxruntimeNode: version,
    ...measured,
    embedderCosines: cosines,
    pipelinePadding: padding,
    processMaxRssKb: process.resourceUsage().maxRSS,
  });
  log(`→ ${file}`);
  await session.release?.();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
