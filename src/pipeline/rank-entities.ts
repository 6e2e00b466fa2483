import type { RankedHit, SearchRequest } from "../model/search.js";
import type { Chunk, SearchHit } from "../model/types.js";
import { arrangeHits, findMatchLine, fuseRankings, namedSymbols } from "../rank/index.js";
import { buildEntityFilter, findEntitiesByName, searchEntities, searchEntitiesByText, type EntitySource } from "../store/index.js";

/** Candidates each side contributes before fusion, at least; more when the limit asks for more. */
export const CANDIDATE_DEPTH = 50;

/** Candidates per side for a search of `limit` hits when the request does not fix it: `max(CANDIDATE_DEPTH, 2 × limit)`. */
export function candidateDepthFor(limit: number): number {
  return Math.max(CANDIDATE_DEPTH, limit * 2);
}

/** What {@link rankEntities} searches: an open index and the index's own query embedder. */
export interface RankingSource {
  /** The entity table at the committed version (or a connection: its latest version). */
  db: EntitySource;
  /** Embeds the query with the index's model (one L2-normalised vector). */
  embedQuery(query: string): Promise<Float32Array>;
  /** Every distinct path in the table (read once per session; needed for `--path` globs only). */
  indexedPaths(): Promise<string[]>;
}

/**
 * Ranks the index's entities for `query`:
 * - `vector`: cosine similarity of the query's embedding (exact search);
 * - `lexical`: BM25 over code words (identifiers split), head weighted above body;
 * - `hybrid`: both sides' top candidates fused with Reciprocal Rank Fusion (k = `RRF_K`, 60),
 *   plus entities whose name or qualified name the query spells out as code (`parse_header`,
 *   `Cart.total()`), fused as a third ranking so they rise to the top.
 * Filters run inside each store query, before its top k are chosen. Hits are then deduplicated and
 * a class that ranks with one of its methods gives way to the method (rank/arrange-hits.ts).
 * @returns at most `request.limit` hits, best first, each with its per-side ranks and match line.
 * @throws StoreError; Error from the model (vector and hybrid modes embed the query).
 */
export async function rankEntities(source: RankingSource, query: string, request: SearchRequest): Promise<RankedHit[]> {
  const { mode, limit, filters } = request;
  const filter = buildEntityFilter(filters, filters.paths?.length ? await source.indexedPaths() : []);
  if (filter.kind === "none") return [];
  const where = filter.kind === "where" ? filter.sql : undefined;
  const depth = request.candidateDepth ?? candidateDepthFor(limit);
  const [vectorHits, lexicalHits, nameHits] = await Promise.all([
    mode === "lexical" ? null : source.embedQuery(query).then((vector) => searchEntities(source.db, vector, depth, where)),
    mode === "vector" ? null : searchEntitiesByText(source.db, query, depth, where),
    mode === "hybrid" ? findEntitiesByName(source.db, namedSymbols(query), depth, where) : null,
  ]);

  let ranked: Omit<RankedHit, "matchLine">[];
  if (mode === "hybrid") {
    const chunks = new Map<string, Chunk>();
    const ids = (hits: SearchHit[] | null) => (hits ?? []).map((hit) => (chunks.set(hit.chunk.id, hit.chunk), hit.chunk.id));
    const fused = fuseRankings([ids(vectorHits), ids(lexicalHits), ids(nameHits)]);
    ranked = fused.map((item) => ({
      chunk: chunks.get(item.id)!,
      score: item.score,
      ranks: { vector: item.ranks[0] ?? null, lexical: item.ranks[1] ?? null },
      exactName: item.ranks[2] !== null,
    }));
  } else {
    ranked = (vectorHits ?? lexicalHits ?? []).map((hit, index) => ({
      ...hit,
      ranks: { vector: mode === "vector" ? index + 1 : null, lexical: mode === "lexical" ? index + 1 : null },
      exactName: false,
    }));
  }
  return arrangeHits(ranked)
    .slice(0, limit)
    .map((hit) => ({ ...hit, matchLine: findMatchLine(hit.chunk, query) }));
}
