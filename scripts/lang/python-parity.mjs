#!/usr/bin/env node
// Python unchanged by the language registry (issue 20): extracts a Python package with the build
// of an older commit and with this one, and compares every prepared chunk's contentHash (the
// SHA-256 of the embedded text) and the extraction time (passes interleaved, median).
// Usage: npm run build, then build the old commit beside it:
//   mkdir /tmp/old && git archive 9e4cb72 src tsconfig.json package.json | tar -x -C /tmp/old &&
//   ln -s "$PWD/node_modules" /tmp/old/node_modules && (cd /tmp/old && npx tsc -p tsconfig.json)
//   node scripts/lang/python-parity.mjs /tmp/old /usr/lib/python3/dist-packages/markdown [passes=5]
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

const [oldRoot, packageRoot, passArg] = process.argv.slice(2);
const passes = Number(passArg ?? 5);
const [before, after] = await Promise.all([
  import(path.resolve(oldRoot, "dist/extract/index.js")),
  import(new URL("../../dist/extract/index.js", import.meta.url).href),
]);
const walk = (dir) =>
  readdirSync(dir).sort().flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith(".py") ? [full] : [];
  });
const texts = walk(packageRoot).map((file) => [path.relative(packageRoot, file), readFileSync(file, "utf8")]);

async function run(extract) {
  const start = performance.now();
  const hashes = [];
  for (const [file, text] of texts) {
    const { entities } = await extract.extractEntities(file, text);
    hashes.push(...extract.prepareChunks(entities, { maxChars: 2048 }).map((chunk) => `${chunk.id} ${chunk.contentHash}`));
  }
  return { ms: performance.now() - start, hashes };
}

await run(before);
await run(after);
const times = { before: [], after: [] };
let identical = true;
let chunks = 0;
for (let pass = 0; pass < passes; pass++) {
  const a = await run(before);
  const b = await run(after);
  times.before.push(a.ms);
  times.after.push(b.ms);
  chunks = b.hashes.length;
  identical &&= JSON.stringify(a.hashes) === JSON.stringify(b.hashes);
}
const median = (values) => values.sort((x, y) => x - y)[values.length >> 1];
console.log(`${texts.length} files, ${chunks} chunks; ids and embedded texts identical: ${identical}; extraction ms, median of ${passes}: before ${median(times.before).toFixed(0)}, after ${median(times.after).toFixed(0)}`);
