#!/usr/bin/env node
// Whole-process `codesearch search` with codesearch-small in the default (hybrid) mode against the
// same search in `--mode lexical` (issue 12: default ≤ lexical + 100 ms). Indexes the benchmark
// corpus once with codesearch-small (its calibrated fusion gives the vector side a weight, so
// default searches embed their query), then runs each query in both modes, alternating, under GNU
// time: median wall and CPU (user + system) ms per mode, and their differences.
//   npm run build && node scripts/bench/search-model-delta.mjs [rounds, default 5] [--smoke]
// --smoke (or no bench-corpus/src): the committed fixtures/python instead of the corpus.
// Writes only a temp index folder, removed at the end.
import { existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CORPUS_SRC, REPO_ROOT } from "./bench-config.mjs";
import { runColdIndex } from "./cold-index.mjs";
import { runCodesearch } from "./run-process.mjs";
import { median, round } from "./stats.mjs";

const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
const corpus = process.argv.includes("--smoke") || !existsSync(CORPUS_SRC) ? path.join(REPO_ROOT, "fixtures", "python") : CORPUS_SRC;
const QUERIES = ["retry a request when the connection resets", "parse an HTTP header into a dictionary", "escape html special characters"];

const index = await runColdIndex(corpus, "codesearch-small");
try {
  const fusion = JSON.parse((await runCodesearch(["status", corpus, "--db", index.indexDir, "--json"])).stdout);
  console.log(`index: ${index.entities} entities of ${corpus}; fusion ${JSON.stringify(fusion.fusion?.weights ?? fusion.fusion ?? null)}`);
  const samples = { lexical: [], default: [] };
  for (let r = 0; r < rounds; r++) {
    for (const query of QUERIES) {
      for (const mode of r % 2 === 0 ? ["lexical", "default"] : ["default", "lexical"]) {
        const args = ["search", query, "--repo", corpus, "--db", index.indexDir, "-n", "10", ...(mode === "lexical" ? ["--mode", "lexical"] : [])];
        const run = await runCodesearch(args);
        if (run.exitCode !== 0) throw new Error(`search exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
        samples[mode].push(run);
      }
    }
  }
  const stat = (mode, key) => median(samples[mode].map((s) => s[key]));
  for (const mode of ["lexical", "default"]) {
    console.log(`${mode.padEnd(8)} median of ${samples[mode].length}: wall ${round(stat(mode, "wallMs"))} ms, CPU ${round(stat(mode, "cpuMs"))} ms`);
  }
  console.log(
    `default − lexical: wall ${round(stat("default", "wallMs") - stat("lexical", "wallMs"))} ms, CPU ${round(stat("default", "cpuMs") - stat("lexical", "cpuMs"))} ms ` +
      `(goal: wall ≤ +100 ms); 1-min load average ${os.loadavg()[0].toFixed(1)}; nproc ${os.cpus().length}, Node ${process.version}`,
  );
} finally {
  rmSync(index.indexDir, { recursive: true, force: true });
}
