#!/usr/bin/env node
// Extraction speed per language, in one process: the grammar's load (runtime, .wasm and query),
// then extractEntities + prepareChunks over every file of a package (median of 3 passes).
// The stage issue 20 changed; embedding and storing are measured by index-speed.mjs.
// Usage: npm run build && node scripts/lang/extract-speed.mjs
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGES, ROOT } from "./speed-packages.mjs";
import { DEFAULT_MAX_CHUNK_CHARS, extractEntities, prepareChunks } from "../../dist/extract/index.js";
import { languageById } from "../../dist/lang/index.js";


function files(dir, extensions) {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = path.join(dir, name);
    const stats = statSync(full);
    if (stats.isDirectory()) return files(full, extensions);
    return extensions.some((e) => name.endsWith(e)) && !/\.d\.[cm]?ts$/.test(name) ? [full] : [];
  });
}

console.log("| language | package | files | entities | first file incl. grammar load ms | extract + prepare entities/s (median of 3) |");
console.log("|---|---|---:|---:|---:|---:|");
for (const [id, root] of PACKAGES) {
  const texts = files(root, languageById(id).extensions).map((file) => [file, readFileSync(file, "utf8")]);
  let start = performance.now();
  await extractEntities(texts[0][0], texts[0][1]);
  const firstMs = performance.now() - start;
  const rates = [];
  let entities = 0;
  for (let pass = 0; pass < 3; pass++) {
    entities = 0;
    start = performance.now();
    for (const [file, text] of texts) entities += prepareChunks((await extractEntities(file, text)).entities, { maxChars: DEFAULT_MAX_CHUNK_CHARS }).length;
    rates.push(entities / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  console.log(`| ${id} | ${root.replace(ROOT, "")} | ${texts.length} | ${entities} | ${firstMs.toFixed(0)} | ${rates[1].toFixed(0)} |`);
}
