// The benchmark's entities, made exactly as `codesearch index` makes them (discover → read →
// tree-sitter → prepared text), and their CodeBERT token ids. Run alone: prints corpus statistics.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, distModule, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { percentile, round } from "./stats.mjs";

/** The token limit the pipeline uses for CodeBERT (512 positions, special tokens included). */
export const MAX_TOKENS = 512;

/**
 * Entities of the repository at `root`, as the index pipeline prepares them: `discoverFiles`,
 * `readSource`, `extractEntities`, `prepareChunks` with `DEFAULT_MAX_CHUNK_CHARS`.
 * @returns `{ files, chunks }`: `files` in path order, each `{ file, text, chunks }` (`text` the
 *   file's source); `chunks` all chunks in file then source order. Unreadable files are left out.
 */
export async function loadCorpusChunks(root) {
  const { discoverFiles, readSource } = await distModule("discover/index.js");
  const { extractEntities, prepareChunks, DEFAULT_MAX_CHUNK_CHARS } = await distModule("extract/index.js");
  const discovered = await discoverFiles(root);
  const files = [];
  for (const file of discovered.files) {
    const read = await readSource(file);
    if (read.kind !== "text") continue;
    const extracted = await extractEntities(file.path, read.text);
    files.push({ file, text: read.text, chunks: prepareChunks(extracted.entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS }) });
  }
  return { files, chunks: files.flatMap((f) => f.chunks) };
}

/**
 * Loads the model directory's tokenizer with transformers.js 2.17 configured for local files
 * only, as the embedder does (`loadTransformersEmbedder`).
 */
export async function loadTokenizer(modelDir = BENCH_MODEL_DIR) {
  const { env, AutoTokenizer } = await import("@xenova/transformers");
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.useFSCache = false;
  env.localModelPath = `${path.dirname(modelDir)}/`;
  return AutoTokenizer.from_pretrained(path.basename(modelDir));
}

/**
 * Token ids of each text as the embedder feeds them to the model: the tokenizer called with
 * `truncation: true, max_length: maxTokens` (special tokens included), without the padding a
 * batch adds. Synchronous work on the main thread.
 * @returns `{ ids, durationMs }`: `ids[i]` a BigInt64Array for `texts[i]`; `durationMs` wall ms for all.
 */
export function tokenizeTexts(tokenizer, texts, maxTokens = MAX_TOKENS) {
  const startedAt = performance.now();
  const ids = texts.map((text) => tokenizer(text, { truncation: true, max_length: maxTokens }).input_ids.data);
  return { ids, durationMs: performance.now() - startedAt };
}

/** Count, mean, p50, p95 and max of a list of lengths. */
export function lengthStats(lengths) {
  const total = lengths.reduce((a, b) => a + b, 0);
  return {
    count: lengths.length,
    mean: round(total / Math.max(1, lengths.length)),
    p50: percentile(lengths, 50),
    p95: round(percentile(lengths, 95)),
    max: Math.max(0, ...lengths),
  };
}

async function main() {
  const args = parseBenchArgs("usage: node scripts/bench/corpus-entities.mjs [--quick]\nPrints the benchmark corpus's entity count and text/token length statistics.");
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const { files, chunks } = await loadCorpusChunks(plan.corpusRoot);
  const perPackage = {};
  for (const f of files) {
    const pkg = plan.mode !== "full" ? path.basename(plan.corpusRoot) : f.file.path.split("/")[0];
    perPackage[pkg] = (perPackage[pkg] ?? 0) + f.chunks.length;
  }
  const tokenizer = await loadTokenizer();
  const texts = chunks.map((c) => c.text);
  const truncated = tokenizeTexts(tokenizer, texts);
  const untruncated = texts.map((t) => tokenizer(t).input_ids.data.length);
  const result = {
    unit: { chars: "UTF-16 code units", tokens: "CodeBERT BPE tokens incl. <s> </s>", durationMs: "ms" },
    corpusRoot: plan.corpusRoot,
    files: files.length,
    entities: chunks.length,
    perPackage,
    kinds: Object.fromEntries(["function", "method", "class"].map((k) => [k, chunks.filter((c) => c.kind === k).length])),
    textChars: lengthStats(texts.map((t) => t.length)),
    tokens: lengthStats(truncated.ids.map((ids) => ids.length)),
    entitiesTruncatedAtMaxTokens: untruncated.filter((n) => n > MAX_TOKENS).length,
    tokenizeDurationMs: round(truncated.durationMs),
  };
  const file = writeResult(args.resultsDir, "corpus-entities", plan, result);
  say("corpus", `${result.entities} entities in ${result.files} files under ${path.relative(process.cwd(), plan.corpusRoot)}`);
  say("corpus", `text chars: mean ${result.textChars.mean}, p50 ${result.textChars.p50}, p95 ${result.textChars.p95}, max ${result.textChars.max}`);
  say("corpus", `tokens (truncated to ${MAX_TOKENS}): mean ${result.tokens.mean}, p50 ${result.tokens.p50}, p95 ${result.tokens.p95}; ${result.entitiesTruncatedAtMaxTokens} entities hit the limit`);
  say("corpus", `tokenising all texts one by one: ${result.tokenizeDurationMs} ms → ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
