#!/usr/bin/env node
// What keeping the index honest costs (issue 11, BENCHMARKS.md "Integrity checks"): the cheap
// checks every `index` run makes, an incremental run's store phase (full-text indexes rebuilt after
// every change), and a thorough `codesearch verify`, on a synthetic repository indexed with the
// committed test model.
//
//   node scripts/bench/integrity-costs.mjs [files] [functions-per-file]
//
// Default 500 files × 10 functions (5,000 entities). Needs `npm run build` first. Works in a temp
// folder that is removed at the end; prints one Markdown table row per figure (medians of 3).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { indexRepo, verifyIndex } from "../../dist/pipeline/index.js";
import { inspectEntityTable, openDatabase, readCatalog, readManifest } from "../../dist/store/index.js";
import { moduleText as scaledModuleText } from "./scale-modules.mjs";

const [files = 500, perFile = 10] = process.argv.slice(2).map(Number);
const MODEL_DIR = fileURLToPath(new URL("../../fixtures/model", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-integrity-"));
const repo = path.join(work, "repo");
const indexDir = path.join(repo, ".codesearch");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const moduleText = (i, tag) => scaledModuleText(i, perFile, tag);

async function run() {
  const events = [];
  const summary = await indexRepo({ repoRoot: repo, indexDir, cwd: repo, model: MODEL_DIR, modelCacheDir: path.join(work, "models"), offline: true, sink: (e) => events.push(e) });
  return { summary, events };
}

try {
  mkdirSync(path.join(repo, "pkg"), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(repo, "pkg", `mod_${i}.py`), moduleText(i));
  const cold = await run();
  console.log(`${cold.summary.chunksStored} entities, cold index ${Math.round(cold.summary.durationMs)} ms (machine: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`);

  const manifest = await readManifest(indexDir);
  const { table: committed } = await readCatalog(indexDir);
  const inspect = [];
  for (let k = 0; k < 3; k++) {
    const db = await openDatabase(indexDir);
    const started = performance.now();
    await inspectEntityTable(db, indexDir, committed, manifest.dimension);
    inspect.push(performance.now() - started);
    db.close();
  }
  const noop = [];
  for (let k = 0; k < 3; k++) noop.push((await run()).summary.durationMs);
  const store = [];
  const edited = [];
  for (let k = 0; k < 3; k++) {
    const file = path.join(repo, "pkg", `mod_${k}.py`);
    writeFileSync(file, moduleText(k, ` (edit ${k})`));
    const { summary, events } = await run();
    store.push(events.find((e) => e.type === "store-finished").durationMs);
    edited.push(summary.durationMs);
  }
  const verify = [];
  for (let k = 0; k < 3; k++) verify.push((await verifyIndex({ cwd: repo, repoRoot: repo })).durationMs);

  const rows = (await verifyIndex({ cwd: repo, repoRoot: repo })).rowsChecked;
  console.log("| figure | ms (median of 3) |");
  console.log("|---|---:|");
  console.log(`| cheap checks (inspectEntityTable), ${rows} rows | ${Math.round(median(inspect))} |`);
  console.log(`| no-op \`index\` run, checks included | ${Math.round(median(noop))} |`);
  console.log(`| one edited file: whole run | ${Math.round(median(edited))} |`);
  console.log(`| one edited file: store phase (delete, add, full-text rebuild, commit checks) | ${Math.round(median(store))} |`);
  console.log(`| \`verify\` (every file hashed, every vector compared) | ${Math.round(median(verify))} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
