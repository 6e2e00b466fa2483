#!/usr/bin/env node
// Embeds the JSON array of texts on stdin with codesearch's own embedder (dist/, so `npm run build`
// first) and a model folder; prints the vectors as a JSON array. Used by check_export.py.
//   node scripts/train-model/embed-texts.mjs <model dir> < texts.json
import { readFileSync } from "node:fs";
import { loadTransformersEmbedder, resolveModelSource } from "../../dist/embed/index.js";

const [dir] = process.argv.slice(2);
const texts = JSON.parse(readFileSync(0, "utf8"));
const embedder = await loadTransformersEmbedder({ source: resolveModelSource(dir, process.cwd()), cacheDir: "/nonexistent", offline: true });
const vectors = await embedder.embed(texts);
await embedder.dispose();
process.stdout.write(JSON.stringify(vectors.map((v) => Array.from(v))));
