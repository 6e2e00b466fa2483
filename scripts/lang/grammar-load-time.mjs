#!/usr/bin/env node
// Time to load each language's grammar in a fresh process (issue 20's goal: ≤ 50 ms per language
// used): web-tree-sitter's runtime, the grammar's .wasm and its compiled definitions query, as the
// first file of that language pays them (loadGrammarParser). Median of `runs` fresh processes.
// Usage: npm run build && node scripts/lang/grammar-load-time.mjs [runs=5]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LANGUAGES } from "../../dist/lang/index.js";

const runs = Number(process.argv[2] ?? 5);
const extract = fileURLToPath(new URL("../../dist/extract/index.js", import.meta.url));
const lang = fileURLToPath(new URL("../../dist/lang/index.js", import.meta.url));

function timeOnce(id) {
  const script = [
    `const { loadGrammarParser } = await import(${JSON.stringify(extract)});`,
    `const { languageById } = await import(${JSON.stringify(lang)});`,
    `const spec = languageById(${JSON.stringify(id)});`,
    `const start = performance.now();`,
    `await loadGrammarParser(spec.grammar, spec.definitionsQuery);`,
    `console.log(performance.now() - start);`,
  ].join("\n");
  return Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim());
}

console.log("| language | grammar | load ms (median of " + runs + " fresh processes) | min | max |");
console.log("|---|---|---:|---:|---:|");
for (const language of LANGUAGES) {
  const times = Array.from({ length: runs }, () => timeOnce(language.id)).sort((a, b) => a - b);
  console.log(`| ${language.id} | ${language.grammar.wasmFile} | ${times[Math.floor(runs / 2)].toFixed(1)} | ${times[0].toFixed(1)} | ${times[runs - 1].toFixed(1)} |`);
}
