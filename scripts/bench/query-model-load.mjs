#!/usr/bin/env node
// Where a `search` process's model load goes (BENCHMARKS.md, codesearch-small): importing
// transformers.js, building the tokenizer, creating the ONNX session, embedding one query.
//
//   node scripts/bench/query-model-load.mjs <model dir> [runs]    # default 3 runs, one fresh process each
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

const child = `
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
const inputs = tokenizer(["python check if a variable is iterable"], { padding: true, truncation: true });
await model(inputs);
const t4 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, tokenizerMs: t2 - t1, sessionMs: t3 - t2, embedMs: t4 - t3 }));
`;

const runs = [];
for (let i = 0; i < Number(runsArg ?? 3); i++) {
  runs.push(JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", child], { cwd: ROOT, encoding: "utf8" })));
}
for (const key of Object.keys(runs[0])) console.log(`${key.padEnd(12)} ${runs.map((r) => r[key].toFixed(0)).join(" / ")} ms, median ${median(runs.map((r) => r[key])).toFixed(0)} ms`);
