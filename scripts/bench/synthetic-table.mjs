// A large synthetic entity table for search latency: the real rows of an index replicated with
// renamed identifiers and slightly perturbed vectors, written with the store's applyEntityChanges.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { distModule } from "./bench-config.mjs";
import { gaussian, seededRandom } from "./stats.mjs";

const PERTURB_SEED = 6;
/** Norm of the noise added to each replicated (L2-normalised) vector before re-normalising. */
export const PERTURBATION_NORM = 0.05;
/** Rows per applyEntityChanges call, keeping the JavaScript copies of the vectors small. */
const WRITE_BATCH_ROWS = 10_000;

/** Every row of the index's entity table with its vector, as EmbeddedChunk values. */
export async function readEmbeddedRows(indexDir) {
  const { openDatabase, ENTITY_TABLE, ENTITY_ROW_COLUMNS, fromRow } = await distModule("store/index.js");
  const db = await openDatabase(indexDir);
  const table = await db.openTable(ENTITY_TABLE);
  const rows = await table.query().select([...ENTITY_ROW_COLUMNS, "vector"]).toArray();
  table.close();
  db.close();
  // The store's own row mapping, plus the vector it leaves out.
  return rows.map((row) => ({ ...fromRow(row), vector: Float32Array.from(row.vector) }));
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Copy `copy` (≥ 1) of `chunk`: `_r<copy>` appended to its name, to every part of its qualified
 * and parent names, and to its file name (`a/b.py` → `a/b_r3.py`); the name renamed in the
 * signature, source and text; id and content hash recomputed; the vector moved by seeded noise of
 * norm about {@link PERTURBATION_NORM} and re-normalised.
 */
export function replicateChunk(chunk, copy, random) {
  const suffix = `_r${copy}`;
  const dotted = (q) => (q === null ? null : q.split(".").map((part) => `${part}${suffix}`).join("."));
  const renameFirst = (s) => s.replace(new RegExp(`\\b${escapeRegExp(chunk.name)}\\b`), `${chunk.name}${suffix}`);
  const qualifiedName = dotted(chunk.qualifiedName);
  const filePath = chunk.path.replace(/(\.py)?$/, `${suffix}$1`);
  const text = renameFirst(chunk.text.startsWith(chunk.qualifiedName) ? qualifiedName + chunk.text.slice(chunk.qualifiedName.length) : chunk.text);
  const dimension = chunk.vector.length;
  const sigma = PERTURBATION_NORM / Math.sqrt(dimension);
  const vector = new Float32Array(dimension);
  let norm = 0;
  for (let d = 0; d < dimension; d++) {
    vector[d] = chunk.vector[d] + sigma * gaussian(random);
    norm += vector[d] * vector[d];
  }
  norm = Math.sqrt(norm);
  for (let d = 0; d < dimension; d++) vector[d] /= norm;
  return {
    ...chunk,
    id: `${filePath}:${chunk.startLine}:${qualifiedName}`,
    path: filePath,
    name: `${chunk.name}${suffix}`,
    qualifiedName,
    parentQualifiedName: dotted(chunk.parentQualifiedName),
    signature: renameFirst(chunk.signature),
    source: renameFirst(chunk.source),
    text,
    contentHash: createHash("sha256").update(text, "utf8").digest("hex"),
    vector,
  };
}

/**
 * Writes a table of `rowCount` rows into a new temp folder: the source rows as they are, then
 * copies 1, 2, … of them ({@link replicateChunk}) until `rowCount`. Brings the full-text indexes up
 * to date when the build has `refreshSearchIndexes`.
 * @returns `{ dir, rowCount, writeMs }` (the caller deletes `dir`).
 */
export async function writeSyntheticTable(sourceRows, rowCount, seed = PERTURB_SEED) {
  const store = await distModule("store/index.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-synthetic-table-"));
  const db = await store.openDatabase(dir);
  const random = seededRandom(seed);
  const dimension = sourceRows[0].vector.length;
  const startedAt = Date.now();
  let written = 0;
  let batch = [];
  for (let copy = 0; written + batch.length < rowCount; copy++) {
    for (const row of sourceRows) {
      if (written + batch.length >= rowCount) break;
      batch.push(copy === 0 ? row : replicateChunk(row, copy, random));
      if (batch.length === WRITE_BATCH_ROWS) {
        await store.applyEntityChanges(db, { deletePaths: [], add: batch }, dimension);
        written += batch.length;
        batch = [];
      }
    }
  }
  if (batch.length > 0) await store.applyEntityChanges(db, { deletePaths: [], add: batch }, dimension);
  written += batch.length;
  if (typeof store.refreshSearchIndexes === "function") await store.refreshSearchIndexes(db);
  db.close();
  return { dir, rowCount: written, writeMs: Date.now() - startedAt };
}

/**
 * Makes the table folder `tableDir` an index the CLI and the MCP server can open: the source
 * index's manifest (same model, repository root), with `tableVersion` set to the table's latest
 * version, and an empty state folder. Searches read the version the manifest names, so a manifest
 * copied as is would point them at whatever version of this table has the source's number (an
 * early one: a fraction of the rows and no search indexes). `lastRun.entitiesStored` is the table's
 * row count, which every search session checks (store/inspect-entity-table.ts).
 * @returns the table version recorded.
 */
export async function writeBenchManifest(sourceIndexDir, tableDir) {
  const { openDatabase, ENTITY_TABLE } = await distModule("store/index.js");
  const db = await openDatabase(tableDir);
  const table = await db.openTable(ENTITY_TABLE);
  const tableVersion = await table.version();
  const rows = await table.countRows();
  table.close();
  db.close();
  const manifest = JSON.parse(readFileSync(path.join(sourceIndexDir, "manifest.json"), "utf8"));
  writeFileSync(path.join(tableDir, "manifest.json"), `${JSON.stringify({ ...manifest, tableVersion, lastRun: { ...manifest.lastRun, entitiesStored: rows } }, null, 2)}\n`);
  mkdirSync(path.join(tableDir, "state"), { recursive: true });
  return tableVersion;
}
