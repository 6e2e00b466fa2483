#!/usr/bin/env node
// Cold `codesearch index` of the benchmark corpus with the bundled codesearch-small model: whole
// process entities/s (wall and per CPU-second, GNU time's user + system) and where the time goes
// (extract, model load, embed, store, fusion calibration, the rest), median of runs.
//   bash scripts/bench/fetch-corpus.sh && npm run build && node scripts/bench/small-model-index.mjs [runs] [--source <folder>]
// --source indexes another folder instead (issue 22: Debian's Django). The per-user shared embedding
// cache is off (`--shared-cache off`), so every run embeds every entity. Writes only temp index
// folders, removed after each run.
import { rmSync } from "node:fs";
import os from "node:os";
import { CORPUS_SRC } from "./bench-config.mjs";
import { runColdIndex } from "./cold-index.mjs";
import { median, round } from "./stats.mjs";

const args = process.argv.slice(2);
const sourceAt = args.indexOf("--source");
const source = sourceAt >= 0 ? args[sourceAt + 1] : CORPUS_SRC;
const runs = Number(args.find((a, i) => !a.startsWith("--") && i !== sourceAt + 1) ?? 3);
const results = [];
for (let i = 0; i < runs; i++) {
  const loadBefore = os.loadavg()[0];
  const run = await runColdIndex(source, "codesearch-small", ["--shared-cache", "off"]);
  rmSync(run.indexDir, { recursive: true, force: true });
  const named = Object.values(run.phasesMs).reduce((a, b) => a + b, 0);
  results.push({ ...run, phasesMs: { ...run.phasesMs, rest: run.wallMs - named } });
  console.log(
    `run ${i + 1}/${runs}: ${run.entities} entities, ${round(run.wallMs)} ms wall → ${round(run.entitiesPerSec, 1)} entities/s; ` +
      `CPU ${round(run.cpuMs ?? 0)} ms → ${round(run.entities / ((run.cpuMs ?? NaN) / 1000), 1)} entities per CPU-second; ` +
      `phases ms ${JSON.stringify(results.at(-1).phasesMs, (_, v) => (typeof v === "number" ? Math.round(v) : v))}; ` +
      `1-min load average before ${loadBefore.toFixed(1)}, after ${os.loadavg()[0].toFixed(1)}`,
  );
}
const mid = (f) => round(median(results.map(f)), 1);
console.log(
  `median of ${runs}: ${mid((r) => r.entitiesPerSec)} entities/s whole process (wall ${mid((r) => r.wallMs)} ms), ` +
    `${mid((r) => r.entities / (r.cpuMs / 1000))} entities per CPU-second (CPU ${mid((r) => r.cpuMs)} ms); embed phase ${mid((r) => r.embedPhaseEntitiesPerSec ?? 0)} entities/s`,
);
console.log(`median phases ms: ${Object.keys(results[0].phasesMs).map((k) => `${k} ${mid((r) => r.phasesMs[k])}`).join(", ")}`);
console.log(`machine: nproc ${os.cpus().length}, ${os.cpus()[0]?.model}, Node ${process.version}`);
