import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from "apache-arrow";
import { StoreError, describeError } from "../model/errors.js";
import type { Chunk, EmbeddedChunk, EntityRef, SearchHit } from "../model/types.js";
import { entityArrowTable } from "./entity-batch.js";
import { ENTITY_REF_COLUMNS, ENTITY_ROW_COLUMNS, type EntityRefRow, type EntityRow, fromRow, refFromRow } from "./entity-row.js";
import { orderHits } from "./order-hits.js";
import { searchFields } from "./search-columns.js";
import { maintainEntityTable } from "./table-maintenance.js";
import { quoteSqlString, sqlInList } from "./sql-quote.js";
import { ENTITY_TABLE, type EntitySource, withEntityTable } from "./table-snapshot.js";

export { ENTITY_TABLE };

/** Paths per `DELETE ... WHERE path IN (...)` statement, keeping each filter string small. */
const DELETE_BATCH_PATHS = 500;

/**
 * Rows per `table.add` call. Each call holds one Arrow copy of its rows (about 3 KB of vector plus
 * the texts per 768-d row), so writing 100k rows in one call needed GBs (BENCHMARKS.md, peak RSS);
 * slices of this size keep that copy to a few MB while adding one table version per slice.
 */
export const STORE_SLICE_ROWS = 2_048;


/**
 * Arrow schema of the entity table (columns snake_case). `vector` is a fixed-size list of
 * `dimension` float32 values, L2-normalised; lines are 1-based; the search columns of
 * search-columns.ts come last.
 */
export function entitySchema(dimension: number): Schema {
  const text = (name: string, nullable = false) => new Field(name, new Utf8(), nullable);
  const int = (name: string, nullable = false) => new Field(name, new Int32(), nullable);
  return new Schema([
    text("id"),
    text("path"),
    text("language"),
    text("kind"),
    text("name"),
    text("qualified_name"),
    text("parent_qualified_name", true),
    int("start_line"),
    int("end_line"),
    int("decorator_line", true),
    text("decorators"),
    text("signature"),
    text("docstring", true),
    text("source"),
    text("text"),
    text("content_hash"),
    new Field("vector", new FixedSizeList(dimension, new Field("item", new Float32(), true)), false),
    ...searchFields(),
  ]);
}

/**
 * Opens (creating if needed) the LanceDB database in `dbDir`.
 * @throws StoreError when LanceDB cannot open the folder.
 */
export async function openDatabase(dbDir: string): Promise<lancedb.Connection> {
  try {
    return await lancedb.connect(dbDir);
  } catch (error) {
    throw new StoreError(`cannot open the index database at ${dbDir}: ${describeError(error)}`, { cause: error });
  }
}

/** What {@link applyEntityChanges} did. */
export interface EntityChangeResult {
  /** Rows deleted (rows of the given paths before the write). */
  rowsDeleted: number;
  rowsAdded: number;
  /** Rows in the table afterwards. */
  rowCount: number;
  /** The table's latest version afterwards (not yet committed: see index-repo.ts). */
  version: number;
  /** Whether the write compacted the table and cleaned up old versions (`maintainEntityTable`). */
  maintained: boolean;
}

/**
 * Brings the entity table up to date in place: deletes every row whose `path` is in `deletePaths`,
 * then adds the rows of `add` in slices of {@link STORE_SLICE_ROWS} (each built as one Arrow
 * batch, see entity-batch.ts), then, once enough fragments or old versions piled up
 * (`maintainEntityTable`), compacts the table and drops versions older than `keepVersionsFrom`
 * (default: none; see version-retention.ts, which keeps the versions readers may be on). Creates
 * the table when it does not exist. Every step adds a table version; readers
 * that opened the committed version (table-snapshot.ts) see none of them.
 *
 * `add` may be an array or any iterable, e.g. a generator that releases each file's rows once
 * they are taken: only one slice of rows is held here at a time. An array is checked whole before
 * anything changes; rows of other iterables are checked slice by slice.
 *
 * Re-applying the same change is harmless (every added row's path is deleted first), so a run
 * interrupted between the delete and the last slice is repaired by applying it again.
 * @throws StoreError when LanceDB fails, or a vector's length differs from `dimension` (for an
 *   array: before any change; otherwise the slices before it stay written).
 */
