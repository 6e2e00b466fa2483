// What the reference records add to an unchanged re-index: the run reads and writes catalog.json
// once each (store/file-catalog.ts). Times readCatalog + writeCatalog of an index's catalog as it
// is and with the reference records removed (copies in a temp folder), median of --runs.
// Usage: node scripts/agent-tools/catalog-cost.mjs <indexed repo> [--runs 20]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { distModule } from "../bench/bench-config.mjs";
import { median, round } from "../bench/stats.mjs";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: "string", default: "20" } } });
if (positionals.length !== 1) {
  process.stdout.write("usage: node scripts/agent-tools/catalog-cost.mjs <indexed repo> [--runs 20]\n");
  process.exit(2);
}
const { readCatalog, writeCatalog } = await distModule("store/index.js");
const source = JSON.parse(readFileSync(path.join(path.resolve(positionals[0]), ".codesearch", "catalog.json"), "utf8"));
const stripped = JSON.parse(JSON.stringify(source));
for (const entry of Object.values(stripped.files)) delete entry.references;
const result = {};
for (const [label, json] of [["with references", source], ["without references", stripped]]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "catalog-cost-"));
  writeFileSync(path.join(dir, "catalog.json"), JSON.stringify(json));
  const samples = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const started = performance.now();
    const read = await readCatalog(dir);
    await writeCatalog(dir, read.catalog, read.table, read.model);
    samples.push(performance.now() - started);
  }
  result[label] = { bytes: JSON.stringify(json).length, readWriteMs: round(median(samples), 1) };
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
