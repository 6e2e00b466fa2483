#!/usr/bin/env node
// @ts-check
// Whether a model folder's vectors can be computed from its ONNX file's token table (issue 22): the
// token-table embedder (dist/embed/token-table-embedder.js, no model runtime) against onnxruntime-node
// running the same file, on the entity texts of a source folder and a few queries; prints the
// lowest cosine and the largest difference of any value. With --declare, and only when every text
// agrees (cosine ≥ 0.9999), writes `"embedding": "token-mean"` into the folder's codesearch.json, the
// declaration that makes codesearch use the table (docs/speed.md). Run it on every rebuilt model:
//   npm run build && node scripts/bench/token-table-check.mjs models/codesearch-small [--texts <source folder>] [--declare]
// The default texts are fixtures/python's entities. Exit status 0: they agree; 1: they do not, or the
// folder is not a token-table model.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./bench-config.mjs";

const args = process.argv.slice(2);
const flag = (/** @type {string} */ name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const modelArg = args.find((a, i) => !a.startsWith("--") && !["--texts"].includes(args[i - 1] ?? ""));
if (!modelArg) {
  console.error("usage: node scripts/bench/token-table-check.mjs <model dir> [--texts <source folder>] [--declare]");
  process.exit(2);
}
const dir = path.resolve(modelArg);
const textsDir = path.resolve(flag("--texts") ?? path.join(REPO_ROOT, "fixtures", "python"));
const MIN_COSINE = 0.9999;
const QUERIES = ["python check if a variable is iterable", "read a file line by line", "parse an http header", "sort a dict by value"];

const { loadOnnxEmbedder, loadTokenTableEmbedder, MODEL_SETTINGS_FILE } = await import("../../dist/embed/index.js");
const { extractEntities, prepareChunks, DEFAULT_MAX_CHUNK_CHARS } = await import("../../dist/extract/index.js");

/** @type {string[]} */
const texts = [...QUERIES];
for (const file of readdirSync(textsDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".py"))) {
  const { entities } = await extractEntities(file, readFileSync(path.join(textsDir, file), "utf8"));
  texts.push(...prepareChunks(entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS }).map((c) => c.text));
}

// The check compares the table itself, so it reads it whether or not the folder declares it yet.
const settingsFile = path.join(dir, MODEL_SETTINGS_FILE);
const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
const declared = settings.embedding === "token-mean";
const table = await loadTokenTableEmbedder({ source: { kind: "local", dir }, undeclared: true });
if (table.ok === false) {
  console.error(`not a token-table model: ${table.reason}`);
  process.exit(1);
}
const onnx = await loadOnnxEmbedder({ source: { kind: "local", dir } });
if (onnx.ok === false) {
  console.error(`onnxruntime-node cannot run the model: ${onnx.reason}`);
  process.exit(1);
}

let lowest = 1;
let largestDifference = 0;
let skipped = 0;
for (const text of texts) {
  /** @type {Float32Array[]} */
  let pair;
  try {
    pair = [(await table.embedder.embed([text]))[0], (await onnx.embedder.embed([text]))[0]];
  } catch {
    skipped++; // a text with nothing to embed fails on both sides; test/embed/token-table-embedder.test.ts checks they agree
    continue;
  }
  let dot = 0;
  for (let d = 0; d < pair[0].length; d++) {
    dot += pair[0][d] * pair[1][d];
    largestDifference = Math.max(largestDifference, Math.abs(pair[0][d] - pair[1][d]));
  }
  lowest = Math.min(lowest, dot);
}
await onnx.embedder.dispose();
const agree = lowest >= MIN_COSINE && texts.length - skipped > 0;
console.log(`${texts.length - skipped} texts (${skipped} with nothing to embed) from ${path.relative(process.cwd(), textsDir) || "."} and ${QUERIES.length} queries: lowest cosine ${lowest.toFixed(7)}, largest difference ${largestDifference.toExponential(2)} → ${agree ? "agree" : "DIFFER"}`);
if (agree && args.includes("--declare") && !declared) {
  writeFileSync(settingsFile, `${JSON.stringify({ ...settings, embedding: "token-mean" }, null, 2)}\n`);
  console.log(`declared "embedding": "token-mean" in ${settingsFile}`);
} else if (declared) {
  console.log(`${settingsFile} already declares "embedding": "token-mean"`);
}
process.exitCode = agree ? 0 : 1;