export async function applyEntityChanges(
  db: lancedb.Connection,
  change: { deletePaths: readonly string[]; add: Iterable<EmbeddedChunk> },
  dimension: number,
  options: { keepVersionsFrom?: Date } = {},
): Promise<EntityChangeResult> {
  if (Array.isArray(change.add)) assertDimension(change.add as readonly EmbeddedChunk[], dimension);
  let table: lancedb.Table | undefined;
  try {
    const names = await db.tableNames();
    table = names.includes(ENTITY_TABLE)
      ? await db.openTable(ENTITY_TABLE)
      : await db.createEmptyTable(ENTITY_TABLE, entitySchema(dimension), { mode: "create" });
    const before = await table.countRows();
    for (let i = 0; i < change.deletePaths.length; i += DELETE_BATCH_PATHS) {
      await table.delete(sqlInList("path", change.deletePaths.slice(i, i + DELETE_BATCH_PATHS)));
    }
    const afterDelete = await table.countRows();
    const schema = entitySchema(dimension);
    let rowsAdded = 0;
    let slice: EmbeddedChunk[] = [];
    const flush = async () => {
      assertDimension(slice, dimension);
      await table!.add(entityArrowTable(schema, slice, dimension));
      rowsAdded += slice.length;
      slice = [];
    };
    for (const row of change.add) {
      slice.push(row);
      if (slice.length === STORE_SLICE_ROWS) await flush();
    }
    if (slice.length > 0) await flush();
    const maintained = (rowsAdded > 0 || before !== afterDelete) && (await maintainEntityTable(table, options.keepVersionsFrom ?? new Date(0)));
    const rowCount = await table.countRows();
    return { rowsDeleted: before - afterDelete, rowsAdded, rowCount, version: await table.version(), maintained };
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot update the entity table: ${describeError(error)}`, { cause: error });
  } finally {
    table?.close();
  }
}

/** @throws StoreError naming the first row whose vector length differs from `dimension`. */
function assertDimension(rows: readonly EmbeddedChunk[], dimension: number): void {
  const bad = rows.find((c) => c.vector.length !== dimension);
  if (bad) throw new StoreError(`vector of ${bad.id} has ${bad.vector.length} values, the index holds ${dimension}-d vectors`);
}

/**
 * Rows in the entity table at `version` (default latest), or null when there is no table or it
 * cannot be read at that version (missing or corrupt files, version gone): the caller then
 * rebuilds it from scratch. Never throws.
 */
export async function probeEntityTable(db: lancedb.Connection, version?: number): Promise<number | null> {
  let table: lancedb.Table | undefined;
  try {
    if (!(await db.tableNames()).includes(ENTITY_TABLE)) return null;
    table = await db.openTable(ENTITY_TABLE);
    if (version !== undefined) await table.checkout(version);
    const rows = await table.countRows();
    await table.query().select(["path"]).limit(1).toArray();
    return rows;
  } catch {
    return null;
  } finally {
    table?.close();
  }
}

/**
 * Deletes the entity table if present (used before rebuilding a missing or corrupt one).
 * @throws StoreError when LanceDB cannot drop it.
 */
export async function dropEntityTable(db: lancedb.Connection): Promise<void> {
  try {
    if ((await db.tableNames()).includes(ENTITY_TABLE)) await db.dropTable(ENTITY_TABLE);
  } catch (error) {
    throw new StoreError(`cannot drop the damaged entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Starts the entity table anew for a full rebuild. A readable table gets a new, empty version of
 * itself (LanceDB's overwrite: the version number goes on, the schema may change), so readers
 * checked out at the committed version keep answering from it while the rebuild writes, and its
 * files stay until the version cleanup removes them (see version-retention.ts: 60 s after the
 * rebuild's commit superseded them). A table that cannot be read (`readable` false: missing or damaged files) is
 * dropped and created instead; readers refuse it anyway.
 * @throws StoreError when LanceDB fails.
 */
export async function startEntityTableAnew(db: lancedb.Connection, dimension: number, readable: boolean): Promise<void> {
  try {
    if (readable && (await db.tableNames()).includes(ENTITY_TABLE)) {
      (await db.createEmptyTable(ENTITY_TABLE, entitySchema(dimension), { mode: "overwrite" })).close();
      return;
    }
  } catch {
    // An overwrite needs the latest version's manifest: when it cannot be read, drop the table below.
  }
  await dropEntityTable(db);
}

/**
 * IVF partitions searched per query when the table has a vector index (LanceDB's default, kept
 * explicit): recall@10 1.0 against exact search at 100k rows (BENCHMARKS.md). With a filter, more
 * partitions are searched until `limit` matching rows are found (all of them if need be).
 */
export const VECTOR_SEARCH_MIN_PROBES = 20;

/**
 * The `limit` entities nearest to `vector` (a `Float32Array` of the index's dimension,
 * L2-normalised) by cosine distance, best first, with `score = 1 - distance` (cosine similarity,
 * higher is better). Exact below the vector index's row threshold (search-indexes.ts), through the
 * IVF_FLAT index above it. `filter` (SQL built with sql-quote.ts) is applied before the nearest
 * are chosen; ties are ordered by id (`orderHits`). `source` is a table handle (searched at its
 * checked-out version) or a connection (latest version). Hits carry {@link EntityRef}s only (read
 * the rest with {@link readEntities}).
 * @throws StoreError when the table is missing or unreadable.
 */
export async function searchEntities(source: EntitySource, vector: Float32Array, limit: number, filter?: string): Promise<SearchHit<EntityRef>[]> {
  let rows: (EntityRefRow & { _distance: number })[];
  try {
    rows = await withEntityTable(source, async (table) => {
      const query = table.vectorSearch(vector).minimumNprobes(VECTOR_SEARCH_MIN_PROBES);
      if (filter !== undefined) query.where(filter).maximumNprobes(0);
      return (await query
        .distanceType("cosine")
        .withRowId()
        .select([...ENTITY_REF_COLUMNS, "_distance"])
        .limit(limit)
        .toArray()) as (EntityRefRow & { _distance: number })[];
    });
  } catch (error) {
    throw new StoreError(`cannot search the entity table: ${describeError(error)}`, { cause: error });
  }
  return orderHits(rows.map((row) => ({ chunk: refFromRow(row), score: 1 - row._distance })));
}

/**
 * The whole stored entities of `refs` (search hits), by id. Refs a store query returned carry
 * their row id: those rows are read directly (LanceDB `takeRowIds`: 1.7 ms for 10 rows at 100,000
 * rows, where `id IN (…)` scanned the id column in 8.8 ms, BENCHMARKS.md). A row id read at
 * another table version may name another row or none: every row read is checked against the id
 * it should have, and when one differs the entities are looked up by id instead
 * ({@link readEntitiesById}). An entity the table no longer holds is absent from the map.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function readEntities(source: EntitySource, refs: readonly EntityRef[]): Promise<Map<string, Chunk>> {
  const rowIds = refs.map((ref) => ref.rowId);
  if (refs.length > 0 && rowIds.every((rowId) => rowId !== undefined)) {
    const rows = (await withEntityTable(source, (table) => table.takeRowIds(rowIds as bigint[]).select([...ENTITY_ROW_COLUMNS]).toArray()).catch(() => null)) as EntityRow[] | null;
    const found = new Map((rows ?? []).map((row) => [row.id, fromRow(row)]));
    if (refs.every((ref) => found.has(ref.id))) return found;
  }
  return readEntitiesById(source, refs.map((ref) => ref.id));
}

/**
 * The whole stored entities with the given ids, by id; an id the table does not hold is absent
 * from the map (the caller decides what that means: the table moved to another version).
 * @throws StoreError when the table is missing or unreadable.
 */
export async function readEntitiesById(source: EntitySource, ids: readonly string[]): Promise<Map<string, Chunk>> {
  if (ids.length === 0) return new Map();
  try {
    const rows = (await withEntityTable(source, (table) => table.query().where(sqlInList("id", ids)).select([...ENTITY_ROW_COLUMNS]).toArray())) as EntityRow[];
    return new Map(rows.map((row) => [row.id, fromRow(row)]));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Number of rows in the entity table.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function countEntities(source: EntitySource): Promise<number> {
  try {
    return await withEntityTable(source, (table) => table.countRows());
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Every stored entity without its vector, ordered by path then start line.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listEntities(source: EntitySource): Promise<Chunk[]> {
  try {
    const rows = (await withEntityTable(source, (table) => table.query().select([...ENTITY_ROW_COLUMNS]).toArray())) as EntityRow[];
    return rows.map(fromRow).sort((a, b) => (a.path === b.path ? a.startLine - b.startLine : a.path < b.path ? -1 : 1));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The stored entities of one file (`path` repository-relative, POSIX), ordered by start line; empty
 * when the file has none.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listEntitiesOfFile(source: EntitySource, path: string): Promise<Chunk[]> {
  try {
    const rows = (await withEntityTable(source, (table) => table.query().where(`path = ${quoteSqlString(path)}`).select([...ENTITY_ROW_COLUMNS]).toArray())) as EntityRow[];
    return rows.map(fromRow).sort((a, b) => a.startLine - b.startLine);
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}
