#!/usr/bin/env node
// Our byte-level BPE tokenizer (dist/embed/byte-level-bpe.js) against transformers.js 2.17.2 on
// the entity texts of the CoSQA corpus (../shared/eval/cosqa/corpus, skipped when absent) and of
// the benchmark corpus (bench-corpus/src, skipped when absent), raw and as codesearch-small
// prepares them (split identifiers), at the 512-token limit: mismatch counts (must be 0) and CPU
// ms per text of each tokenizer (ours cold = empty word cache, warm = a second pass).
//   npm run build && node scripts/bench/tokenizer-equality.mjs [model dir, default models/codesearch-small]
import { existsSync } from "node:fs";
import path from "node:path";
import { CORPUS_SRC, REPO_ROOT, distModule } from "./bench-config.mjs";
import { loadCorpusChunks, loadTokenizer } from "./corpus-entities.mjs";

const modelDir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, "models", "codesearch-small"));
const COSQA = path.resolve(REPO_ROOT, "..", "shared", "eval", "cosqa", "corpus");
const MAX_TOKENS = 512;

const { readByteLevelBpe } = await distModule("embed/byte-level-bpe.js");
const { identifierWords } = await distModule("model/identifier-words.js");
const reference = await loadTokenizer(modelDir);

/**
 * CPU milliseconds `work` takes (user + system of this process).
 * @template T
 * @param {() => T} work
 * @returns {{ result: T, ms: number }}
 */
function cpuMs(work) {
  const before = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(before);
  return { result, ms: (used.user + used.system) / 1000 };
}

let totalMismatches = 0;
for (const [name, root] of [["cosqa", COSQA], ["bench-corpus", CORPUS_SRC]]) {
  if (!existsSync(root)) {
    console.log(`${name}: ${root} absent, skipped`);
    continue;
  }
  const { chunks } = await loadCorpusChunks(root);
  const raw = chunks.map((c) => c.text);
  /** @type {Array<[string, string[]]>} */
  const variantTexts = [["raw", raw], ["split-identifiers", raw.map(identifierWords)]];
  for (const [variant, texts] of variantTexts) {
    const read = readByteLevelBpe(modelDir);
    if (!read.ok) throw new Error(`model not taken by the light tokenizer: ${read.reason}`);
    const expected = cpuMs(() => reference(texts, { padding: false, truncation: true, max_length: MAX_TOKENS, return_tensor: false }).input_ids);
    const cold = cpuMs(() => texts.map((t) => read.tokenizer.encode(t, MAX_TOKENS)));
    const warm = cpuMs(() => texts.map((t) => read.tokenizer.encode(t, MAX_TOKENS)));
    let mismatches = 0;
    texts.forEach((_, i) => {
      const a = cold.result[i];
      const b = expected.result[i];
      if (a.length !== b.length || a.some((id, j) => id !== b[j])) mismatches++;
    });
    totalMismatches += mismatches;
    const per = (ms) => (ms / texts.length).toFixed(3);
    console.log(
      `${name} ${variant}: ${texts.length} texts, ${mismatches} mismatches; CPU ms/text transformers.js ${per(expected.ms)}, ours cold ${per(cold.ms)}, warm ${per(warm.ms)}`,
    );
  }
}
console.log(`total mismatches: ${totalMismatches}`);
process.exitCode = totalMismatches === 0 ? 0 : 1;
