import type * as lancedb from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import type { EmbeddedChunk } from "../model/types.js";
import { ENTITY_ROW_COLUMNS, type EntityRow, fromRow } from "./entity-row.js";
import { ENTITY_TABLE } from "./entity-table.js";
import { IS_TEST_COLUMN } from "./search-columns.js";
import { sqlInList } from "./sql-quote.js";

/** Ids per `id IN (...)` filter, keeping each filter string small. */
const READ_BATCH_IDS = 500;

/** An entity's id with its docstring. */
export interface DocumentedEntity {
  id: string;
  docstring: string;
}

/**
 * The functions and methods that have a docstring and are not test code (by the `is_test`
 * column), as id and docstring only, in table order.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listDocumentedEntities(db: lancedb.Connection): Promise<DocumentedEntity[]> {
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const rows = (await table
      .query()
      .where(`docstring IS NOT NULL AND kind <> 'class' AND NOT ${IS_TEST_COLUMN}`)
      .select(["id", "docstring"])
      .toArray()) as { id: string; docstring: string }[];
    table.close();
    return rows.map((row) => ({ id: row.id, docstring: row.docstring }));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Every entity id in the table, in table order.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function listEntityIds(db: lancedb.Connection): Promise<string[]> {
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const rows = (await table.query().select(["id"]).toArray()) as { id: string }[];
    table.close();
    return rows.map((row) => row.id);
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The stored entities with the given ids, each with its stored vector, in no particular order;
 * ids not in the table are left out.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function readEmbeddedEntities(db: lancedb.Connection, ids: readonly string[]): Promise<EmbeddedChunk[]> {
  const chunks: EmbeddedChunk[] = [];
  try {
    const table = await db.openTable(ENTITY_TABLE);
    for (let i = 0; i < ids.length; i += READ_BATCH_IDS) {
      const rows = (await table
        .query()
        .where(sqlInList("id", ids.slice(i, i + READ_BATCH_IDS)))
        .select([...ENTITY_ROW_COLUMNS, "vector"])
        .toArray()) as (EntityRow & { vector: ArrayLike<number> })[];
      for (const row of rows) chunks.push({ ...fromRow(row), vector: Float32Array.from(row.vector) });
    }
    table.close();
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
  return chunks;
}
