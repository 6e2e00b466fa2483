import type * as lancedb from "@lancedb/lancedb";
import type { FixedSizeList, Vector } from "apache-arrow";
import { IndexDamagedError, StoreError, describeError } from "../model/errors.js";
import type { Chunk, SearchHit } from "../model/types.js";
import { ENTITY_ROW_COLUMNS, type EntityRow, fromRow } from "./entity-row.js";
import { orderHits } from "./order-hits.js";
import { type EntitySource, withEntityTable } from "./table-snapshot.js";

/**
 * Most bytes of vectors a search session keeps in memory (rows × dimension × 4). 128 MiB holds
 * 43,690 rows of 768 floats, more than a table without a vector index has (search-indexes.ts,
 * `VECTOR_INDEX_MIN_ROWS` = 20,000), and 10,922 rows of a 3,072-d remote model. The entities'
 * texts come on top (about 3 KB a row for Debian's python3-rich).
 */
export const RESIDENT_VECTORS_MAX_BYTES = 128 * 2 ** 20;

/**
 * One version of the entity table held in memory by a long-lived search session (the MCP server):
 * every entity whole and every vector, so that an exact vector search reads nothing from LanceDB
 * and the final hits need no second read. The BM25 and name queries still go to LanceDB.
 *
 * Why: below the vector index's threshold LanceDB answers an exact search by reading the whole
 * `vector` column (15 MB at 5,000 rows of 768 floats) into fresh buffers on every query. That cost
 * 8 ms a query at 5,000 rows, and glibc kept the freed buffers, so the server's RSS doubled over
 * its first few hundred searches (BENCHMARKS.md, issue 13, "Third round"). Scanning a matrix read once costs
 * 2–3 ms at 5,000 rows and no allocation per query.
 */
export interface ResidentEntities {
  /** Table version the rows were read at. */
  version: number;
  /** Floats per vector. */
  dimension: number;
  /** The entities in row order: row `i` of {@link ResidentEntities.matrix} is `entities[i]`'s vector. */
  entities: Chunk[];
  /** Row of each entity id. */
  rowOfId: Map<string, number>;
  /** `entities.length × dimension` float32s, row-major. */
  matrix: Float32Array;
  /** Euclidean norm of each row (1 for the L2-normalised vectors the embedders write). */
  norms: Float32Array;
}

/**
 * Reads every entity of `table` (at its checked-out version) into memory, whole, with its vector.
 * Returns null when LanceDB should keep answering vector searches itself: the table has a vector
 * index (a query then reads only the partitions it probes), or its vectors would take more than
 * {@link RESIDENT_VECTORS_MAX_BYTES}. The size is decided by `expectedRows` (what the commit
 * recorded), never by a count read from the table's files alone.
 * @param expectedRows the rows the committed version holds, as checked against the catalog; a
 *   writer reading the table it just wrote omits it (the table's own count is then used).
 * @throws IndexDamagedError when the table reports or returns another number of rows; StoreError
 *   when it is unreadable.
 */
