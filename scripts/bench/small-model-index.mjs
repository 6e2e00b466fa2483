#!/usr/bin/env node
// Cold `codesearch index` of the benchmark corpus with the bundled codesearch-small model: whole
// process entities/s and where the time goes (model load, extract, embed, store), median of runs.
//   bash scripts/bench/fetch-corpus.sh && npm run build && node scripts/bench/small-model-index.mjs [runs]
// Writes only temp index folders, removed after each run.
import { rmSync } from "node:fs";
import os from "node:os";
import { CORPUS_SRC } from "./bench-config.mjs";
import { runColdIndex } from "./cold-index.mjs";
import { median, round } from "./stats.mjs";

const runs = Number(process.argv[2] ?? 3);
const results = [];
for (let i = 0; i < runs; i++) {
  const run = await runColdIndex(CORPUS_SRC, "codesearch-small");
  rmSync(run.indexDir, { recursive: true, force: true });
  results.push(run);
  console.log(
    `run ${i + 1}/${runs}: ${run.entities} entities, ${round(run.wallMs)} ms wall → ${round(run.entitiesPerSec, 1)} entities/s; ` +
      `phases ms ${JSON.stringify(run.phasesMs)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`,
  );
}
const mid = (f) => round(median(results.map(f)), 1);
console.log(`median of ${runs}: ${mid((r) => r.entitiesPerSec)} entities/s whole process; embed phase ${mid((r) => r.embedPhaseEntitiesPerSec ?? 0)} entities/s`);
console.log(`machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model}, Node ${process.version}`);
