import { StoreError } from "../model/errors.js";
import type { RankedCandidate, RankedHit, SearchRequest } from "../model/search.js";
import type { EntityRef, SearchHit } from "../model/types.js";
import {
  type CandidateText,
  type FusionWeights,
  type RankerConfig,
  type RankingCandidate,
  candidateFeatures,
  findMatchLine,
  fusionWeights,
  namedSymbols,
  queryTraits,
  rankWithStages,
  rankerReadsText,
  weighedFields,
} from "../rank/index.js";
import {
  buildEntityFilter,
  findEntitiesByName,
  idsMatching,
  nearestResident,
  readEntities,
  residentEntitiesById,
  searchEntities,
  searchEntitiesByText,
  withoutTiesAtCut,
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
 * - `vector`: cosine similarity of the query's embedding (exact search), raw (for diagnosis);
 * - `lexical`: BM25 over code words (identifiers split), head weighted above body, plus entities
 *   whose name or qualified name the query spells out as code (`parse_header`, `Cart.total()`),
 *   then the ranking stage;
 * - `hybrid`: the same plus the vector side's candidates (when the vector weight of `weights` —
 *   the index's calibrated weight or `--vector-weight` — is above 0; at 0 the query is not
 *   embedded at all), then the ranking stage.
 * The ranking stage (rank/rank-stages.ts) scores every candidate of every side by `ranker`'s
 * weights over its features (side ranks, name and path evidence, class and file structure, test
 * and auxiliary code) before the cut to `request.limit`; classes stay classes.
 * Filters run inside each store query, before its top k are chosen. The candidates carry
 * {@link EntityRef}s only; the final hits are then read whole, from the resident table or by their
 * row ids (`readEntities`). When one of them is gone (another run committed a new version into the
 * session's table between the two reads), the search runs once more on the new version.
 * @returns at most `request.limit` hits, best first, each with its per-side ranks and match line
 *   (and its features when `request.explain`).
 * @throws StoreError (also when the table changed under the second try too); Error from the model
 *   (vector mode, and hybrid mode with a vector weight > 0).
 */
export async function rankEntities(source: RankingSource, query: string, request: SearchRequest, weights: FusionWeights, ranker: RankerConfig): Promise<RankedHit[]> {
  for (let attempt = 1; ; attempt++) {
    const resident = (await source.residentEntities?.()) ?? null;
    const candidates = await gatherCandidates(source, query, request, weights.vector > 0, resident);
    if (candidates === null) return [];
    // A ranker that weighs text fields reads every candidate whole before ranking (one read, the
    // final hits among them); otherwise only the hits kept are read, after ranking.
    const readsText = request.mode !== "vector" && rankerReadsText(ranker);
    const read = (refs: readonly EntityRef[]) => (resident ? residentEntitiesById(resident, refs.map((ref) => ref.id)) : readEntities(source.db, refs));
    const texts = readsText ? await read(pooledRefs(candidates, request.mode === "hybrid" && weights.vector > 0)) : undefined;
    const ranked = rankCandidates(candidates, query, request, weights, ranker, texts);
    const chunks = texts ?? (await read(ranked.map((hit) => hit.chunk)));
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
 * `withVector`; the exact-name side in lexical and hybrid mode), each filtered and `request.candidateDepth` deep (default {@link candidateDepthFor}).
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
    mode === "vector" ? null : findEntitiesByName(source.db, namedSymbols(query), depth, where),
  ]);
  // Vector mode shows its side raw; the ranking stage pools the sides, so their cuts must not depend on storage order.
  if (mode === "vector") return { vector, lexical, name };
  return { vector: vector && withoutTiesAtCut(vector, depth), lexical: lexical && withoutTiesAtCut(lexical, depth), name };
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
 * once per weight). Vector mode keeps the vector side's order. Lexical and hybrid mode pool every
 * side's candidates (each entity once, with its rank on each side; the vector side only in hybrid
 * mode with `weights.vector` > 0) and order them by the ranking stage (`rankWithStages` with
 * `ranker`, the vector feature scaled by `weights.vector`). Then cuts to `request.limit`. Pure.
 * @param texts the candidates' text by id, when read (the per-field features need it).
 */
