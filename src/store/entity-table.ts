import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from "apache-arrow";
import { StoreError, describeError } from "../model/errors.js";
import type { Chunk, EmbeddedChunk, EntityKind, SearchHit } from "../model/types.js";
import { searchColumnValues, searchFields } from "./search-columns.js";
import { sqlInList } from "./sql-quote.js";

/** Paths per `DELETE ... WHERE path IN (...)` statement, keeping each filter string small. */
const DELETE_BATCH_PATHS = 500;

/** Versions younger than this are kept by {@link applyEntityChanges}'s compaction, so a search reading the previous version is not cut off (ms). */
export const KEEP_RECENT_VERSIONS_MS = 60_000;

/** Name of the LanceDB table holding one row per entity. */
export const ENTITY_TABLE = "entities";

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

/** One table row as LanceDB returns it ({@link ENTITY_ROW_COLUMNS}: vector and search columns omitted). */
export interface EntityRow {
  id: string;
  path: string;
  kind: string;
  name: string;
  qualified_name: string;
  parent_qualified_name: string | null;
  start_line: number;
  end_line: number;
  decorator_line: number | null;
  decorators: string;
  signature: string;
  docstring: string | null;
  source: string;
  text: string;
  content_hash: string;
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
}

/**
 * Brings the entity table up to date in place: deletes every row whose `path` is in `deletePaths`,
 * then adds `add` (one `add` call), then compacts small fragments and drops versions older than
 * {@link KEEP_RECENT_VERSIONS_MS}. Creates the table when it does not exist. Re-applying the same
 * change is harmless, so a run interrupted between the delete and the add is repaired by the next.
 * @throws StoreError when LanceDB fails, or a vector's length differs from `dimension`.
 */
export async function applyEntityChanges(
  db: lancedb.Connection,
  change: { deletePaths: readonly string[]; add: readonly EmbeddedChunk[] },
  dimension: number,
): Promise<EntityChangeResult> {
  const bad = change.add.find((c) => c.vector.length !== dimension);
  if (bad) throw new StoreError(`vector of ${bad.id} has ${bad.vector.length} values, the index holds ${dimension}-d vectors`);
  try {
    const names = await db.tableNames();
    const table = names.includes(ENTITY_TABLE)
      ? await db.openTable(ENTITY_TABLE)
      : await db.createEmptyTable(ENTITY_TABLE, entitySchema(dimension), { mode: "create" });
    const before = await table.countRows();
    for (let i = 0; i < change.deletePaths.length; i += DELETE_BATCH_PATHS) {
      await table.delete(sqlInList("path", change.deletePaths.slice(i, i + DELETE_BATCH_PATHS)));
    }
    const afterDelete = await table.countRows();
    if (change.add.length > 0) await table.add(change.add.map(toRow));
    if (change.add.length > 0 || before !== afterDelete) {
      await table.optimize({ cleanupOlderThan: new Date(Date.now() - KEEP_RECENT_VERSIONS_MS), deleteUnverified: true });
    }
    const rowCount = await table.countRows();
    table.close();
    return { rowsDeleted: before - afterDelete, rowsAdded: change.add.length, rowCount };
  } catch (error) {
    throw new StoreError(`cannot update the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Rows in the entity table, or null when there is no table or it cannot be read (missing or
 * corrupt files): the caller then rebuilds it from scratch. Never throws.
 */
export async function probeEntityTable(db: lancedb.Connection): Promise<number | null> {
  try {
    if (!(await db.tableNames()).includes(ENTITY_TABLE)) return null;
    const table = await db.openTable(ENTITY_TABLE);
    const rows = await table.countRows();
    await table.query().select(["path"]).limit(1).toArray();
    table.close();
    return rows;
  } catch {
    return null;
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
 * The `limit` entities nearest to `vector` by cosine distance (exact search), best first, with
 * `score = 1 - distance` (cosine similarity, higher is better). `filter` (SQL built with
 * sql-quote.ts) is applied before the nearest are chosen.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function searchEntities(db: lancedb.Connection, vector: Float32Array, limit: number, filter?: string): Promise<SearchHit[]> {
  let rows: (EntityRow & { _distance: number })[];
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const query = table.vectorSearch(vector);
    if (filter !== undefined) query.where(filter);
    rows = (await query
      .distanceType("cosine")
      .select([...ENTITY_ROW_COLUMNS, "_distance"])
      .limit(limit)
      .toArray()) as (EntityRow & { _distance: number })[];
  } catch (error) {
    throw new StoreError(`cannot search the entity table: ${describeError(error)}`, { cause: error });
  }
  return rows.map((row) => ({ chunk: fromRow(row), score: 1 - row._distance }));
}

/**
 * Number of rows in the entity table.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function countEntities(db: lancedb.Connection): Promise<number> {
  try {
    return await (await db.openTable(ENTITY_TABLE)).countRows();
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Every stored entity without its vector, ordered by path then start line.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listEntities(db: lancedb.Connection): Promise<Chunk[]> {
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const rows = (await table.query().select([...ENTITY_ROW_COLUMNS]).toArray()) as EntityRow[];
    return rows.map(fromRow).sort((a, b) => (a.path === b.path ? a.startLine - b.startLine : a.path < b.path ? -1 : 1));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/** The columns read back into a {@link Chunk}. */
export const ENTITY_ROW_COLUMNS = [
  "id",
  "path",
  "kind",
  "name",
  "qualified_name",
  "parent_qualified_name",
  "start_line",
  "end_line",
  "decorator_line",
  "decorators",
  "signature",
  "docstring",
  "source",
  "text",
  "content_hash",
] as const;

function toRow(chunk: EmbeddedChunk): Record<string, unknown> {
  return {
    id: chunk.id,
    path: chunk.path,
    kind: chunk.kind,
    name: chunk.name,
    qualified_name: chunk.qualifiedName,
    parent_qualified_name: chunk.parentQualifiedName,
    start_line: chunk.startLine,
    end_line: chunk.endLine,
    decorator_line: chunk.decoratorLine,
    decorators: JSON.stringify(chunk.decorators),
    signature: chunk.signature,
    docstring: chunk.docstring,
    source: chunk.source,
    text: chunk.text,
    content_hash: chunk.contentHash,
    vector: Array.from(chunk.vector),
    ...searchColumnValues(chunk),
  };
}

/** The {@link Chunk} of a row read with {@link ENTITY_ROW_COLUMNS}. */
export function fromRow(row: EntityRow): Chunk {
  return {
    id: row.id,
    path: row.path,
    kind: row.kind as EntityKind,
    name: row.name,
    qualifiedName: row.qualified_name,
    parentQualifiedName: row.parent_qualified_name ?? null,
    startLine: Number(row.start_line),
    endLine: Number(row.end_line),
    decoratorLine: row.decorator_line === null || row.decorator_line === undefined ? null : Number(row.decorator_line),
    decorators: JSON.parse(row.decorators) as string[],
    signature: row.signature,
    docstring: row.docstring ?? null,
    source: row.source,
    text: row.text,
    contentHash: row.content_hash,
  };
}
