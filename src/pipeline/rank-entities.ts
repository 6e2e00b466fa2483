import { StoreError } from "../model/errors.js";
import type { RankedCandidate, RankedHit, SearchRequest } from "../model/search.js";
import type { EntityRef, SearchHit } from "../model/types.js";
import { arrangeHits, findMatchLine, fuseRankings, namedSymbols, type FusionWeights } from "../rank/index.js";
import {
  buildEntityFilter,
  findEntitiesByName,
  idsMatching,
  nearestResident,
  readEntities,
  residentEntitiesById,
  searchEntities,
  searchEntitiesByText,
  type EntitySource,
  type ResidentEntities,
} from "../store/index.js";

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
  /**
   * Embeds the query with the index's model (one L2-normalised vector); null when the model sees
   * nothing in it (see `NothingToEmbedError`): the vector side then finds nothing.
   */
  embedQuery(query: string): Promise<Float32Array | null>;
  /** Every distinct path in the table (read once per session; needed for `--path` globs only). */
  indexedPaths(): Promise<string[]>;
  /**
   * The table held in memory by a long-lived session (see `loadResidentEntities`): the vector side
   * then scans its vectors instead of asking LanceDB, and the final hits come from it; null or
   * absent: LanceDB answers both.
   */
  residentEntities?(): Promise<ResidentEntities | null>;
}

/** Each side's candidates for one query, best first; null for a side that did not run. */
export interface Candidates {
  vector: SearchHit<EntityRef>[] | null;
  lexical: SearchHit<EntityRef>[] | null;
  name: SearchHit<EntityRef>[] | null;
}

/**
 * Ranks the index's entities for `query`:
 * - `vector`: cosine similarity of the query's embedding (exact search);
 * - `lexical`: BM25 over code words (identifiers split), head weighted above body;
 * - `hybrid`: both sides' top candidates fused with weighted Reciprocal Rank Fusion (`weights`:
 *   the index's calibrated weights or `--vector-weight`), plus entities whose name or qualified
 *   name the query spells out as code (`parse_header`, `Cart.total()`), fused as a third ranking
 *   so they rise to the top. With a vector weight of 0 the query is not embedded at all.
 * Filters run inside each store query, before its top k are chosen. Hits are then deduplicated and
 * a class that ranks with one of its methods gives way to the method (rank/arrange-hits.ts). The
 * candidates carry {@link EntityRef}s only; the final hits are then read whole, from the resident
 * table or by their row ids (`readEntities`). When one of them is gone (another run committed a new version
 * into the session's table between the two reads), the search runs once more on the new version.
 * @returns at most `request.limit` hits, best first, each with its per-side ranks and match line.
 * @throws StoreError (also when the table changed under the second try too); Error from the model
 *   (vector mode, and hybrid mode with a vector weight > 0).
 */
export async function rankEntities(source: RankingSource, query: string, request: SearchRequest, weights: FusionWeights): Promise<RankedHit[]> {
  for (let attempt = 1; ; attempt++) {
    const resident = (await source.residentEntities?.()) ?? null;
    const candidates = await gatherCandidates(source, query, request, weights.vector > 0, resident);
    if (candidates === null) return [];
    const ranked = rankCandidates(candidates, request, weights);
    const chunks = resident ? residentEntitiesById(resident, ranked.map((hit) => hit.chunk.id)) : await readEntities(source.db, ranked.map((hit) => hit.chunk));
    if (ranked.every((hit) => chunks.has(hit.chunk.id))) {
      return ranked.map((hit) => {
        const chunk = chunks.get(hit.chunk.id)!;
        return { ...hit, chunk, matchLine: findMatchLine(chunk, query) };
      });
    }
    if (attempt === 2) throw new StoreError("the index changed twice while this search read it; search again");
  }
}

/**
 * Runs the store queries of `request.mode` for `query` (the vector side in hybrid mode only when
 * `withVector`), each filtered and `request.candidateDepth` deep (default {@link candidateDepthFor}).
 * With `resident` (the session's table in memory) the vector side scans its vectors.
 * @returns the candidates, or null when the filters exclude everything.
 * @throws StoreError; Error from the model.
 */
export async function gatherCandidates(
  source: RankingSource,
  query: string,
  request: SearchRequest,
  withVector: boolean,
  resident: ResidentEntities | null = null,
): Promise<Candidates | null> {
  const { mode, limit, filters } = request;
  const filter = buildEntityFilter(filters, filters.paths?.length ? await source.indexedPaths() : []);
  if (filter.kind === "none") return null;
  const where = filter.kind === "where" ? filter.sql : undefined;
  const depth = request.candidateDepth ?? candidateDepthFor(limit);
  const [vector, lexical, name] = await Promise.all([
    mode === "lexical" || (mode === "hybrid" && !withVector) ? null : searchByVector(source, resident, query, depth, where),
    mode === "vector" ? null : searchEntitiesByText(source.db, query, depth, where),
    mode === "hybrid" ? findEntitiesByName(source.db, namedSymbols(query), depth, where) : null,
  ]);
  return { vector, lexical, name };
}

/**
 * The vector side: the query embedded, then the `depth` nearest entities that pass `where`, from
 * the resident table's vectors when there is one, else from LanceDB; none when the model sees
 * nothing in the query.
 */
async function searchByVector(source: RankingSource, resident: ResidentEntities | null, query: string, depth: number, where: string | undefined): Promise<SearchHit<EntityRef>[]> {
  const [vector, allowed] = await Promise.all([source.embedQuery(query), resident === null || where === undefined ? undefined : idsMatching(source.db, where)]);
  if (vector === null) return [];
  if (resident === null) return searchEntities(source.db, vector, depth, where);
  return nearestResident(resident, vector, depth, allowed);
}

/**
 * The final order of one query's candidates, without match lines (what fusion calibration scores,
 * once per weight): hybrid mode fuses the three rankings with `weights` (a side with weight 0 or
 * no candidates adds nothing but its ranks); the other modes keep their side's order. Then
 * deduplicates, lets classes give way to their methods and cuts to `request.limit`. Pure.
 */
export function rankCandidates(candidates: Candidates, request: SearchRequest, weights: FusionWeights): RankedCandidate[] {
  let ranked: RankedCandidate[];
  if (request.mode === "hybrid") {
    const chunks = new Map<string, EntityRef>();
    const ids = (hits: SearchHit<EntityRef>[] | null) => (hits ?? []).map((hit) => (chunks.set(hit.chunk.id, hit.chunk), hit.chunk.id));
    // A side of weight 0 takes no part, not even as a tail: search skips it altogether.
    const side = (hits: SearchHit<EntityRef>[] | null, weight: number) => (weight > 0 ? ids(hits) : []);
    const fused = fuseRankings([side(candidates.vector, weights.vector), side(candidates.lexical, weights.lexical), side(candidates.name, weights.name)], {
      k: weights.k,
      weights: [weights.vector, weights.lexical, weights.name],
    });
    ranked = fused.map((item) => ({
      chunk: chunks.get(item.id)!,
      score: item.score,
      ranks: { vector: item.ranks[0] ?? null, lexical: item.ranks[1] ?? null },
      exactName: item.ranks[2] !== null,
    }));
  } else {
    const mode = request.mode;
    ranked = ((mode === "vector" ? candidates.vector : candidates.lexical) ?? []).map((hit, index) => ({
      ...hit,
      ranks: { vector: mode === "vector" ? index + 1 : null, lexical: mode === "lexical" ? index + 1 : null },
      exactName: false,
    }));
  }
  return arrangeHits(ranked).slice(0, request.limit);
}