export function rankCandidates(
  candidates: Candidates,
  query: string,
  request: SearchRequest,
  weights: FusionWeights,
  ranker: RankerConfig,
  texts?: ReadonlyMap<string, CandidateText>,
): RankedCandidate[] {
  if (request.mode === "vector") {
    return (candidates.vector ?? []).slice(0, request.limit).map((hit, index) => ({ ...hit, ranks: { vector: index + 1, lexical: null }, exactName: false }));
  }
  const vectorWeight = request.mode === "hybrid" ? weights.vector : 0;
  const pool = poolCandidates(candidates, vectorWeight > 0, texts);
  return rankWithStages(pool, queryTraits(query), ranker, vectorWeight, request.explain === true)
    .slice(0, request.limit)
    .map(({ chunk, score, ranks, exactName, explain }) => ({ chunk, score, ranks, exactName, ...(explain ? { explain } : {}) }));
}

/**
 * {@link rankCandidates} in hybrid mode at each of `vectorWeights` (the other fusion weights as
 * `weights`), for calibration: the same order per weight, but the candidates are pooled and their
 * features computed once for all weights above 0 (and once for weight 0), not once per weight.
 * @returns one ranked list per weight, in the order of `vectorWeights`. Pure.
 */
export function rankCandidatesAtWeights(candidates: Candidates, query: string, request: SearchRequest, vectorWeights: readonly number[], ranker: RankerConfig): RankedCandidate[][] {
  const traits = queryTraits(query);
  const withVector = poolCandidates(candidates, true);
  const features = candidateFeatures(withVector, traits, 1, weighedFields(ranker));
  const cut = (ranked: RankedCandidate[]) => ranked.slice(0, request.limit).map(({ chunk, score, ranks, exactName }) => ({ chunk, score, ranks, exactName }));
  return vectorWeights.map((weight) =>
    weight > 0 ? cut(rankWithStages(withVector, traits, ranker, weight, false, features)) : rankCandidates(candidates, query, { ...request, mode: "hybrid" }, fusionWeights(weight), ranker),
  );
}

/**
 * Every side's candidates as one list, each entity once (in order of first appearance: lexical,
 * vector, exact name), with its 1-based rank on the lexical and vector sides, its vector side's
 * cosine similarity, whether the query names it, and its text when `texts` holds it. The vector
 * side takes part only `withVector`. Pure.
 */
export function poolCandidates(candidates: Candidates, withVector: boolean, texts?: ReadonlyMap<string, CandidateText>): RankingCandidate[] {
  const pool = new Map<string, RankingCandidate>();
  const entry = (chunk: EntityRef) => {
    let found = pool.get(chunk.id);
    if (found === undefined) {
      found = { chunk, ranks: { vector: null, lexical: null }, exactName: false };
      const text = texts?.get(chunk.id);
      if (text !== undefined) found.text = text;
      pool.set(chunk.id, found);
    }
    return found;
  };
  (candidates.lexical ?? []).forEach((hit, index) => {
    const found = entry(hit.chunk);
    found.ranks.lexical ??= index + 1;
  });
  if (withVector) {
    (candidates.vector ?? []).forEach((hit, index) => {
      const found = entry(hit.chunk);
      if (found.ranks.vector === null) {
        found.ranks.vector = index + 1;
        found.similarity = hit.score;
      }
    });
  }
  for (const hit of candidates.name ?? []) entry(hit.chunk).exactName = true;
  return [...pool.values()];
}

/** The light rows of every candidate {@link poolCandidates} would pool, each once. Pure. */
export function pooledRefs(candidates: Candidates, withVector: boolean): EntityRef[] {
  const refs = new Map<string, EntityRef>();
  for (const side of [candidates.lexical, withVector ? candidates.vector : null, candidates.name]) {
    for (const hit of side ?? []) if (!refs.has(hit.chunk.id)) refs.set(hit.chunk.id, hit.chunk);
  }
  return [...refs.values()];
}