export async function loadResidentEntities(table: lancedb.Table, expectedRows?: number): Promise<ResidentEntities | null> {
  try {
    const indices = await table.listIndices();
    if (indices.some((index) => index.columns.includes("vector"))) return null;
    const field = (await table.schema()).fields.find((f) => f.name === "vector");
    const dimension = (field?.type as FixedSizeList | undefined)?.listSize ?? 0;
    const rows = await table.countRows();
    expectedRows ??= rows;
    if (dimension === 0 || expectedRows * dimension * 4 > RESIDENT_VECTORS_MAX_BYTES) return null;
    if (rows !== expectedRows) throw new IndexDamagedError(`the entity table reports ${rows} rows, its commit recorded ${expectedRows}`);
    const version = await table.version();
    const data = await table.query().select([...ENTITY_ROW_COLUMNS, "vector"]).limit(Math.max(expectedRows, 1)).toArrow();
    const count = data.numRows;
    if (count !== expectedRows) throw new IndexDamagedError(`the entity table returned ${count} rows, its commit recorded ${expectedRows}`);
    const matrix = new Float32Array(count * dimension);
    const vectorColumn = data.getChild("vector") as Vector<FixedSizeList> | null;
    if (vectorColumn === null) throw new Error("the table has no vector column");
    let row = 0;
    for (const chunk of vectorColumn.data) {
      const values = chunk.children[0]!;
      const start = (values.offset + chunk.offset * dimension) | 0;
      matrix.set((values.values as Float32Array).subarray(start, start + chunk.length * dimension), row * dimension);
      row += chunk.length;
    }
    const columns = ENTITY_ROW_COLUMNS.map((name) => [name, data.getChild(name)] as const);
    const entities: Chunk[] = [];
    for (let i = 0; i < count; i++) {
      const record: Record<string, unknown> = {};
      for (const [name, column] of columns) record[name] = column?.get(i) ?? null;
      entities.push(fromRow(record as unknown as EntityRow));
    }
    const rowOfId = new Map(entities.map((entity, row) => [entity.id, row]));
    const norms = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let j = i * dimension, end = j + dimension; j < end; j++) sum += matrix[j]! * matrix[j]!;
      norms[i] = Math.sqrt(sum);
    }
    return { version, dimension, entities, rowOfId, matrix, norms };
  } catch (error) {
    if (error instanceof IndexDamagedError) throw error;
    throw new StoreError(`cannot read the entity table's vectors: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The `limit` entities of `vectors` nearest to `query` by cosine similarity, exactly as
 * `searchEntities` ranks them without a vector index: `score` is the cosine similarity
 * (`1 - ` LanceDB's cosine distance), best first, ties ordered by id (`orderHits`). `allowed`,
 * when given, holds the ids a filter lets through (see {@link idsMatching}); other rows are
 * skipped before the nearest are chosen. A row or query of norm 0 scores 0. Pure.
 * @param query a `Float32Array` of `vectors.dimension` floats.
 * @throws StoreError when the query's length is not the vectors' dimension.
 */
export function nearestResident(vectors: ResidentEntities, query: Float32Array, limit: number, allowed?: ReadonlySet<string>): SearchHit<Chunk>[] {
  const { dimension, matrix, norms, entities } = vectors;
  if (limit <= 0) return [];
  if (query.length !== dimension) throw new StoreError(`the query vector has ${query.length} dimensions but the index holds ${dimension}-d vectors`);
  let queryNorm = 0;
  for (let j = 0; j < dimension; j++) queryNorm += query[j]! * query[j]!;
  queryNorm = Math.sqrt(queryNorm);
  // The best `limit` rows so far, best first; a row enters only when it beats the last.
  const best: { row: number; score: number }[] = [];
  const beats = (a: { row: number; score: number }, b: { row: number; score: number }) =>
    a.score > b.score || (a.score === b.score && entities[a.row]!.id < entities[b.row]!.id);
  for (let row = 0; row < entities.length; row++) {
    if (allowed !== undefined && !allowed.has(entities[row]!.id)) continue;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const offset = row * dimension;
    let j = 0;
    for (; j + 3 < dimension; j += 4) {
      s0 += matrix[offset + j]! * query[j]!;
      s1 += matrix[offset + j + 1]! * query[j + 1]!;
      s2 += matrix[offset + j + 2]! * query[j + 2]!;
      s3 += matrix[offset + j + 3]! * query[j + 3]!;
    }
    for (; j < dimension; j++) s0 += matrix[offset + j]! * query[j]!;
    const norm = norms[row]! * queryNorm;
    const candidate = { row, score: norm === 0 ? 0 : (s0 + s1 + s2 + s3) / norm };
    if (best.length === limit) {
      if (!beats(candidate, best[limit - 1]!)) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && beats(candidate, best[at - 1]!)) at--;
    best.splice(at, 0, candidate);
  }
  return orderHits(best.map(({ row, score }) => ({ chunk: entities[row]!, score })));
}

/**
 * The ids of the rows of `source` (a table at its checked-out version, or a connection: the
 * latest) that `filter` (SQL from entity-filter.ts) lets through.
 * @throws StoreError when the table is unreadable or the filter invalid.
 */
export async function idsMatching(source: EntitySource, filter: string): Promise<Set<string>> {
  try {
    const rows = (await withEntityTable(source, (table) => table.query().where(filter).select(["id"]).toArray())) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
}

/** The entities of `resident` with the given ids, by id; an id it does not hold is absent. Pure. */
export function residentEntitiesById(resident: ResidentEntities, ids: readonly string[]): Map<string, Chunk> {
  const found = new Map<string, Chunk>();
  for (const id of ids) {
    const row = resident.rowOfId.get(id);
    if (row !== undefined) found.set(id, resident.entities[row]!);
  }
  return found;
}
