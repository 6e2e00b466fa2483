// One side of the transformers.js comparison (7), in its own process so each library loads only its
// own onnxruntime-node: raw throughput on its own token ids, and embeddings of a seeded sample.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BENCH_MODEL_DIR, REPO_ROOT, benchPlan, loadOnnxRuntime } from "./bench-config.mjs";
import { MAX_TOKENS, loadCorpusChunks } from "./corpus-entities.mjs";
import { meanPool } from "./onnx-batches.mjs";
import { SESSION_OPTIONS, measureRawLimit } from "./raw-limit.mjs";
import { median, round, sampleInOrder, seededRandom } from "./stats.mjs";

/** The isolated install of @huggingface/transformers 4.x (never the main project's node_modules). */
export const HF4_DIR = path.join(REPO_ROOT, "bench-hf4");
const SAMPLE_SEED = 12;

/** `{ transformers, ort, version, ortVersion, modelOptions }` of one library: `xenova` (2.17) or `hf4` (4.x in bench-hf4/). */
async function loadLibrary(lib) {
  if (lib === "xenova") {
    const { ort, version: ortVersion } = loadOnnxRuntime();
    const transformers = await import("@xenova/transformers");
    const version = createRequire(path.join(REPO_ROOT, "package.json"))("@xenova/transformers/package.json").version;
    return { transformers, ort, version, ortVersion, modelOptions: { quantized: true } };
  }
  const packageDir = path.join(HF4_DIR, "node_modules", "@huggingface", "transformers");
  const transformers = await import(pathToFileURL(path.join(packageDir, "dist", "transformers.node.mjs")).href);
  const requireFromHf4 = createRequire(path.join(packageDir, "package.json"));
  const ort = requireFromHf4("onnxruntime-node");
  return {
    transformers,
    ort,
    version: JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")).version,
    ortVersion: requireFromHf4("onnxruntime-node/package.json").version,
    modelOptions: { dtype: "q8", device: "cpu" },
  };
}

async function main() {
  const { values } = parseArgs({ options: { lib: { type: "string" }, out: { type: "string" }, quick: { type: "boolean" }, entities: { type: "string" } } });
  if (!["xenova", "hf4"].includes(values.lib) || !values.out) {
    process.stderr.write("usage: node scripts/bench/hf4-worker.mjs --lib xenova|hf4 --out <file.json> [--quick] [--entities N] (run by hf4-compare.mjs)\n");
    process.exit(2);
  }
  const plan = benchPlan(values.quick ?? false);
  const { chunks } = await loadCorpusChunks(plan.corpusRoot);
  // --entities N: a seeded sample of N entities in corpus order (the same sample for both libraries).
  const picked = values.entities ? sampleInOrder(chunks.map((_, i) => i), Number(values.entities), seededRandom(SAMPLE_SEED + 1)) : chunks.map((_, i) => i);
  const texts = picked.map((i) => chunks[i].text);
  const { transformers, ort, version, ortVersion, modelOptions } = await loadLibrary(values.lib);
  const { env, AutoTokenizer, AutoModel } = transformers;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useFSCache = false;
  env.localModelPath = `${path.dirname(BENCH_MODEL_DIR)}/`;
  const name = path.basename(BENCH_MODEL_DIR);
  const tokenizer = await AutoTokenizer.from_pretrained(name);

  const tokenizeStartedAt = performance.now();
  const idsList = texts.map((t) => tokenizer(t, { truncation: true, max_length: MAX_TOKENS }).input_ids.data);
  const tokenizeMs = performance.now() - tokenizeStartedAt;
  const session = await ort.InferenceSession.create(path.join(BENCH_MODEL_DIR, "onnx", "model_quantized.onnx"), SESSION_OPTIONS);
  const raw = await measureRawLimit({ session, Tensor: ort.Tensor, idsList, padId: tokenizer.pad_token_id, windowCount: plan.shapeSampleWindows });
  await session.release?.();

  // The library's own model call, one text per call, pooled as the pipeline pools.
  const model = await AutoModel.from_pretrained(name, modelOptions);
  const sample = sampleInOrder(texts.map((_, i) => i), plan.mode === "quick" ? 16 : 64, seededRandom(SAMPLE_SEED));
  const vectors = [];
  const widths = [];
  const startedAt = performance.now();
  for (const i of sample) {
    // As transformers-embedder.ts calls it; 2.17 then pads to max_length, 4.x to the longest text.
    const encoded = tokenizer([texts[i]], { padding: true, truncation: true, max_length: MAX_TOKENS });
    widths.push(encoded.input_ids.dims[1]);
    const hidden = (await model(encoded)).last_hidden_state;
    const [batch, tokens, width] = hidden.dims;
    vectors.push(Array.from(meanPool(hidden.data, encoded.attention_mask.data, batch, tokens, width)[0]));
  }
  const embedMs = performance.now() - startedAt;
  await model.dispose?.();

  writeFileSync(
    values.out,
    JSON.stringify({
      lib: values.lib,
      version,
      onnxruntimeNode: ortVersion,
      entities: texts.length,
      tokenizeMs: round(tokenizeMs),
      raw,
      sample: { indices: sample, ids: sample.map((i) => Array.from(idsList[i], Number)), vectors, entitiesPerSec: round(sample.length / (embedMs / 1000), 2), paddedWidthMedian: median(widths), tokensMedian: median(sample.map((i) => idsList[i].length)) },
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
}

await main();
