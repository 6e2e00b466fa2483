#!/usr/bin/env node
// Where a `search` process's model load goes (BENCHMARKS.md, codesearch-small), for both local
// runtimes: the light one `search` uses for byte-level BPE folders (onnxruntime-node import, our
// tokenizer read, ONNX session, one query embedded) and transformers.js (import, tokenizer build,
// session, one query).
//
//   npm run build && node scripts/bench/query-model-load.mjs <model dir> [runs]    # default 3 runs, one fresh process each
//
// Each run is a child process (nothing cached between runs); prints ms per step and the medians.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./stats.mjs";

const [modelArg, runsArg] = process.argv.slice(2);
if (!modelArg) {
  console.error("usage: node scripts/bench/query-model-load.mjs <model dir> [runs]");
  process.exit(2);
}
const modelDir = path.resolve(modelArg);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const QUERY = "python check if a variable is iterable";

const light = `
const { performance } = await import("node:perf_hooks");
const t0 = performance.now();
const ort = await import("onnxruntime-node");
const t1 = performance.now();
const { readByteLevelBpe } = await import(${JSON.stringify(path.join(ROOT, "dist/embed/byte-level-bpe.js"))});
const read = readByteLevelBpe(${JSON.stringify(modelDir)});
if (!read.ok) throw new Error(read.reason);
const t2 = performance.now();
const { loadOnnxEmbedder } = await import(${JSON.stringify(path.join(ROOT, "dist/embed/onnx-embedder.js"))});
const t3 = performance.now();
const loaded = await loadOnnxEmbedder({ source: { kind: "local", dir: ${JSON.stringify(modelDir)} } });
const t4 = performance.now();
await loaded.embedder.embed([${JSON.stringify(QUERY)}]);
const t5 = performance.now();
console.log(JSON.stringify({ "light: import onnxruntime-node": t1 - t0, "light: read tokenizer": t2 - t1, "light: whole load (tokenizer, session, probe)": t4 - t3, "light: embed query": t5 - t4 }));
`;

const transformers = `
const { performance } = await import("node:perf_hooks");
const t0 = performance.now();
const tf = await import("@xenova/transformers");
const t1 = performance.now();
tf.env.allowRemoteModels = false;
tf.env.localModelPath = ${JSON.stringify(path.dirname(modelDir) + "/")};
const tokenizer = await tf.AutoTokenizer.from_pretrained(${JSON.stringify(path.basename(modelDir))});
const t2 = performance.now();
const model = await tf.AutoModel.from_pretrained(${JSON.stringify(path.basename(modelDir))}, { quantized: true });
const t3 = performance.now();
const inputs = tokenizer([${JSON.stringify(QUERY)}], { padding: true, truncation: true });
await model(inputs);
const t4 = performance.now();
console.log(JSON.stringify({ "transformers.js: import": t1 - t0, "transformers.js: tokenizer": t2 - t1, "transformers.js: session": t3 - t2, "transformers.js: embed query": t4 - t3 }));
`;

const runs = [];
for (let i = 0; i < Number(runsArg ?? 3); i++) {
  const one = {};
  for (const child of [light, transformers]) {
    Object.assign(one, JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", child], { cwd: ROOT, encoding: "utf8" })));
  }
  runs.push(one);
}
for (const key of Object.keys(runs[0])) console.log(`${key.padEnd(48)} ${runs.map((r) => r[key].toFixed(0)).join(" / ")} ms, median ${median(runs.map((r) => r[key])).toFixed(0)} ms`);
