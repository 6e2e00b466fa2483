import { BooleanQuery, MatchQuery, Occur } from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import type { EntityRef, SearchHit } from "../model/types.js";
import { lexicalQuery, queryTrigrams } from "../rank/index.js";
import { ENTITY_REF_COLUMNS, type EntityRefRow, refFromRow } from "./entity-row.js";
import { SEARCH_BODY_COLUMN, SEARCH_HEAD_COLUMN, SEARCH_NAME_GRAMS_COLUMN } from "./search-columns.js";
import { orderHits } from "./order-hits.js";
import { sqlInList } from "./sql-quote.js";
import { type EntitySource, withEntityTable } from "./table-snapshot.js";

/**
 * Weight of the name-trigram score relative to the word scores of head and body (1 each). Small:
 * trigrams only break ties and rescue partial or misspelt names (measured on the CoSQA dev
 * queries, see BENCHMARKS.md).
 */
export const NAME_GRAMS_BOOST = 0.1;

/**
 * The `limit` entities that best match `query` by BM25, best first. `score` (higher is better) is
 * the sum of the query's BM25 scores against the head words, the body words and — weighted
 * {@link NAME_GRAMS_BOOST} — the name's character trigrams. The query is prepared like the indexed
 * text (`lexicalQuery`: identifiers split, language names dropped; its distinct `queryTrigrams` for the
 * name), so `parseHTTPHeader` finds `parse_http_header`; a query of under 3 characters skips the
 * trigrams. `filter` (SQL from entity-filter.ts) is applied before the top `limit` are
 * chosen; ties are ordered by id (`orderHits`). A query without any word returns no hits. Rows the indexes have not seen yet (see
 * `refreshSearchIndexes`) are still found, by a slower scan. Hits carry {@link EntityRef}s only
 * (read the rest with `readEntities`).
 * @throws StoreError when the table is missing or LanceDB fails.
 */
export async function searchEntitiesByText(source: EntitySource, query: string, limit: number, filter?: string): Promise<SearchHit<EntityRef>[]> {
  const words = lexicalQuery(query);
  if (words === "") return [];
  const trigrams = queryTrigrams(words);
  let rows: (EntityRefRow & { _score: number })[];
  try {
    rows = await withEntityTable(source, async (table) => {
      const search = table.query().fullTextSearch(
        new BooleanQuery([
          [Occur.Should, new MatchQuery(words, SEARCH_HEAD_COLUMN)],
          [Occur.Should, new MatchQuery(words, SEARCH_BODY_COLUMN)],
          ...(trigrams === "" ? [] : [[Occur.Should, new MatchQuery(trigrams, SEARCH_NAME_GRAMS_COLUMN, { boost: NAME_GRAMS_BOOST })] as [Occur, MatchQuery]]),
        ]),
      );
      if (filter !== undefined) search.where(filter);
      return (await search.withRowId().select([...ENTITY_REF_COLUMNS, "_score"]).limit(limit).toArray()) as (EntityRefRow & { _score: number })[];
    });
  } catch (error) {
    throw new StoreError(`cannot search the full-text index: ${describeError(error)}`, { cause: error });
  }
  return orderHits(rows.map((row) => ({ chunk: refFromRow(row), score: row._score })));
}

/**
 * Entities whose name or qualified name is exactly one of `names` (case-sensitive), at most
 * `limit`, ordered by path then start line; `score` is 1. `filter` applies as in
 * {@link searchEntitiesByText}.
 * @throws StoreError when the table is missing or unreadable.
 */
export async function findEntitiesByName(source: EntitySource, names: readonly string[], limit: number, filter?: string): Promise<SearchHit<EntityRef>[]> {
  if (names.length === 0) return [];
  const byName = `(${sqlInList("name", names)} OR ${sqlInList("qualified_name", names)})`;
  let rows: EntityRefRow[];
  try {
    rows = (await withEntityTable(source, (table) =>
      table
        .query()
        .where(filter === undefined ? byName : `${byName} AND (${filter})`)
        .withRowId()
        .select([...ENTITY_REF_COLUMNS])
        .limit(limit)
        .toArray(),
    )) as EntityRefRow[];
  } catch (error) {
    throw new StoreError(`cannot read the entity table: ${describeError(error)}`, { cause: error });
  }
  return rows
    .map((row) => ({ chunk: refFromRow(row), score: 1 }))
    .sort((a, b) => (a.chunk.path === b.chunk.path ? a.chunk.startLine - b.chunk.startLine : a.chunk.path < b.chunk.path ? -1 : 1));
}
