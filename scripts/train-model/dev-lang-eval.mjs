#!/usr/bin/env node
// Per-language dev MRR@10 of a model folder on held-back doc comment → code pairs (the dev.jsonl
// files of extract-lang-pairs.mjs, whose packages were never trained on): each pair's query (the doc
// comment's summary) ranks every code text of the same language's dev set by cosine, with
// codesearch's own embedder (dist/, so `npx tsc -p tsconfig.json` first) and the folder's text preparation.
//
//   node scripts/train-model/dev-lang-eval.mjs <model dir> <dev.jsonl>...   → one JSON line per language
import { readFileSync } from "node:fs";
import { loadTransformersEmbedder, resolveModelSource } from "../../dist/embed/index.js";

const [dir, ...files] = process.argv.slice(2);
const embedder = await loadTransformersEmbedder({ source: resolveModelSource(dir, process.cwd()), cacheDir: "/nonexistent", offline: true });
for (const file of files) {
  const rows = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const byLanguage = new Map();
  for (const row of rows) byLanguage.set(row.language, [...(byLanguage.get(row.language) ?? []), row]);
  for (const [language, pairs] of byLanguage) {
    const embed = async (texts) => {
      const out = [];
      for (let i = 0; i < texts.length; i += 256) out.push(...(await embedder.embed(texts.slice(i, i + 256))));
      return out;
    };
    const queries = await embed(pairs.map((p) => p.query));
    const codes = await embed(pairs.map((p) => p.code));
    let total = 0;
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i];
      const dot = (v) => { let s = 0; for (let k = 0; k < v.length; k++) s += q[k] * v[k]; return s; };
      const own = dot(codes[i]);
      let rank = 1;
      for (let j = 0; j < codes.length && rank <= 10; j++) if (j !== i && dot(codes[j]) > own) rank++;
      if (rank <= 10) total += 1 / rank;
    }
    console.log(JSON.stringify({ model: dir, file, language, pairs: pairs.length, packages: new Set(pairs.map((p) => p.package)).size, mrr10: Number((total / pairs.length).toFixed(4)) }));
  }
}
await embedder.dispose();
