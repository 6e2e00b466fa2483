#!/usr/bin/env node
// Issue 19, item 8 (BENCHMARKS.md "Checks each search makes"): the cost of `checkCommittedIndex`,
// which hashes every recorded file of the table, reads the committed version's row count and
// queries each search index, run by every session on opening and once per commit it moves to.
//   node scripts/bench/commit-check-cost.mjs [files] [functions-per-file]
// Default 500 × 10 (5,000 entities), test model; `npm run build` first. A temp folder, removed at
// the end; medians of 5 (wall clock and CPU time), printed as Markdown table rows.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { indexRepo, openSearchSession } from "../../dist/pipeline/index.js";
import { checkCommittedIndex, openDatabase, readCatalog, readManifest } from "../../dist/store/index.js";
import { moduleText } from "./scale-modules.mjs";

const [files = 500, perFile = 10] = process.argv.slice(2).map(Number);
const MODEL_DIR = fileURLToPath(new URL("../../fixtures/model", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-commit-check-"));
const repo = path.join(work, "repo");
const indexDir = path.join(repo, ".codesearch");
const ROUNDS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bytesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(path.join(e.parentPath, e.name)).size, 0);
}

/** Medians of wall-clock ms and of this process's CPU ms (user + system; on a loaded machine the wall clock inflates CPU-bound work). */
async function timed(action) {
  const wall = [];
  const cpu = [];
  for (let k = 0; k < ROUNDS; k++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    await action();
    const used = process.cpuUsage(usage);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  return [median(wall), median(cpu)];
}

try {
  mkdirSync(path.join(repo, "pkg"), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(repo, "pkg", `mod_${i}.py`), moduleText(i, perFile));
  const summary = await indexRepo({ repoRoot: repo, indexDir, cwd: repo, model: MODEL_DIR, modelCacheDir: path.join(work, "models"), offline: true, sink: () => {} });
  const tableBytes = bytesUnder(path.join(indexDir, "entities.lance"));
  console.log(`${summary.chunksStored} entities, table ${(tableBytes / 2 ** 20).toFixed(1)} MiB (machine: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`);
  const manifest = await readManifest(indexDir);
  const catalog = await readCatalog(indexDir);
  const check = (fileCheck) => async () => {
    const db = await openDatabase(indexDir);
    const found = await checkCommittedIndex(db, indexDir, manifest, catalog, fileCheck);
    db.close();
    if (found.damage.length > 0) throw new Error(found.damage.join("; "));
  };
  const options = { cwd: repo, repoRoot: repo, modelCacheDir: path.join(work, "models"), offline: true };
  /** @type {import("../../dist/model/search.js").SearchRequest} */
  const request = { limit: 10, mode: "lexical", filters: {} };
  const session = await openSearchSession(options);
  await session.search("scale value and clamp", request);
  const rows = [
    ["checkCommittedIndex, every table file hashed (each session open, each commit followed)", await timed(check("hash"))],
    ["the same with size and mtime only (the check before issue 19)", await timed(check("stat"))],
    ["open a session + one lexical search + close (what a CLI search does in process)", await timed(async () => {
      const s = await openSearchSession(options);
      await s.search("scale value and clamp", request);
      await s.close();
    })],
    ["one lexical search on an open session (no check: the commit did not change)", await timed(() => session.search("scale value and clamp", request))],
  ];
  await session.close();
  console.log("| figure | wall ms | CPU ms |\n|---|---:|---:|");
  for (const [label, [wall, cpu]] of rows) console.log(`| ${label} | ${Math.round(wall)} | ${Math.round(cpu)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
