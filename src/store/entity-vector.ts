import { StoreError, describeError } from "../model/errors.js";
import { quoteSqlString } from "./sql-quote.js";
import { type EntitySource, withEntityTable } from "./table-snapshot.js";

/**
 * The stored vector of the entity with id `id` (a copy, of the index's dimension), or null when
 * the table holds no such entity. Reads one row by its id.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function readEntityVector(source: EntitySource, id: string): Promise<Float32Array | null> {
  try {
    const rows = (await withEntityTable(source, (table) => table.query().where(`id = ${quoteSqlString(id)}`).select(["vector"]).limit(1).toArray())) as { vector: ArrayLike<number> }[];
    const vector = rows[0]?.vector;
    return vector ? Float32Array.from(vector) : null;
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}
