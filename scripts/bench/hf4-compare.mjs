// (7) Optional: @huggingface/transformers 4.x (onnxruntime-node 1.30, installed apart in bench-hf4/)
// against @xenova/transformers 2.17 (onnxruntime-node 1.14): raw throughput, token ids and
// embeddings of the same entities. Writes hf4-compare.json.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REPO_ROOT, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { cosine } from "./onnx-batches.mjs";
import { round } from "./stats.mjs";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "hf4-worker.mjs");
const HF4_DIR = path.join(REPO_ROOT, "bench-hf4");
export const HF4_INSTALL = "npm install --prefix bench-hf4 @huggingface/transformers@4 --onnxruntime-node-install=skip";
/** Smallest cosine similarity at which two libraries' vectors count as the same embedding. */
const SAME_EMBEDDING_MIN_COSINE = 0.999;

function runWorker(lib, out, quick, entities) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, "--lib", lib, "--out", out, ...(quick ? ["--quick"] : []), ...(entities ? ["--entities", entities] : [])], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(readFileSync(out, "utf8"))) : reject(new Error(`${lib} worker exited ${code}:\n${err.slice(-3000)}`))));
  });
}

async function main() {
  const args = parseBenchArgs(
    `usage: node scripts/bench/hf4-compare.mjs [--quick] [--entities N]\n--entities N: measure a seeded sample of N corpus entities (the same for both) instead of all.\n(7) optional: transformers.js 4.x vs 2.17 on raw onnxruntime throughput (entities/s) and on the embeddings of a seeded sample (cosine). Needs ${HF4_INSTALL}`,
    { entities: { type: "string" } },
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("hf4", line);
  if (!existsSync(path.join(HF4_DIR, "node_modules", "@huggingface", "transformers", "package.json"))) {
    const file = writeResult(args.resultsDir, "hf4-compare", plan, { installed: false, reason: "bench-hf4/ has no @huggingface/transformers", installCommand: HF4_INSTALL });
    log(`skipped: @huggingface/transformers 4.x is not installed; install it apart with \`${HF4_INSTALL}\` → ${file}`);
    return;
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-hf4-"));
  try {
    const sides = {};
    for (const lib of ["xenova", "hf4"]) {
      sides[lib] = await runWorker(lib, path.join(scratch, `${lib}.json`), plan.mode !== "full", args.entities);
      const s = sides[lib];
      log(`${lib === "xenova" ? "@xenova/transformers" : "@huggingface/transformers"} ${s.version} (onnxruntime-node ${s.onnxruntimeNode}): raw best batch ${s.raw.best}, ${s.raw.full.entitiesPerSec} entities/s on ${s.raw.full.entities} entities; its own model call one entity at a time ${s.sample.entitiesPerSec} entities/s (called as the embedder calls it: median width ${s.sample.paddedWidthMedian} tokens for a median of ${s.sample.tokensMedian} real ones); peak RSS ${s.maxRssKb} kB`);
    }
    const { xenova, hf4 } = sides;
    const sameIds = xenova.sample.ids.filter((ids, k) => ids.length === hf4.sample.ids[k].length && ids.every((id, t) => id === hf4.sample.ids[k][t])).length;
    const cosines = xenova.sample.vectors.map((v, k) => cosine(v, hf4.sample.vectors[k]));
    let maxAbsDiff = 0;
    xenova.sample.vectors.forEach((v, k) => v.forEach((x, d) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - hf4.sample.vectors[k][d])))));
    const minCosine = Math.min(...cosines);
    const result = {
      installed: true,
      unit: { entitiesPerSec: "entities/s", maxRssKb: "kB" },
      xenova: { version: xenova.version, onnxruntimeNode: xenova.onnxruntimeNode, raw: xenova.raw, modelCallEntitiesPerSec: xenova.sample.entitiesPerSec, modelCallPaddedWidthMedian: xenova.sample.paddedWidthMedian, tokenizeMs: xenova.tokenizeMs, maxRssKb: xenova.maxRssKb },
      hf4: { version: hf4.version, onnxruntimeNode: hf4.onnxruntimeNode, raw: hf4.raw, modelCallEntitiesPerSec: hf4.sample.entitiesPerSec, modelCallPaddedWidthMedian: hf4.sample.paddedWidthMedian, tokenizeMs: hf4.tokenizeMs, maxRssKb: hf4.maxRssKb },
      rawSpeedup: round(hf4.raw.full.entitiesPerSec / xenova.raw.full.entitiesPerSec, 3),
      sample: { entities: cosines.length, identicalTokenIds: sameIds, minCosine: round(minCosine, 6), meanCosine: round(cosines.reduce((a, b) => a + b, 0) / cosines.length, 6), maxAbsDiff: round(maxAbsDiff, 6) },
      sameEmbedding: minCosine >= SAME_EMBEDDING_MIN_COSINE,
      sameEmbeddingMinCosine: SAME_EMBEDDING_MIN_COSINE,
    };
    const file = writeResult(args.resultsDir, "hf4-compare", plan, result);
    log(`raw throughput 4.x / 2.17: ${result.rawSpeedup}×; sample of ${cosines.length}: ${sameIds} identical token id lists, cosine min ${result.sample.minCosine}, mean ${result.sample.meanCosine}, max |Δ| ${result.sample.maxAbsDiff} → ${result.sameEmbedding ? "same" : "different"} embeddings (threshold ${SAME_EMBEDDING_MIN_COSINE}) → ${file}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
